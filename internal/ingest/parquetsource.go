package ingest

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"os"
	"strconv"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"

	"github.com/tallyhq/tally/internal/billing"
)

// batchRows is how many rows a Parquet source decodes at a time. Memory is
// bounded by this batch and one page per projected column.
const batchRows = 2048

// parquetSource reads the projected columns of a Parquet file a batch of
// rows at a time, page by page, without materializing rows.
type parquetSource struct {
	f       *os.File
	pf      *parquet.File
	tops    []*parquet.Column
	names   []string
	cols    []*pqColumn // by top-level index; nil when not projected
	proj    []*pqColumn
	numRows int64
	read    int64 // rows decoded so far
	n, i    int   // rows in the current batch, index of the current row
	// pendingErr is a decoding error at row n of the current batch, returned
	// once the rows before it have been served.
	pendingErr error
}

func newParquetSource(f *os.File, size int64) (*parquetSource, error) {
	pf, err := parquet.OpenFile(f, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true), parquet.ReadBufferSize(256<<10))
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	s := &parquetSource{f: f, pf: pf, tops: pf.Root().Columns(), numRows: pf.NumRows(), i: -1}
	for _, c := range s.tops {
		s.names = append(s.names, c.Name())
	}
	s.cols = make([]*pqColumn, len(s.tops))
	return s, nil
}

func (s *parquetSource) columns() []string { return s.names }

func (s *parquetSource) isMap(c int) bool {
	return c >= 0 && !s.tops[c].Leaf()
}

func (s *parquetSource) hasGroup(name string) bool {
	for i, n := range s.names {
		if n == name && !s.tops[i].Leaf() {
			return true
		}
	}
	return false
}

func (s *parquetSource) close() error {
	for _, c := range s.proj {
		c.close()
	}
	return s.f.Close()
}

func (s *parquetSource) project(cols []int) error {
	in := newInterner()
	for _, c := range cols {
		if c < 0 || s.cols[c] != nil {
			continue
		}
		pc, err := newPQColumn(s.tops[c], in)
		if err != nil {
			return err
		}
		s.cols[c] = pc
		s.proj = append(s.proj, pc)
	}
	return nil
}

func (s *parquetSource) next() (bool, error) {
	s.i++
	if s.i < s.n {
		return true, nil
	}
	if s.pendingErr != nil {
		return false, s.pendingErr
	}
	n := int(min(int64(batchRows), s.numRows-s.read))
	if n <= 0 {
		return false, nil
	}
	good := n
	var firstErr error
	for _, c := range s.proj {
		k, err := c.fill(n)
		if err != nil && k < good {
			good, firstErr = k, err
		}
	}
	s.read += int64(n)
	s.n, s.i = good, 0
	if firstErr != nil {
		s.pendingErr = firstErr
		if good == 0 {
			return false, firstErr
		}
	}
	return true, nil
}

func (s *parquetSource) col(c int) *pqColumn {
	if c < 0 {
		return nil
	}
	return s.cols[c]
}

func (s *parquetSource) str(c int) string {
	if c < 0 {
		return ""
	}
	pc := s.cols[c]
	if pc.kind == kString {
		return pc.str[s.i] // empty when null
	}
	if pc.null[s.i] {
		return ""
	}
	switch pc.kind {
	case kFloat:
		return strconv.FormatFloat(pc.num[s.i], 'f', -1, 64)
	case kInt:
		return strconv.FormatInt(pc.i64[s.i], 10)
	case kDecimal:
		return billing.Amount(pc.i64[s.i]).String()
	case kTime:
		return time.Unix(0, pc.i64[s.i]).UTC().Format(time.RFC3339Nano)
	case kBool:
		return strconv.FormatBool(pc.i64[s.i] != 0)
	}
	return ""
}

func (s *parquetSource) amount(c int) (billing.Amount, error) {
	pc := s.col(c)
	if pc == nil || pc.null[s.i] {
		return 0, nil
	}
	switch pc.kind {
	case kFloat:
		return billing.AmountFromFloat(pc.num[s.i])
	case kDecimal:
		return billing.Amount(pc.i64[s.i]), nil
	case kInt:
		return billing.ParseAmount(strconv.FormatInt(pc.i64[s.i], 10))
	case kString:
		return parseAmount(pc.str[s.i])
	}
	return 0, fmt.Errorf("a %s column is not a number", pc.kind)
}

func (s *parquetSource) quantity(c int) (float64, error) {
	pc := s.col(c)
	if pc == nil || pc.null[s.i] {
		return 0, nil
	}
	switch pc.kind {
	case kFloat:
		return pc.num[s.i], nil
	case kDecimal:
		return billing.Amount(pc.i64[s.i]).Float64(), nil
	case kInt:
		return float64(pc.i64[s.i]), nil
	case kString:
		return parseQuantity(pc.str[s.i])
	}
	return 0, fmt.Errorf("a %s column is not a number", pc.kind)
}

func (s *parquetSource) timestamp(c int) (time.Time, error) {
	pc := s.col(c)
	if pc == nil || pc.null[s.i] {
		return time.Time{}, nil
	}
	switch pc.kind {
	case kTime:
		return time.Unix(0, pc.i64[s.i]).UTC(), nil
	case kString:
		return parseTime(pc.str[s.i])
	}
	return time.Time{}, fmt.Errorf("a %s column is not a timestamp", pc.kind)
}

func (s *parquetSource) pairs(c int, fn func(k, v string)) error {
	pc := s.col(c)
	if pc == nil || pc.null[s.i] {
		return nil
	}
	if pc.kind == kString {
		return parseMapText(pc.str[s.i], fn)
	}
	if pc.kind != kMap {
		return fmt.Errorf("a %s column is not a map", pc.kind)
	}
	for j := pc.moff[s.i]; j < pc.moff[s.i+1]; j++ {
		fn(pc.mkeys[j], pc.mvals[j])
	}
	return nil
}

// valueKind is how ingest reads a Parquet column.
type valueKind int

const (
	kString valueKind = iota
	kFloat
	kInt
	kDecimal // held as a billing.Amount in i64
	kTime    // held as Unix nanoseconds in i64
	kBool
	kMap
)

func (k valueKind) String() string {
	return [...]string{"string", "floating-point", "integer", "decimal", "timestamp", "boolean", "map"}[k]
}

// pqColumn decodes one top-level column into per-batch vectors.
type pqColumn struct {
	name string
	kind valueKind
	conv leafConv
	cur  *leafCursor // flat columns and map keys
	val  *leafCursor // map values

	null []bool
	str  []string
	num  []float64
	i64  []int64
	// Map rows: entries moff[i]..moff[i+1] of mkeys/mvals.
	moff         []int32
	mkeys, mvals []string
}

// leafConv describes how a leaf's physical values become a valueKind.
type leafConv struct {
	kind      valueKind
	unitNanos int64 // kTime from INT64/INT32 timestamps and dates
	scale     int   // kDecimal
}

func convOf(c *parquet.Column) (leafConv, error) {
	t := c.Type()
	lt := t.LogicalType()
	var lv format.LogicalTypeValue
	if lt != nil {
		lv = lt.Value
	}
	if d, ok := lv.(*format.DecimalType); ok {
		return leafConv{kind: kDecimal, scale: int(d.Scale)}, nil
	}
	switch t.Kind() {
	case parquet.ByteArray, parquet.FixedLenByteArray:
		return leafConv{kind: kString}, nil
	case parquet.Double, parquet.Float:
		return leafConv{kind: kFloat}, nil
	case parquet.Boolean:
		return leafConv{kind: kBool}, nil
	case parquet.Int96:
		return leafConv{kind: kTime}, nil
	case parquet.Int64, parquet.Int32:
		if ts, ok := lv.(*format.TimestampType); ok {
			return leafConv{kind: kTime, unitNanos: int64(ts.Unit.Value.Duration())}, nil
		}
		if _, ok := lv.(*format.DateType); ok {
			return leafConv{kind: kTime, unitNanos: int64(24 * time.Hour)}, nil
		}
		if ct := t.ConvertedType(); ct != nil {
			switch *ct {
			case deprecated.TimestampMillis:
				return leafConv{kind: kTime, unitNanos: int64(time.Millisecond)}, nil
			case deprecated.TimestampMicros:
				return leafConv{kind: kTime, unitNanos: int64(time.Microsecond)}, nil
			case deprecated.Date:
				return leafConv{kind: kTime, unitNanos: int64(24 * time.Hour)}, nil
			case deprecated.Decimal:
				return leafConv{}, fmt.Errorf("column %s: decimal without a scale", c.Name())
			}
		}
		return leafConv{kind: kInt}, nil
	}
	return leafConv{}, fmt.Errorf("column %s has the unsupported type %s", c.Name(), t)
}

func newPQColumn(c *parquet.Column, in *interner) (*pqColumn, error) {
	pc := &pqColumn{name: c.Name(), null: make([]bool, batchRows)}
	if c.Leaf() {
		if c.MaxRepetitionLevel() > 0 {
			return nil, fmt.Errorf("column %s is a list, not a value", c.Name())
		}
		conv, err := convOf(c)
		if err != nil {
			return nil, err
		}
		pc.kind, pc.conv = conv.kind, conv
		pc.cur = newLeafCursor(c, conv, in)
		switch conv.kind {
		case kString:
			pc.str = make([]string, batchRows)
		case kFloat:
			pc.num = make([]float64, batchRows)
		default:
			pc.i64 = make([]int64, batchRows)
		}
		return pc, nil
	}
	// A map: <name> (MAP) { repeated group key_value { key; value } }.
	kv := c.Columns()
	if len(kv) != 1 || kv[0].Leaf() || len(kv[0].Columns()) != 2 {
		return nil, fmt.Errorf("column %s is a nested type other than a map", c.Name())
	}
	key, val := kv[0].Columns()[0], kv[0].Columns()[1]
	if !key.Leaf() || !val.Leaf() {
		return nil, fmt.Errorf("column %s is a map of nested values", c.Name())
	}
	kc, err := convOf(key)
	if err != nil {
		return nil, err
	}
	vc, err := convOf(val)
	if err != nil {
		return nil, err
	}
	pc.kind = kMap
	pc.cur = newLeafCursor(key, kc, in)
	pc.val = newLeafCursor(val, vc, in)
	pc.moff = make([]int32, batchRows+1)
	return pc, nil
}

func (pc *pqColumn) close() {
	pc.cur.close()
	if pc.val != nil {
		pc.val.close()
	}
}

// fill decodes the next n rows. On error it returns the batch index of the
// row that failed.
func (pc *pqColumn) fill(n int) (int, error) {
	if pc.kind == kMap {
		return pc.fillMap(n)
	}
	c := pc.cur
	for k := 0; k < n; {
		if err := c.ensure(); err != nil {
			return k, pc.wrap(err)
		}
		m := min(n-k, c.nLevels-c.li)
		if c.defs == nil && c.dictStr != nil && pc.kind == kString {
			// Fast path: a required dictionary-encoded string column.
			idx := c.idx[c.vi : c.vi+m]
			dst := pc.str[k : k+m]
			for j, x := range idx {
				dst[j] = c.dictStr[x]
			}
			clear(pc.null[k : k+m])
			c.vi += m
			c.li += m
			k += m
			continue
		}
		for j := 0; j < m; j++ {
			present := c.defs == nil || c.defs[c.li] == c.maxDef
			c.li++
			pc.null[k] = !present
			if !present && pc.kind == kString {
				pc.str[k] = ""
			}
			if present {
				if err := pc.readValue(k); err != nil {
					return k, pc.wrap(err)
				}
			}
			k++
		}
	}
	return n, nil
}

func (pc *pqColumn) readValue(k int) error {
	c := pc.cur
	switch pc.kind {
	case kString:
		pc.str[k] = c.readString()
	case kFloat:
		pc.num[k] = c.readFloat()
	case kInt, kBool:
		pc.i64[k] = c.readInt()
	case kTime:
		pc.i64[k] = c.readTime()
	case kDecimal:
		a, err := c.readDecimal()
		if err != nil {
			return err
		}
		pc.i64[k] = int64(a)
	}
	return nil
}

func (pc *pqColumn) wrap(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		err = errors.New("fewer values than rows")
	}
	return &fieldError{pc.name, err}
}

// fillMap decodes n rows of a map column, walking the key and value leaves
// in step: a repetition level of 0 starts a new row.
func (pc *pqColumn) fillMap(n int) (int, error) {
	pc.mkeys, pc.mvals = pc.mkeys[:0], pc.mvals[:0]
	kc, vc := pc.cur, pc.val
	for k := 0; k < n; k++ {
		pc.moff[k] = int32(len(pc.mkeys))
		pc.null[k] = false
		for first := true; ; first = false {
			if err := kc.ensure(); err != nil {
				if err == io.EOF && !first {
					break
				}
				return k, pc.wrap(err)
			}
			if !first && kc.reps[kc.li] == 0 {
				break
			}
			if err := vc.ensure(); err != nil {
				return k, pc.wrap(err)
			}
			kdef, vdef := kc.defs[kc.li], vc.defs[vc.li]
			kc.li++
			vc.li++
			if kdef < kc.maxDef {
				continue // a null or empty map
			}
			key := kc.readString()
			var v string
			if vdef == vc.maxDef {
				switch vc.conv.kind {
				case kString:
					v = vc.readString()
				case kFloat:
					v = strconv.FormatFloat(vc.readFloat(), 'f', -1, 64)
				default:
					v = strconv.FormatInt(vc.readInt(), 10)
				}
			}
			if v != "" {
				pc.mkeys = append(pc.mkeys, key)
				pc.mvals = append(pc.mvals, v)
			}
		}
	}
	pc.moff[n] = int32(len(pc.mkeys))
	return n, nil
}

// leafCursor walks the pages of one leaf column: level entries and the
// values of the non-null ones.
type leafCursor struct {
	pages   parquet.Pages
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

func newLeafCursor(c *parquet.Column, conv leafConv, in *interner) *leafCursor {
	return &leafCursor{pages: c.Pages(), conv: conv, kind: c.Type().Kind(), maxDef: byte(c.MaxDefinitionLevel()), in: in}
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
	return nil
}

// loadDictionary converts a dictionary once into the values ingest reads.
func (c *leafCursor) loadDictionary(d parquet.Dictionary) {
	c.dict = d
	c.dictStr, c.dictI64, c.dictF64 = nil, nil, nil
	// Read the dictionary page through the plain-value accessors.
	dc := &leafCursor{conv: c.conv, kind: c.kind, in: c.in}
	data := d.Page().Data()
	switch c.kind {
	case parquet.ByteArray:
		dc.data, dc.offs = data.ByteArray()
	case parquet.FixedLenByteArray:
		dc.data, dc.flbaSize = data.FixedLenByteArray()
	case parquet.Int64:
		dc.i64 = data.Int64()
	case parquet.Int32:
		dc.i32 = data.Int32()
	case parquet.Double:
		dc.f64 = data.Double()
	case parquet.Float:
		dc.f32 = data.Float()
	case parquet.Int96:
		dc.i96 = data.Int96()
	}
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
