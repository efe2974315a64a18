package synth

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/bits"

	"github.com/klauspost/compress/s2"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// pqWriter is a minimal streaming Parquet writer for the generator's fixed
// schemas. The generic writers cost several microseconds per wide row; here
// every string is already a dictionary key, so a row costs a few array
// appends and pages are encoded in bulk. Columns are optional (nulls for
// absent values), dictionary-encoded or PLAIN, and Snappy-compressed.
type pqWriter struct {
	out      *countingWriter
	fields   []pqField
	leaves   []*pqLeaf
	first    []int // index of each field's first leaf
	pageRows int
	rgRows   int

	rows, pageRowCount, rgRowCount int64
	rowGroups                      []format.RowGroup
	scratch, body                  []byte
	proto                          thrift.CompactProtocol
}

// pqType is the logical type of a top-level column.
type pqType uint8

const (
	pqString      pqType = iota // dictionary-encoded UTF-8 string
	pqPlainString               // PLAIN UTF-8 string (values that rarely repeat)
	pqTimestamp                 // dictionary-encoded INT64 TIMESTAMP(MILLIS, UTC)
	pqDouble                    // PLAIN DOUBLE
	pqMapString                 // MAP<STRING, STRING>
	pqMapDouble                 // MAP<STRING, DOUBLE>
)

// pqField describes one top-level column. render appends the PLAIN encoding
// of a dictionary key's value; it is needed by string, timestamp and map
// columns.
type pqField struct {
	name   string
	typ    pqType
	render func(dst []byte, key uint64) []byte
}

type pqLeaf struct {
	path           []string
	phys           format.Type
	maxDef, maxRep byte
	dict           bool
	render         func(dst []byte, key uint64) []byte

	defs, reps []byte
	idx        []int32
	plain      []byte
	pageNulls  int64

	// Dictionary of the current row group: keys in index order, a direct
	// table for small keys and a map for large ones.
	keys    []uint64
	direct  []int32 // key -> index+1
	big     map[uint64]int32
	lastKey uint64
	lastIdx int32

	pages                          []byte
	numValues, nullCount           int64
	uncompressedSize, hasDictPages int64
	usedPlain, usedDict            bool
}

const directKeyLimit = 1 << 22

type countingWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}

func newPQWriter(w io.Writer, fields []pqField, pageRows, rowGroupRows int) *pqWriter {
	pw := &pqWriter{out: &countingWriter{w: w}, fields: fields, pageRows: pageRows, rgRows: rowGroupRows}
	for _, f := range fields {
		pw.first = append(pw.first, len(pw.leaves))
		switch f.typ {
		case pqString:
			pw.leaves = append(pw.leaves, &pqLeaf{path: []string{f.name}, phys: format.ByteArray, maxDef: 1, dict: true, render: f.render})
		case pqPlainString:
			pw.leaves = append(pw.leaves, &pqLeaf{path: []string{f.name}, phys: format.ByteArray, maxDef: 1})
		case pqTimestamp:
			pw.leaves = append(pw.leaves, &pqLeaf{path: []string{f.name}, phys: format.Int64, maxDef: 1, dict: true, render: f.render})
		case pqDouble:
			pw.leaves = append(pw.leaves, &pqLeaf{path: []string{f.name}, phys: format.Double, maxDef: 1})
		case pqMapString, pqMapDouble:
			pw.leaves = append(pw.leaves, &pqLeaf{path: []string{f.name, "key_value", "key"}, phys: format.ByteArray, maxDef: 2, maxRep: 1, dict: true, render: f.render})
			v := &pqLeaf{path: []string{f.name, "key_value", "value"}, phys: format.ByteArray, maxDef: 3, maxRep: 1, dict: true, render: f.render}
			if f.typ == pqMapDouble {
				v.phys, v.dict, v.render = format.Double, false, nil
			}
			pw.leaves = append(pw.leaves, v)
		}
	}
	pw.out.Write([]byte("PAR1"))
	return pw
}

// str writes a dictionary key (0 means null) to a string or timestamp field.
func (w *pqWriter) str(field int, key uint64) {
	l := w.leaves[w.first[field]]
	if key == 0 {
		l.defs = append(l.defs, 0)
		l.pageNulls++
		return
	}
	l.defs = append(l.defs, 1)
	l.idx = append(l.idx, l.index(key))
}

// bytes writes a PLAIN string field; an empty value is null.
func (w *pqWriter) bytes(field int, b []byte) {
	l := w.leaves[w.first[field]]
	if len(b) == 0 {
		l.defs = append(l.defs, 0)
		l.pageNulls++
		return
	}
	l.defs = append(l.defs, 1)
	l.plain = binary.LittleEndian.AppendUint32(l.plain, uint32(len(b)))
	l.plain = append(l.plain, b...)
}

// double writes a DOUBLE field, null unless ok.
func (w *pqWriter) double(field int, v float64, ok bool) {
	l := w.leaves[w.first[field]]
	if !ok {
		l.defs = append(l.defs, 0)
		l.pageNulls++
		return
	}
	l.defs = append(l.defs, 1)
	l.plain = binary.LittleEndian.AppendUint64(l.plain, math.Float64bits(v))
}

// nulls writes null to n consecutive fields starting at field; they must be
// flat (non-map) fields.
func (w *pqWriter) nulls(field, n int) {
	for f := field; f < field+n; f++ {
		l := w.leaves[w.first[f]]
		l.defs = append(l.defs, 0)
		l.pageNulls++
	}
}

// mapStrings writes a MAP<STRING,STRING> field from key/value dictionary
// keys; an empty list is a null map.
func (w *pqWriter) mapStrings(field int, kv []kvKey) {
	k, v := w.leaves[w.first[field]], w.leaves[w.first[field]+1]
	if len(kv) == 0 {
		k.nullEntry()
		v.nullEntry()
		return
	}
	for i, e := range kv {
		rep := byte(min(i, 1))
		k.reps, k.defs = append(k.reps, rep), append(k.defs, 2)
		k.idx = append(k.idx, k.index(e.k))
		v.reps = append(v.reps, rep)
		if e.v == 0 {
			v.defs = append(v.defs, 2)
			v.pageNulls++
			continue
		}
		v.defs = append(v.defs, 3)
		v.idx = append(v.idx, v.index(e.v))
	}
}

// mapDouble writes a MAP<STRING,DOUBLE> field with at most one entry.
func (w *pqWriter) mapDouble(field int, key uint64, val float64) {
	k, v := w.leaves[w.first[field]], w.leaves[w.first[field]+1]
	if key == 0 {
		k.nullEntry()
		v.nullEntry()
		return
	}
	k.reps, k.defs = append(k.reps, 0), append(k.defs, 2)
	k.idx = append(k.idx, k.index(key))
	v.reps, v.defs = append(v.reps, 0), append(v.defs, 3)
	v.plain = binary.LittleEndian.AppendUint64(v.plain, math.Float64bits(val))
}

func (l *pqLeaf) nullEntry() {
	l.reps, l.defs = append(l.reps, 0), append(l.defs, 0)
	l.pageNulls++
}

// kvKey is one map entry as dictionary keys; a zero value key is null.
type kvKey struct{ k, v uint64 }

func (l *pqLeaf) index(key uint64) int32 {
	if key == l.lastKey && len(l.keys) > 0 {
		return l.lastIdx
	}
	var i int32
	if key < directKeyLimit {
		if int(key) >= len(l.direct) {
			l.direct = append(l.direct, make([]int32, int(key)+1-len(l.direct)+len(l.direct)/2)...)
		}
		i = l.direct[key] - 1
		if i < 0 {
			i = int32(len(l.keys))
			l.keys = append(l.keys, key)
			l.direct[key] = i + 1
		}
	} else {
		var ok bool
		if l.big == nil {
			l.big = make(map[uint64]int32)
		}
		if i, ok = l.big[key]; !ok {
			i = int32(len(l.keys))
			l.keys = append(l.keys, key)
			l.big[key] = i
		}
	}
	l.lastKey, l.lastIdx = key, i
	return i
}

// endRow closes a row, flushing pages and row groups when they are full.
func (w *pqWriter) endRow() error {
	w.rows++
	w.pageRowCount++
	w.rgRowCount++
	if w.pageRowCount >= int64(w.pageRows) {
		if err := w.flushPages(); err != nil {
			return err
		}
	}
	if w.rgRowCount >= int64(w.rgRows) {
		return w.flushRowGroup()
	}
	return nil
}

func (w *pqWriter) flushPages() error {
	if w.pageRowCount == 0 {
		return nil
	}
	for _, l := range w.leaves {
		if err := w.encodePage(l); err != nil {
			return err
		}
	}
	w.pageRowCount = 0
	return nil
}

func (w *pqWriter) encodePage(l *pqLeaf) error {
	b := w.body[:0]
	if l.maxRep > 0 {
		b = appendLevels(b, l.reps, l.maxRep)
	}
	b = appendLevels(b, l.defs, l.maxDef)
	enc := format.Plain
	switch {
	case l.dict && len(l.idx) > 0:
		enc = format.RLEDictionary
		bw := max(1, bits.Len32(uint32(len(l.keys)-1)))
		b = append(b, byte(bw))
		b = appendHybrid(b, l.idx, bw)
		l.usedDict = true
	default:
		b = append(b, l.plain...)
		l.usedPlain = true
	}
	w.body = b
	w.scratch = s2.EncodeSnappy(w.scratch[:cap(w.scratch)], b)
	hdr := format.PageHeader{
		Type:                 format.DataPage,
		UncompressedPageSize: int32(len(b)),
		CompressedPageSize:   int32(len(w.scratch)),
		DataPageHeader: thrift.New(format.DataPageHeader{
			NumValues:               int32(len(l.defs)),
			Encoding:                enc,
			DefinitionLevelEncoding: format.RLE,
			RepetitionLevelEncoding: format.RLE,
			Statistics:              format.Statistics{NullCount: l.pageNulls},
		}),
	}
	h, err := thrift.Marshal(&w.proto, &hdr)
	if err != nil {
		return fmt.Errorf("parquet page header: %w", err)
	}
	l.pages = append(l.pages, h...)
	l.pages = append(l.pages, w.scratch...)
	l.uncompressedSize += int64(len(h) + len(b))
	l.numValues += int64(len(l.defs))
	l.nullCount += l.pageNulls
	l.defs, l.reps, l.idx, l.plain, l.pageNulls = l.defs[:0], l.reps[:0], l.idx[:0], l.plain[:0], 0
	return nil
}

// appendLevels appends v1 data page levels: a 4-byte length, then the hybrid
// encoding.
func appendLevels(b, levels []byte, maxLevel byte) []byte {
	at := len(b)
	b = append(b, 0, 0, 0, 0)
	b = appendHybrid(b, levels, bits.Len8(maxLevel))
	binary.LittleEndian.PutUint32(b[at:], uint32(len(b)-at-4))
	return b
}

func (w *pqWriter) flushRowGroup() error {
	if err := w.flushPages(); err != nil {
		return err
	}
	if w.rgRowCount == 0 {
		return nil
	}
	rg := format.RowGroup{NumRows: w.rgRowCount, FileOffset: w.out.n}
	for _, l := range w.leaves {
		cc, err := w.writeChunk(l)
		if err != nil {
			return err
		}
		rg.Columns = append(rg.Columns, cc)
		rg.TotalByteSize += cc.MetaData.TotalUncompressedSize
		rg.TotalCompressedSize += cc.MetaData.TotalCompressedSize
	}
	rg.Ordinal = int16(len(w.rowGroups))
	w.rowGroups = append(w.rowGroups, rg)
	w.rgRowCount = 0
	return w.out.err
}

func (w *pqWriter) writeChunk(l *pqLeaf) (format.ColumnChunk, error) {
	start := w.out.n
	md := format.ColumnMetaData{
		Type:         l.phys,
		PathInSchema: l.path,
		Codec:        format.Snappy,
		NumValues:    l.numValues,
		Statistics:   format.Statistics{NullCount: l.nullCount},
	}
	encs := []format.Encoding{format.RLE}
	if l.usedPlain {
		encs = append(encs, format.Plain)
	}
	uncompressed := l.uncompressedSize
	if len(l.keys) > 0 {
		md.DictionaryPageOffset = w.out.n
		b := w.body[:0]
		for _, k := range l.keys {
			b = l.render(b, k)
		}
		w.body = b
		w.scratch = s2.EncodeSnappy(w.scratch[:cap(w.scratch)], b)
		hdr := format.PageHeader{
			Type:                 format.DictionaryPage,
			UncompressedPageSize: int32(len(b)),
			CompressedPageSize:   int32(len(w.scratch)),
			DictionaryPageHeader: thrift.New(format.DictionaryPageHeader{NumValues: int32(len(l.keys)), Encoding: format.Plain}),
		}
		h, err := thrift.Marshal(&w.proto, &hdr)
		if err != nil {
			return format.ColumnChunk{}, fmt.Errorf("parquet dictionary header: %w", err)
		}
		w.out.Write(h)
		w.out.Write(w.scratch)
		uncompressed += int64(len(h) + len(b))
		if !l.usedPlain {
			encs = append(encs, format.Plain)
		}
		encs = append(encs, format.RLEDictionary)
	}
	md.DataPageOffset = w.out.n
	w.out.Write(l.pages)
	md.Encoding = encs
	md.TotalUncompressedSize = uncompressed
	md.TotalCompressedSize = w.out.n - start
	l.reset()
	return format.ColumnChunk{FileOffset: start, MetaData: md}, nil
}

func (l *pqLeaf) reset() {
	for _, k := range l.keys {
		if k < directKeyLimit {
			l.direct[k] = 0
		}
	}
	clear(l.big)
	l.keys = l.keys[:0]
	l.lastKey, l.lastIdx = 0, 0
	l.pages = l.pages[:0]
	l.numValues, l.nullCount, l.uncompressedSize = 0, 0, 0
	l.usedPlain, l.usedDict = false, false
}

// close flushes the last row group and writes the footer.
func (w *pqWriter) close() error {
	if err := w.flushRowGroup(); err != nil {
		return err
	}
	md := format.FileMetaData{
		Version:   1,
		Schema:    w.schema(),
		NumRows:   w.rows,
		RowGroups: w.rowGroups,
		CreatedBy: "tally synth",
	}
	footer, err := thrift.Marshal(&w.proto, &md)
	if err != nil {
		return fmt.Errorf("parquet footer: %w", err)
	}
	w.out.Write(footer)
	w.out.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(footer))))
	w.out.Write([]byte("PAR1"))
	return w.out.err
}

func (w *pqWriter) schema() []format.SchemaElement {
	opt := thrift.New(format.Optional)
	str := func(name string, rep format.FieldRepetitionType) format.SchemaElement {
		return format.SchemaElement{Type: thrift.New(format.ByteArray), RepetitionType: thrift.New(rep), Name: name,
			ConvertedType: thrift.New(deprecated.UTF8), LogicalType: format.LogicalType{Value: &format.StringType{}}}
	}
	s := []format.SchemaElement{{Name: "schema", NumChildren: thrift.New(int32(len(w.fields)))}}
	for _, f := range w.fields {
		switch f.typ {
		case pqString, pqPlainString:
			s = append(s, str(f.name, format.Optional))
		case pqTimestamp:
			s = append(s, format.SchemaElement{Type: thrift.New(format.Int64), RepetitionType: opt, Name: f.name,
				ConvertedType: thrift.New(deprecated.TimestampMillis),
				LogicalType: format.LogicalType{Value: &format.TimestampType{IsAdjustedToUTC: true,
					Unit: format.TimeUnit{Value: &format.MilliSeconds{}}}}})
		case pqDouble:
			s = append(s, format.SchemaElement{Type: thrift.New(format.Double), RepetitionType: opt, Name: f.name})
		case pqMapString, pqMapDouble:
			s = append(s,
				format.SchemaElement{RepetitionType: opt, Name: f.name, NumChildren: thrift.New(int32(1)),
					ConvertedType: thrift.New(deprecated.Map), LogicalType: format.LogicalType{Value: &format.MapType{}}},
				format.SchemaElement{RepetitionType: thrift.New(format.Repeated), Name: "key_value", NumChildren: thrift.New(int32(2))},
				str("key", format.Required))
			if f.typ == pqMapString {
				s = append(s, str("value", format.Optional))
			} else {
				s = append(s, format.SchemaElement{Type: thrift.New(format.Double), RepetitionType: opt, Name: "value"})
			}
		}
	}
	return s
}
