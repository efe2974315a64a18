package synth

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
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

// timeCodec turns the times of one billing period into small dictionary
// keys: hours since the period's start, plus one. Every time a period's
// lines carry lies inside the period and on the hour.
type timeCodec struct{ base int64 }

func (c timeCodec) key(t int64) uint64 { return uint64((t-c.base)/3600) + 1 }

// renderMillis renders a time key as PLAIN INT64 milliseconds.
func (c timeCodec) renderMillis(dst []byte, key uint64) []byte {
	return binary.LittleEndian.AppendUint64(dst, uint64((c.base+int64(key-1)*3600)*1000))
}

// intervalKey packs a usage interval into a dictionary key: a one-hour
// interval is its start's key, small enough for the writer's direct table;
// a longer one sets bit 22 above the start hour and the length in hours.
func (c timeCodec) intervalKey(start, end int64) uint64 {
	if hours := (end - start) / 3600; hours != 1 {
		return 1<<22 | uint64((start-c.base)/3600)<<10 | uint64(hours)
	}
	return c.key(start)
}

func (c timeCodec) renderInterval(dst []byte, key uint64) []byte {
	start, hours := c.base+int64(key-1)*3600, int64(1)
	if key >= 1<<22 {
		start, hours = c.base+int64(key>>10&(1<<12-1))*3600, int64(key&(1<<10-1))
	}
	var b [48]byte
	v := appendInterval(b[:0], start, start+hours*3600)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(v)))
	return append(dst, v...)
}

// appendInterval appends identity_time_interval text.
func appendInterval(dst []byte, start, end int64) []byte {
	dst = unixUTC(start).AppendFormat(dst, "2006-01-02T15:04:05Z")
	dst = append(dst, '/')
	return unixUTC(end).AppendFormat(dst, "2006-01-02T15:04:05Z")
}

// lineID fills dst (an even length) with the identity_line_item_id of the
// n-th line of a period: base32 digits of one mixed hash per twelve
// characters, rendered two at a time.
func lineID(dst []byte, seed, n uint64) {
	h := hash2(seed, n)
	for i := 0; i < len(dst); i += 12 {
		h = mix(h + uint64(i))
		x := h
		for j := i; j+1 < len(dst) && j < i+12; j += 2 {
			p := &b32Pairs[x&1023]
			dst[j], dst[j+1] = p[0], p[1]
			x >>= 10
		}
	}
}

// b32Pairs renders ten bits as two base32 digits, low bits first.
var b32Pairs = func() (t [1024][2]byte) {
	for i := range t {
		t[i] = [2]byte{b32[i&31], b32[i>>5]}
	}
	return t
}()

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

// dataExportsManifest is the Manifest.json AWS Data Exports writes per
// billing period.
type dataExportsManifest struct {
	ExportARN     string           `json:"exportArn"`
	ExportName    string           `json:"exportName"`
	ExecutionID   string           `json:"executionId"`
	BillingPeriod manifestPeriod   `json:"billingPeriod"`
	DataFiles     []string         `json:"dataFiles"`
	Columns       []manifestColumn `json:"columns"`
}

type manifestPeriod struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

type manifestColumn struct {
	Category string `json:"category,omitempty"`
	Name     string `json:"name"`
	Type     string `json:"type"`
}

func (s *cur2Sink) manifest() ([]byte, error) {
	man := dataExportsManifest{
		ExportARN:   s.o.exportARN(),
		ExportName:  s.o.cfg.ExportName,
		ExecutionID: s.o.executionID(s.m),
		BillingPeriod: manifestPeriod{
			Start: unixUTC(s.m.start).Format("2006-01-02T15:04:05.000Z"),
			End:   unixUTC(s.m.end).Format("2006-01-02T15:04:05.000Z"),
		},
	}
	for _, rel := range s.data {
		man.DataFiles = append(man.DataFiles, "s3://"+s.o.cfg.Bucket+"/"+rel)
	}
	for _, c := range s.cols {
		man.Columns = append(man.Columns, manifestColumn{Name: c.name, Type: cur2Type(c.kind)})
	}
	return json.MarshalIndent(man, "", "  ")
}

func cur2Type(k colKind) string {
	switch k {
	case kTime:
		return "timestamp"
	case kDbl:
		return "double"
	case kProduct, kTags, kCostCat, kTagsAll:
		return "map<string,string>"
	case kDiscount:
		return "map<string,double>"
	}
	return "string"
}

func (o *org) exportARN() string {
	return "arn:aws:bcm-data-exports:us-east-1:" + o.payer.idStr + ":export/" + o.cfg.ExportName + "-" + uuidOf(hash2(uint64(o.cfg.Seed), 11))
}

func (o *org) executionID(m *monthPlan) string {
	return uuidOf(hash2(m.seed, uint64(len(o.resources))))
}

// uuidOf renders a deterministic version-4-shaped UUID.
func uuidOf(h uint64) string {
	a := hexDigits(h, 16) + hexDigits(mix(h), 16)
	return a[:8] + "-" + a[8:12] + "-4" + a[13:16] + "-a" + a[17:20] + "-" + a[20:32]
}

// costCategory is the BusinessUnit cost category of an account.
func (o *org) costCategory(a *account) []kvKey { return o.costCats[a.idx] }

// allTags is the CUR 2.0 tags map of a line: the resource's tags and the
// account's cost category under their legacy names, which keep the
// original keys ("resourceTags/user:Environment").
func (o *org) allTags(l *line) []kvKey {
	if l.res != nil {
		return l.res.allTags
	}
	return o.acctTags[l.acct.idx]
}
