package ingest

import (
	"errors"
	"io"
	"math"
	"math/big"
	"strconv"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/encoding"

	"github.com/tallyhq/tally/internal/billing"
)

// leafCursor walks the pages of one leaf column: level entries and the
// values of the non-null ones.
type leafCursor struct {
	pages   *chunkPages
	page    parquet.Page
	conv    leafConv
	kind    parquet.Kind
	maxDef  byte
	defs    []byte
	reps    []byte
	nLevels int
	li, vi  int
	in      *interner

	dict    parquet.Dictionary
	dictStr []string
	dictI64 []int64
	dictF64 []float64
	idx     []int32

	data     []byte
	offs     []uint32
	i64      []int64
	i32      []int32
	f64      []float64
	f32      []float32
	i96      []deprecated.Int96
	bits     []byte
	flbaSize int
}

func newLeafCursor(c *parquet.Column, rgs []parquet.RowGroup, conv leafConv, in *interner) *leafCursor {
	return &leafCursor{pages: &chunkPages{rgs: rgs, col: c.Index()}, conv: conv, kind: c.Type().Kind(),
		maxDef: byte(c.MaxDefinitionLevel()), in: in}
}

// chunkPages reads a leaf column's pages row group after row group, opening
// a column chunk only when the previous one is used up. parquet.Column's own
// Pages opens the chunks of every row group at once, each with a read
// buffer, so that memory grew with the number of row groups in a file.
type chunkPages struct {
	rgs []parquet.RowGroup
	col int // leaf index
	g   int // next row group to open
	cur parquet.Pages
}

func (p *chunkPages) ReadPage() (parquet.Page, error) {
	for {
		if p.cur == nil {
			if p.g >= len(p.rgs) {
				return nil, io.EOF
			}
			p.cur = p.rgs[p.g].ColumnChunks()[p.col].Pages()
			p.g++
		}
		pg, err := p.cur.ReadPage()
		if err != io.EOF {
			return pg, err
		}
		p.cur.Close()
		p.cur = nil
	}
}

func (p *chunkPages) Close() error {
	if p.cur == nil {
		return nil
	}
	err := p.cur.Close()
	p.cur = nil
	return err
}

func (c *leafCursor) close() {
	if c.page != nil {
		parquet.Release(c.page)
		c.page = nil
	}
	c.pages.Close()
}

// ensure makes sure a level entry is available, reading the next page when
// the current one is used up. It returns io.EOF after the last page.
func (c *leafCursor) ensure() error {
	for c.li >= c.nLevels {
		if err := c.nextPage(); err != nil {
			return err
		}
	}
	return nil
}

func (c *leafCursor) nextPage() error {
	if c.page != nil {
		parquet.Release(c.page)
		c.page = nil
	}
	p, err := c.pages.ReadPage()
	if err != nil {
		return err
	}
	c.page = p
	c.defs, c.reps = p.DefinitionLevels(), p.RepetitionLevels()
	if c.maxDef == 0 {
		c.defs = nil
	}
	c.nLevels = int(p.NumValues())
	if c.defs != nil {
		c.nLevels = len(c.defs)
	}
	c.li, c.vi = 0, 0
	data := p.Data()
	if d := p.Dictionary(); d != nil {
		c.idx = data.Int32()
		if d != c.dict {
			c.loadDictionary(d)
		}
		return nil
	}
	c.idx, c.dictStr, c.dictI64, c.dictF64, c.dict = nil, nil, nil, nil, nil
	c.setPlain(data)
	return nil
}

// setPlain points the cursor at a page's plain (not dictionary-encoded)
// values of the cursor's physical type.
func (c *leafCursor) setPlain(data encoding.Values) {
	switch c.kind {
	case parquet.ByteArray:
		c.data, c.offs = data.ByteArray()
	case parquet.FixedLenByteArray:
		c.data, c.flbaSize = data.FixedLenByteArray()
	case parquet.Int64:
		c.i64 = data.Int64()
	case parquet.Int32:
		c.i32 = data.Int32()
	case parquet.Double:
		c.f64 = data.Double()
	case parquet.Float:
		c.f32 = data.Float()
	case parquet.Int96:
		c.i96 = data.Int96()
	case parquet.Boolean:
		c.bits = data.Boolean()
	}
}

// loadDictionary converts a dictionary once into the values ingest reads.
func (c *leafCursor) loadDictionary(d parquet.Dictionary) {
	c.dict = d
	c.dictStr, c.dictI64, c.dictF64 = nil, nil, nil
	// Read the dictionary page through the plain-value accessors.
	dc := &leafCursor{conv: c.conv, kind: c.kind, in: c.in}
	dc.setPlain(d.Page().Data())
	n := d.Len()
	switch c.conv.kind {
	case kString:
		c.dictStr = make([]string, n)
		for i := range n {
			c.dictStr[i] = dc.readString()
		}
	case kFloat:
		c.dictF64 = make([]float64, n)
		for i := range n {
			c.dictF64[i] = dc.readFloat()
		}
	case kInt, kBool:
		c.dictI64 = make([]int64, n)
		for i := range n {
			c.dictI64[i] = dc.readInt()
		}
	case kTime:
		c.dictI64 = make([]int64, n)
		for i := range n {
			c.dictI64[i] = dc.readTime()
		}
	case kDecimal:
		c.dictI64 = make([]int64, n)
		for i := range n {
			a, _ := dc.readDecimal()
			c.dictI64[i] = int64(a)
		}
	}
}

// The read* methods consume the next non-null value.

func (c *leafCursor) readString() string {
	i := c.vi
	c.vi++
	if c.dictStr != nil {
		return c.dictStr[c.idx[i]]
	}
	switch c.kind {
	case parquet.ByteArray:
		return c.in.intern(c.data[c.offs[i]:c.offs[i+1]])
	case parquet.FixedLenByteArray:
		return c.in.intern(c.data[i*c.flbaSize : (i+1)*c.flbaSize])
	}
	c.vi--
	switch c.conv.kind {
	case kFloat:
		return strconv.FormatFloat(c.readFloat(), 'f', -1, 64)
	}
	return strconv.FormatInt(c.readInt(), 10)
}

func (c *leafCursor) readFloat() float64 {
	i := c.vi
	c.vi++
	if c.dictF64 != nil {
		return c.dictF64[c.idx[i]]
	}
	switch c.kind {
	case parquet.Double:
		return c.f64[i]
	case parquet.Float:
		return float64(c.f32[i])
	case parquet.Int64:
		return float64(c.i64[i])
	case parquet.Int32:
		return float64(c.i32[i])
	}
	return math.NaN()
}

func (c *leafCursor) readInt() int64 {
	i := c.vi
	c.vi++
	if c.dictI64 != nil {
		return c.dictI64[c.idx[i]]
	}
	switch c.kind {
	case parquet.Int64:
		return c.i64[i]
	case parquet.Int32:
		return int64(c.i32[i])
	case parquet.Boolean:
		if c.bits[i/8]&(1<<(i%8)) != 0 {
			return 1
		}
		return 0
	}
	return 0
}

// julianUnixEpoch is the Julian day number of 1970-01-01, for INT96.
const julianUnixEpoch = 2440588

func (c *leafCursor) readTime() int64 {
	if c.kind == parquet.Int96 && c.dictI64 == nil {
		v := c.i96[c.vi]
		c.vi++
		nanos := int64(uint64(v[1])<<32 | uint64(v[0]))
		return (int64(v[2])-julianUnixEpoch)*int64(24*time.Hour) + nanos
	}
	if c.dictI64 != nil {
		return c.readInt()
	}
	return c.readInt() * c.conv.unitNanos
}

func (c *leafCursor) readDecimal() (billing.Amount, error) {
	if c.dictI64 != nil {
		return billing.Amount(c.readInt()), nil
	}
	var u *big.Int
	switch c.kind {
	case parquet.Int64, parquet.Int32:
		u = big.NewInt(c.readInt())
	case parquet.ByteArray, parquet.FixedLenByteArray:
		var b []byte
		i := c.vi
		c.vi++
		if c.kind == parquet.ByteArray {
			b = c.data[c.offs[i]:c.offs[i+1]]
		} else {
			b = c.data[i*c.flbaSize : (i+1)*c.flbaSize]
		}
		u = new(big.Int).SetBytes(b)
		if len(b) > 0 && b[0]&0x80 != 0 { // two's complement
			u.Sub(u, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
		}
	default:
		return 0, errors.New("unsupported decimal encoding")
	}
	r := new(big.Rat).SetFrac(u, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(c.conv.scale)), nil))
	return billing.ParseAmount(r.FloatString(billing.Scale + 1))
}

// interner shares the string of repeated plain-encoded byte-array values.
// It is bounded: past maxInterned entries it starts over.
type interner struct{ m map[string]string }

const maxInterned = 1 << 16

func newInterner() *interner { return &interner{m: make(map[string]string)} }

func (in *interner) intern(b []byte) string {
	if s, ok := in.m[string(b)]; ok {
		return s
	}
	if len(b) > 256 {
		return string(b)
	}
	if len(in.m) >= maxInterned {
		clear(in.m)
	}
	s := string(b)
	in.m[s] = s
	return s
}
