package synth

import (
	"bufio"
	"fmt"
	"os"
	"time"
)

func unixUTC(s int64) time.Time { return time.Unix(s, 0).UTC() }

const (
	pageRows     = 16384
	rowGroupRows = 262144
)

// cur2Sink writes one billing period of a CUR 2.0 export as Snappy Parquet
// in the AWS Data Exports layout:
//
//	<export>/data/BILLING_PERIOD=YYYY-MM/<export>-00001.snappy.parquet
//	<export>/metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json
type cur2Sink struct {
	o      *org
	m      *monthPlan
	cols   []column
	fields []pqField
	out    outFiles
	period string

	f      *os.File
	bw     *bufio.Writer
	w      *pqWriter
	inFile int64
	row    uint64
	data   []string // relative data file paths
	id     []byte

	times  timeCodec
	shapes *shapeCache
	tpls   []cur2Template // by template id of the writer's generation
	dyn    []int          // dynamic columns
	vals   []uint64
	maps   [][]kvKey
}

// cur2Template lists the double columns a template's rows carry.
type cur2Template struct{ dbl []int }

func (o *org) newCUR2Sink(m *monthPlan) (sink, error) {
	s := &cur2Sink{o: o, m: m, cols: o.cur2Columns(m), out: outFiles{root: o.cfg.Out}, period: o.periodName(m),
		id: make([]byte, 52), shapes: newShapeCache(), times: timeCodec{m.start}}
	for i, c := range s.cols {
		f := pqField{name: c.name, static: true, render: o.syms.renderPlain}
		switch c.kind {
		case kStr:
			f.typ = pqString
		case kTime:
			f.typ, f.render, f.static = pqTimestamp, s.times.renderMillis, !c.dyn
		case kDbl:
			f.typ = pqDouble
		case kID:
			f.typ, f.static = pqPlainString, false
		case kInterval:
			f.typ, f.render, f.static = pqString, s.times.renderInterval, false
		case kProduct, kTags, kCostCat, kTagsAll:
			f.typ = pqMapString
		case kDiscount:
			f.typ = pqMapDouble
		}
		if !f.static {
			s.dyn = append(s.dyn, i)
		}
		s.fields = append(s.fields, f)
	}
	s.vals = make([]uint64, len(s.cols))
	s.maps = make([][]kvKey, len(s.cols))
	if err := os.RemoveAll(s.dataDir()); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *cur2Sink) dataDir() string {
	return s.o.cfg.Out + "/" + s.o.cfg.ExportName + "/data/BILLING_PERIOD=" + s.period
}

func (s *cur2Sink) open() error {
	rel := fmt.Sprintf("%s/data/BILLING_PERIOD=%s/%s-%05d.snappy.parquet", s.o.cfg.ExportName, s.period, s.o.cfg.ExportName, len(s.data)+1)
	f, err := s.out.create(rel)
	if err != nil {
		return err
	}
	s.f, s.bw, s.inFile = f, bufio.NewWriterSize(f, 1<<20), 0
	if w, ok := s.o.pqWriters.Get().(*pqWriter); ok {
		w.reuse(s.bw, s.fields)
		s.w = w
	} else {
		s.w = newPQWriter(s.bw, s.fields, pageRows, rowGroupRows)
	}
	s.shapes, s.tpls = newShapeCache(), s.tpls[:0]
	s.data = append(s.data, rel)
	return nil
}

func (s *cur2Sink) closeFile() error {
	if s.w == nil {
		return nil
	}
	err := s.w.close()
	if err == nil {
		err = s.bw.Flush()
	}
	if err == nil {
		var st os.FileInfo
		if st, err = s.f.Stat(); err == nil {
			s.out.bytes += st.Size()
		}
	}
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		s.o.pqWriters.Put(s.w)
	}
	s.w = nil
	return err
}

// template returns the writer's template for a line's shape, registering
// it on first use in the writer's generation.
func (s *cur2Sink) template(l *line) int32 {
	sh := shapeOf(l)
	gen := s.w.generation()
	if id, ok := s.shapes.lookup(sh, gen); ok {
		return id
	}
	var t cur2Template
	for i := range s.cols {
		c := &s.cols[i]
		s.vals[i], s.maps[i] = 0, nil
		if c.sec == secRI && l.ri == nil || c.sec == secSP && l.sp == nil {
			continue
		}
		switch c.kind {
		case kStr:
			s.vals[i] = uint64(c.str(l))
		case kTime:
			if !c.dyn {
				s.vals[i] = s.times.key(c.tm(l))
			}
		case kDbl, kDiscount:
			if _, ok := c.dbl(l); ok {
				s.vals[i] = 1
				if c.kind == kDiscount {
					s.vals[i] = uint64(s.o.edpKey)
				}
				t.dbl = append(t.dbl, i)
			}
		case kProduct:
			s.maps[i] = l.sku.product
		case kTags:
			if l.res != nil {
				s.maps[i] = l.res.tagKV
			}
		case kCostCat:
			s.maps[i] = s.o.costCats[l.acct.idx]
		case kTagsAll:
			s.maps[i] = s.o.allTags(l)
		}
	}
	id := s.w.template(s.vals, s.maps)
	s.tpls = append(s.tpls[:id], t) // ids restart at 0 in a new generation
	s.shapes.add(sh, id)
	return id
}

func (s *cur2Sink) write(l *line) (int, error) {
	if s.w == nil || s.inFile >= s.o.cfg.RowsPerFile {
		if err := s.closeFile(); err != nil {
			return 0, err
		}
		if err := s.open(); err != nil {
			return 0, err
		}
	}
	w := s.w
	tpl := s.template(l)
	w.row(tpl)
	for _, i := range s.tpls[tpl].dbl {
		v, _ := s.cols[i].dbl(l)
		w.double(i, v)
	}
	for _, i := range s.dyn {
		switch c := &s.cols[i]; c.kind {
		case kTime:
			w.key(i, s.times.key(c.tm(l)))
		case kInterval:
			w.key(i, s.times.intervalKey(l.start, l.end))
		case kID:
			lineID(s.id, s.m.seed, s.row)
			w.bytes(i, s.id)
		}
	}
	s.row++
	s.inFile++
	return 1, w.endRow()
}

func (s *cur2Sink) close() ([]string, int64, error) {
	if s.w == nil {
		if err := s.open(); err != nil { // an empty period still gets a file
			return nil, 0, err
		}
	}
	if err := s.closeFile(); err != nil {
		return nil, 0, err
	}
	man, err := s.manifest()
	if err != nil {
		return nil, 0, err
	}
	rel := fmt.Sprintf("%s/metadata/BILLING_PERIOD=%s/%s-Manifest.json", s.o.cfg.ExportName, s.period, s.o.cfg.ExportName)
	if err := s.out.writeAtomic(rel, man); err != nil {
		return nil, 0, err
	}
	return s.out.rel, s.out.bytes, nil
}

func (s *cur2Sink) abort() {
	if s.f != nil {
		s.f.Close()
	}
	s.out.abort()
}
