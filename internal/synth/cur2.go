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

	f       *os.File
	bw      *bufio.Writer
	w       *pqWriter
	inFile  int64
	row     uint64
	data    []string // relative data file paths
	id      []byte
	secSkip [3]int // first column index of each section, and its length
	secLen  [3]int
}

func (o *org) newCUR2Sink(m *monthPlan) (sink, error) {
	s := &cur2Sink{o: o, m: m, cols: o.cur2Columns(m), out: outFiles{root: o.cfg.Out}, period: o.periodName(m), id: make([]byte, 52)}
	for i, c := range s.cols {
		f := pqField{name: c.name, render: o.syms.renderPlain}
		switch c.kind {
		case kStr:
			f.typ = pqString
		case kTime:
			f.typ, f.render = pqTimestamp, renderMillis
		case kDbl:
			f.typ = pqDouble
		case kID:
			f.typ = pqPlainString
		case kInterval:
			f.typ, f.render = pqString, renderInterval
		case kProduct, kTags, kCostCat:
			f.typ = pqMapString
		case kDiscount:
			f.typ = pqMapDouble
		}
		s.fields = append(s.fields, f)
		if c.sec != secAlways {
			if s.secLen[c.sec] == 0 {
				s.secSkip[c.sec] = i
			}
			s.secLen[c.sec]++
		}
	}
	if err := os.RemoveAll(s.dataDir()); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *cur2Sink) dataDir() string {
	return s.o.cfg.Out + "/" + s.o.cfg.ExportName + "/data/BILLING_PERIOD=" + s.period
}

// renderMillis renders a timestamp key (unix seconds + 1) as PLAIN INT64
// milliseconds.
func renderMillis(dst []byte, key uint64) []byte {
	return binary.LittleEndian.AppendUint64(dst, uint64((int64(key)-1)*1000))
}

// intervalKey packs a usage interval into a dictionary key.
func intervalKey(start, end int64) uint64 {
	return uint64(start/3600)<<24 | uint64((end-start)/3600) + 1
}

func renderInterval(dst []byte, key uint64) []byte {
	key--
	start := int64(key>>24) * 3600
	end := start + int64(key&(1<<24-1))*3600
	var b [48]byte
	v := unixUTC(start).AppendFormat(b[:0], "2006-01-02T15:04:05Z")
	v = append(v, '/')
	v = unixUTC(end).AppendFormat(v, "2006-01-02T15:04:05Z")
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(v)))
	return append(dst, v...)
}

// lineID fills dst with the 52-character identity_line_item_id of the n-th
// line of a period.
func lineID(dst []byte, seed, n uint64) {
	h := hash2(seed, n)
	for i := range dst {
		if i%12 == 0 {
			h = mix(h + uint64(i))
		}
		dst[i] = b32[h&31]
		h >>= 5
	}
}

func (s *cur2Sink) open() error {
	rel := fmt.Sprintf("%s/data/BILLING_PERIOD=%s/%s-%05d.snappy.parquet", s.o.cfg.ExportName, s.period, s.o.cfg.ExportName, len(s.data)+1)
	f, err := s.out.create(rel)
	if err != nil {
		return err
	}
	s.f, s.bw, s.inFile = f, bufio.NewWriterSize(f, 1<<20), 0
	s.w = newPQWriter(s.bw, s.fields, pageRows, rowGroupRows)
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
	s.w = nil
	return err
}

func (s *cur2Sink) write(l *line) error {
	if s.w == nil || s.inFile >= s.o.cfg.RowsPerFile {
		if err := s.closeFile(); err != nil {
			return err
		}
		if err := s.open(); err != nil {
			return err
		}
	}
	w := s.w
	for i := 0; i < len(s.cols); i++ {
		c := &s.cols[i]
		if c.sec == secRI && l.ri == nil || c.sec == secSP && l.sp == nil {
			w.nulls(i, s.secLen[c.sec])
			i += s.secLen[c.sec] - 1
			continue
		}
		switch c.kind {
		case kStr:
			w.str(i, uint64(c.str(l)))
		case kTime:
			w.str(i, uint64(c.tm(l))+1)
		case kDbl:
			v, ok := c.dbl(l)
			w.double(i, v, ok)
		case kID:
			lineID(s.id, s.m.seed, s.row)
			w.bytes(i, s.id)
		case kInterval:
			w.str(i, intervalKey(l.start, l.end))
		case kProduct:
			w.mapStrings(i, l.sku.product)
		case kTags:
			if l.res != nil {
				w.mapStrings(i, l.res.tagKV)
			} else {
				w.mapStrings(i, nil)
			}
		case kCostCat:
			w.mapStrings(i, s.o.costCategory(l.acct))
		case kDiscount:
			if l.typ == ltEdpDiscount {
				w.mapDouble(i, uint64(s.o.edpKey), l.discount)
			} else {
				w.mapDouble(i, 0, 0)
			}
		}
	}
	s.row++
	s.inFile++
	return w.endRow()
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
	case kProduct, kTags, kCostCat:
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
func (o *org) costCategory(a *account) []kvKey { return o.costCats[o.acctIndex(a)] }
