package synth

import (
	"encoding/binary"
	"io"
	"math"

	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// pqWriter is a streaming Parquet writer for the generator's fixed schemas,
// built for speed. Most columns of a billing line are the same for every
// line of one shape (one resource's usage, say), so a row names a template
// that carries those columns already resolved to dictionary indexes, and a
// page encodes them from runs of templates rather than value by value. Only
// dates, money, quantities and line ids are written per row.
//
// Columns are optional, dictionary-encoded or PLAIN, Snappy-compressed,
// one data page per column every pageRows rows. Templates live for one row
// group, because dictionaries do: generation changes when they are dropped.
type pqWriter struct {
	out    *countingWriter
	fields []pqField
	leaves []*pqLeaf
	first  []int // index of each field's first leaf
	slot   []int // each static field's slot in a template, -1 for dynamic fields
	nSlots int

	pageRows, rgRows, maxTemplates int

	// Templates of the current row group: template t's slots start at
	// tplData[tplBase[t]]; a map field's slot holds the offset of its
	// entries (count, key indexes, value indexes). Null is nullIdx.
	tplBase []uint32
	tplData []uint32
	gen     uint32

	runs                           []tplRun // templates of the current page's rows
	rows, pageRowCount, rgRowCount int64
	rowGroups                      []format.RowGroup

	body, page, comp, repBuf []byte
	enc                      [3]hybridEnc // repetition levels, definition levels, indexes
	pat, defPat              []uint32
	repPat                   [][]uint32 // repPat[k]: repetition levels of a k-entry map
	proto                    thrift.CompactProtocol
}

// nullIdx marks a null value in template data.
const nullIdx = ^uint32(0)

// tplRun is n consecutive rows with one template.
type tplRun struct{ tpl, n int32 }

// pqType is the logical type of a top-level column.
type pqType uint8

const (
	pqString      pqType = iota // dictionary-encoded UTF-8 string
	pqPlainString               // PLAIN UTF-8 string (values that never repeat)
	pqTimestamp                 // dictionary-encoded INT64 TIMESTAMP(MILLIS, UTC)
	pqDouble                    // PLAIN DOUBLE
	pqMapString                 // MAP<STRING, STRING>
	pqMapDouble                 // MAP<STRING, DOUBLE> with at most one entry
)

// pqField describes one top-level column. A static field takes its value
// from the row's template: its dictionary key, for a double whether it is
// present (the value is written per row), for a map its entries. Dynamic
// fields (string, timestamp, plain string) are written per row. Doubles and
// maps are always static. render appends the PLAIN encoding of a dictionary
// key's value.
type pqField struct {
	name   string
	typ    pqType
	static bool
	render func(dst []byte, key uint64) []byte
}

type pqLeaf struct {
	path           []string
	phys           format.Type
	maxDef, maxRep byte
	dict           bool
	render         func(dst []byte, key uint64) []byte

	// Per-row values of dynamic leaves and PLAIN values of doubles.
	defs  []byte
	idx   []uint32
	plain []byte

	// Dictionary of the current row group: keys in index order, a direct
	// table for the small keys of dynamic leaves (looked up every row) and
	// a map for the rest (static leaves look keys up once per template).
	keys    []uint64
	small   bool
	direct  []uint32 // key -> index+1
	big     map[uint64]uint32
	lastKey uint64
	lastIdx uint32

	pages                []byte
	numValues, nullCount int64
	uncompressedSize     int64
	usedPlain            bool // some page is PLAIN, so the chunk lists that encoding
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
	pw := &pqWriter{out: &countingWriter{w: w}, fields: fields, pageRows: pageRows, rgRows: rowGroupRows,
		maxTemplates: 1 << 15}
	for _, f := range fields {
		pw.first = append(pw.first, len(pw.leaves))
		slot := -1
		if f.static || f.typ == pqDouble || f.typ == pqMapString || f.typ == pqMapDouble {
			slot = pw.nSlots
			pw.nSlots++
		}
		pw.slot = append(pw.slot, slot)
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
	for i, f := range fields {
		if !f.static && f.typ != pqPlainString {
			pw.leaves[pw.first[i]].small = true
		}
	}
	pw.out.Write([]byte("PAR1"))
	return pw
}

// reuse starts a new file on w with the writer's buffers, which keeps a
// run's periods from growing them again. fields must have the same names
// and types as the writer's; their render functions replace the old ones.
func (w *pqWriter) reuse(out io.Writer, fields []pqField) {
	for i, f := range fields {
		for l := w.first[i]; l < len(w.leaves) && (i+1 == len(fields) || l < w.first[i+1]); l++ {
			if w.leaves[l].render != nil {
				w.leaves[l].render = f.render
			}
		}
	}
	w.fields = fields
	w.out = &countingWriter{w: out}
	w.rows, w.pageRowCount, w.rgRowCount = 0, 0, 0
	w.rowGroups = nil
	w.runs, w.tplBase, w.tplData = w.runs[:0], w.tplBase[:0], w.tplData[:0]
	w.gen++
	w.out.Write([]byte("PAR1"))
}

// kvKey is one map entry as dictionary keys; a zero value key is null.
type kvKey struct{ k, v uint64 }

// generation changes whenever the templates are dropped; template ids of an
// older generation must not be used.
func (w *pqWriter) generation() uint32 { return w.gen }

// template registers a template and returns its id. vals is indexed by
// field: the dictionary key of a static string or timestamp (0 is null),
// non-zero for a double that is present, the key of a MAP<STRING,DOUBLE>
// entry (0 for a null map). maps is indexed by field and gives the entries
// of MAP<STRING,STRING> fields (none is a null map).
func (w *pqWriter) template(vals []uint64, maps [][]kvKey) int32 {
	base := len(w.tplData)
	for range w.nSlots {
		w.tplData = append(w.tplData, 0)
	}
	for f, fd := range w.fields {
		s := w.slot[f]
		if s < 0 {
			continue
		}
		l := w.leaves[w.first[f]]
		switch fd.typ {
		case pqString, pqTimestamp, pqMapDouble:
			w.tplData[base+s] = nullIdx
			if vals[f] != 0 {
				w.tplData[base+s] = l.index(vals[f])
			}
		case pqDouble:
			if vals[f] != 0 {
				w.tplData[base+s] = 1
			}
		case pqMapString:
			v := w.leaves[w.first[f]+1]
			w.tplData[base+s] = uint32(len(w.tplData))
			w.tplData = append(w.tplData, uint32(len(maps[f])))
			for _, e := range maps[f] {
				w.tplData = append(w.tplData, l.index(e.k))
			}
			for _, e := range maps[f] {
				i := nullIdx
				if e.v != 0 {
					i = v.index(e.v)
				}
				w.tplData = append(w.tplData, i)
			}
		}
	}
	w.tplBase = append(w.tplBase, uint32(base))
	return int32(len(w.tplBase) - 1)
}

// slotOf returns the template data of a static field for template t.
func (w *pqWriter) slotOf(t int32, field int) uint32 {
	return w.tplData[w.tplBase[t]+uint32(w.slot[field])]
}

// row starts a row whose static fields come from template tpl.
func (w *pqWriter) row(tpl int32) {
	if n := len(w.runs); n > 0 && w.runs[n-1].tpl == tpl {
		w.runs[n-1].n++
		return
	}
	w.runs = append(w.runs, tplRun{tpl, 1})
}

// key writes a dictionary key (0 is null) to a dynamic string or timestamp
// field.
func (w *pqWriter) key(field int, key uint64) {
	l := w.leaves[w.first[field]]
	if key == 0 {
		l.defs = append(l.defs, 0)
		return
	}
	l.defs = append(l.defs, 1)
	l.idx = append(l.idx, l.index(key))
}

// bytes writes a dynamic PLAIN string field; an empty value is null.
func (w *pqWriter) bytes(field int, b []byte) {
	l := w.leaves[w.first[field]]
	if len(b) == 0 {
		l.defs = append(l.defs, 0)
		return
	}
	l.defs = append(l.defs, 1)
	l.plain = binary.LittleEndian.AppendUint32(l.plain, uint32(len(b)))
	l.plain = append(l.plain, b...)
}

// double writes the value of a double field, or of a MAP<STRING,DOUBLE>
// entry, that the row's template says is present.
func (w *pqWriter) double(field int, v float64) {
	l := w.leaves[w.first[field]]
	if w.fields[field].typ == pqMapDouble {
		l = w.leaves[w.first[field]+1]
	}
	l.plain = binary.LittleEndian.AppendUint64(l.plain, math.Float64bits(v))
}

func (l *pqLeaf) index(key uint64) uint32 {
	if key == l.lastKey && len(l.keys) > 0 {
		return l.lastIdx
	}
	var i uint32
	if l.small && key < directKeyLimit {
		if int(key) >= len(l.direct) {
			l.direct = append(l.direct, make([]uint32, int(key)+1-len(l.direct)+len(l.direct)/2)...)
		}
		if d := l.direct[key]; d > 0 {
			i = d - 1
		} else {
			i = uint32(len(l.keys))
			l.keys = append(l.keys, key)
			l.direct[key] = i + 1
		}
	} else {
		var ok bool
		if l.big == nil {
			l.big = make(map[uint64]uint32)
		}
		if i, ok = l.big[key]; !ok {
			i = uint32(len(l.keys))
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
	if w.rgRowCount >= int64(w.rgRows) || len(w.tplBase) >= w.maxTemplates {
		return w.flushRowGroup()
	}
	if w.pageRowCount >= int64(w.pageRows) {
		return w.flushPages()
	}
	return nil
}

func (w *pqWriter) flushPages() error {
	if w.pageRowCount == 0 {
		return nil
	}
	for f := range w.fields {
		if err := w.encodeField(f); err != nil {
			return err
		}
	}
	w.runs = w.runs[:0]
	w.pageRowCount = 0
	return nil
}
