package synth

import (
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/klauspost/compress/s2"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// dictWidth is the bit width of a leaf's dictionary indexes.
func (l *pqLeaf) dictWidth() int { return max(1, bits.Len32(uint32(len(l.keys)-1))) }

// encodeField encodes the current page of one field's leaves.
func (w *pqWriter) encodeField(f int) error {
	fd := &w.fields[f]
	l := w.leaves[w.first[f]]
	defs, idx := &w.enc[1], &w.enc[2]
	rows := int(w.pageRowCount)
	switch {
	case fd.typ == pqMapString:
		return w.encodeMap(f)
	case fd.typ == pqMapDouble:
		return w.encodeMapDouble(f)
	case fd.typ == pqDouble:
		defs.reset(1)
		nulls := 0
		for _, r := range w.runs {
			p := w.slotOf(r.tpl, f)
			defs.run(p, int(r.n))
			if p == 0 {
				nulls += int(r.n)
			}
		}
		return w.writePage(l, nil, defs.finish(), format.Plain, l.plain, rows, nulls)
	case fd.static:
		defs.reset(1)
		idx.reset(l.dictWidth())
		nulls := 0
		for _, r := range w.runs {
			v := w.slotOf(r.tpl, f)
			if v == nullIdx {
				defs.run(0, int(r.n))
				nulls += int(r.n)
				continue
			}
			defs.run(1, int(r.n))
			idx.run(v, int(r.n))
		}
		return w.writeDictPage(l, nil, defs.finish(), idx, rows, nulls)
	}
	// Dynamic leaves.
	defs.reset(1)
	nulls := 0
	for _, d := range l.defs {
		if d == 0 {
			nulls++
		}
	}
	if nulls == 0 {
		defs.run(1, len(l.defs))
	} else {
		for _, d := range l.defs {
			defs.run(uint32(d), 1)
		}
	}
	if !l.dict {
		return w.writePage(l, nil, defs.finish(), format.Plain, l.plain, rows, nulls)
	}
	idx.reset(l.dictWidth())
	idx.values(l.idx)
	return w.writeDictPage(l, nil, defs.finish(), idx, rows, nulls)
}

// encodeMap encodes a MAP<STRING,STRING> field: its key and value leaves.
// Both share the repetition levels.
func (w *pqWriter) encodeMap(f int) error {
	kl, vl := w.leaves[w.first[f]], w.leaves[w.first[f]+1]
	reps, defs, idx := &w.enc[0], &w.enc[1], &w.enc[2]
	reps.reset(1)
	defs.reset(2)
	idx.reset(kl.dictWidth())
	entries, nulls := 0, 0
	for _, r := range w.runs {
		e := w.slotOf(r.tpl, f)
		k, n := int(w.tplData[e]), int(r.n)
		if k == 0 {
			reps.run(0, n)
			defs.run(0, n)
			entries, nulls = entries+n, nulls+n
			continue
		}
		reps.pattern(w.repPattern(k), n)
		defs.run(2, n*k)
		idx.pattern(w.tplData[e+1:e+1+uint32(k)], n)
		entries += n * k
	}
	w.repBuf = append(w.repBuf[:0], reps.finish()...)
	if err := w.writeDictPage(kl, w.repBuf, defs.finish(), idx, entries, nulls); err != nil {
		return err
	}
	defs.reset(2)
	idx.reset(vl.dictWidth())
	nulls = 0
	for _, r := range w.runs {
		e := w.slotOf(r.tpl, f)
		k, n := int(w.tplData[e]), int(r.n)
		if k == 0 {
			defs.run(0, n)
			nulls += n
			continue
		}
		vals := w.tplData[e+1+uint32(k) : e+1+2*uint32(k)]
		w.pat, w.defPat = w.pat[:0], w.defPat[:0]
		for _, v := range vals {
			if v == nullIdx {
				w.defPat = append(w.defPat, 2)
			} else {
				w.pat = append(w.pat, v)
				w.defPat = append(w.defPat, 3)
			}
		}
		defs.pattern(w.defPat, n)
		nulls += n * (k - len(w.pat))
		idx.pattern(w.pat, n)
	}
	return w.writeDictPage(vl, w.repBuf, defs.finish(), idx, entries, nulls)
}

// encodeMapDouble encodes a MAP<STRING,DOUBLE> field of at most one entry.
func (w *pqWriter) encodeMapDouble(f int) error {
	kl, vl := w.leaves[w.first[f]], w.leaves[w.first[f]+1]
	reps, defs, idx := &w.enc[0], &w.enc[1], &w.enc[2]
	rows := int(w.pageRowCount)
	reps.reset(1)
	reps.run(0, rows)
	w.repBuf = append(w.repBuf[:0], reps.finish()...)
	defs.reset(2)
	idx.reset(kl.dictWidth())
	nulls := 0
	for _, r := range w.runs {
		v := w.slotOf(r.tpl, f)
		if v == nullIdx {
			defs.run(0, int(r.n))
			nulls += int(r.n)
			continue
		}
		defs.run(2, int(r.n))
		idx.run(v, int(r.n))
	}
	if err := w.writeDictPage(kl, w.repBuf, defs.finish(), idx, rows, nulls); err != nil {
		return err
	}
	defs.reset(2)
	for _, r := range w.runs {
		if w.slotOf(r.tpl, f) == nullIdx {
			defs.run(0, int(r.n))
		} else {
			defs.run(3, int(r.n))
		}
	}
	return w.writePage(vl, w.repBuf, defs.finish(), format.Plain, vl.plain, rows, nulls)
}

// repPattern returns the repetition levels of one k-entry map.
func (w *pqWriter) repPattern(k int) []uint32 {
	for len(w.repPat) <= k {
		p := make([]uint32, len(w.repPat))
		for i := 1; i < len(p); i++ {
			p[i] = 1
		}
		w.repPat = append(w.repPat, p)
	}
	return w.repPat[k]
}

// writeDictPage writes a page of dictionary indexes, or an empty PLAIN page
// when every value is null.
func (w *pqWriter) writeDictPage(l *pqLeaf, reps, defs []byte, idx *hybridEnc, n, nulls int) error {
	if n == nulls {
		return w.writePage(l, reps, defs, format.Plain, nil, n, nulls)
	}
	b := append(w.body[:0], byte(idx.bw))
	w.body = append(b, idx.finish()...)
	return w.writePage(l, reps, defs, format.RLEDictionary, w.body, n, nulls)
}

// writePage compresses one v1 data page and appends it to the leaf's
// column chunk.
func (w *pqWriter) writePage(l *pqLeaf, reps, defs []byte, enc format.Encoding, values []byte, n, nulls int) error {
	page := w.page[:0]
	if l.maxRep > 0 {
		page = binary.LittleEndian.AppendUint32(page, uint32(len(reps)))
		page = append(page, reps...)
	}
	page = binary.LittleEndian.AppendUint32(page, uint32(len(defs)))
	page = append(page, defs...)
	page = append(page, values...)
	w.page = page
	comp := s2.EncodeSnappy(w.comp[:cap(w.comp)], page)
	w.comp = comp
	hdr := format.PageHeader{
		Type:                 format.DataPage,
		UncompressedPageSize: int32(len(page)),
		CompressedPageSize:   int32(len(comp)),
		DataPageHeader: thrift.New(format.DataPageHeader{
			NumValues:               int32(n),
			Encoding:                enc,
			DefinitionLevelEncoding: format.RLE,
			RepetitionLevelEncoding: format.RLE,
			Statistics:              format.Statistics{NullCount: int64(nulls)},
		}),
	}
	h, err := thrift.Marshal(&w.proto, &hdr)
	if err != nil {
		return fmt.Errorf("parquet page header: %w", err)
	}
	l.pages = append(l.pages, h...)
	l.pages = append(l.pages, comp...)
	l.uncompressedSize += int64(len(h) + len(page))
	l.numValues += int64(n)
	l.nullCount += int64(nulls)
	if enc != format.RLEDictionary {
		l.usedPlain = true
	}
	l.defs, l.idx, l.plain = l.defs[:0], l.idx[:0], l.plain[:0]
	return nil
}
