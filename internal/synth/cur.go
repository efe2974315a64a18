package synth

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Legacy CUR text layouts: dates carry milliseconds, the time interval
// does not.
const (
	curDateLayout     = "2006-01-02T15:04:05.000Z"
	intervalLayout    = "2006-01-02T15:04:05Z"
	curManifestLayout = "20060102T150405.000Z"
)

// curSink writes one billing period of a legacy Cost and Usage Report as
// gzip-compressed CSV in the layout AWS delivers:
//
//	<report>/<yyyymmdd>-<yyyymmdd>/<assemblyId>/<report>-1.csv.gz
//	<report>/<yyyymmdd>-<yyyymmdd>/<assemblyId>/<report>-Manifest.json
//	<report>/<yyyymmdd>-<yyyymmdd>/<report>-Manifest.json
//
// The manifest at the period's top names the current assembly; it is
// written last.
type curSink struct {
	o        *org
	m        *monthPlan
	out      outFiles
	rows     *csvRows
	files    *csvFiles
	manCols  []manifestColumn
	folder   string // <report>/<yyyymmdd>-<yyyymmdd>
	assembly string
	row      uint64
	id       []byte
	buf      []byte
}

func (o *org) newCURSink(m *monthPlan) (sink, error) {
	s := &curSink{o: o, m: m, out: outFiles{root: o.cfg.Out}, id: make([]byte, 52),
		assembly: uuidOf(hash2(m.seed, 0xc0a1)),
		folder:   o.cfg.ExportName + "/" + unixUTC(m.start).Format("20060102") + "-" + unixUTC(m.end).Format("20060102")}
	cols, man := o.curColumns(s)
	s.rows, s.manCols = newCSVRows(cols), man
	s.files = &csvFiles{out: &s.out, header: s.rows.header(nil), rowsPerFile: o.cfg.RowsPerFile,
		name: func(n int) string {
			return fmt.Sprintf("%s/%s/%s-%d.csv.gz", s.folder, s.assembly, o.cfg.ExportName, n)
		}}
	if err := os.RemoveAll(filepath.Join(o.cfg.Out, filepath.FromSlash(s.folder))); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *curSink) write(l *line) (int, error) {
	s.buf = s.rows.appendRow(s.buf[:0], l)
	s.row++
	return 1, s.files.write(s.buf)
}

func (s *curSink) close() ([]string, int64, error) {
	if err := s.files.finish(); err != nil {
		return nil, 0, err
	}
	man, err := s.manifest()
	if err != nil {
		return nil, 0, err
	}
	name := s.o.cfg.ExportName + "-Manifest.json"
	if err := s.out.writeAtomic(s.folder+"/"+s.assembly+"/"+name, man); err != nil {
		return nil, 0, err
	}
	if err := s.out.writeAtomic(s.folder+"/"+name, man); err != nil {
		return nil, 0, err
	}
	return s.out.rel, s.out.bytes, nil
}

func (s *curSink) abort() {
	s.files.abort()
	s.out.abort()
}

// curManifest is the <report>-Manifest.json of a legacy CUR delivery.
type curManifest struct {
	AssemblyID             string           `json:"assemblyId"`
	Account                string           `json:"account"`
	Columns                []manifestColumn `json:"columns"`
	Charset                string           `json:"charset"`
	Compression            string           `json:"compression"`
	ContentType            string           `json:"contentType"`
	ReportID               string           `json:"reportId"`
	ReportName             string           `json:"reportName"`
	BillingPeriod          manifestPeriod   `json:"billingPeriod"`
	Bucket                 string           `json:"bucket"`
	ReportKeys             []string         `json:"reportKeys"`
	AdditionalArtifactKeys []any            `json:"additionalArtifactKeys"`
}

func (s *curSink) manifest() ([]byte, error) {
	o := s.o
	man := curManifest{
		AssemblyID:  s.assembly,
		Account:     o.payer.idStr,
		Columns:     s.manCols,
		Charset:     "UTF-8",
		Compression: "GZIP",
		ContentType: "text/csv",
		ReportID:    hexDigits(hash2(uint64(o.cfg.Seed), hashString(o.cfg.ExportName)), 64),
		ReportName:  o.cfg.ExportName,
		BillingPeriod: manifestPeriod{
			Start: unixUTC(s.m.start).Format(curManifestLayout),
			End:   unixUTC(s.m.end).Format(curManifestLayout),
		},
		Bucket:                 o.cfg.Bucket,
		ReportKeys:             s.files.data,
		AdditionalArtifactKeys: []any{},
	}
	return json.MarshalIndent(man, "", "  ")
}

// curColumns returns the legacy CUR columns: the CUR 2.0 columns a legacy
// report also has, under their legacy names, with every product attribute
// as a product/<attr> column and one column per activated tag key and cost
// category, in the order AWS writes them.
func (o *org) curColumns(s *curSink) ([]csvCol, []manifestColumn) {
	dates := &hourTexts{base: s.m.start, layout: curDateLayout}
	instants := &hourTexts{base: s.m.start, layout: intervalLayout}
	type col struct {
		cat, name, typ string
		csvCol
	}
	var cols []col
	add := func(cat, name, typ string, c csvCol) {
		c.name = cat + "/" + name
		cols = append(cols, col{cat, name, typ, c})
	}
	skip := map[string]bool{"bill_payer_account_name": true, "line_item_usage_account_name": true, "discount_bundled_discount": true}
	for _, c := range o.cur2Columns(s.m) {
		if skip[c.name] || c.legacy == "" && c.kind != kID && c.kind != kInterval {
			continue
		}
		if c.cat == "product" {
			continue // re-added below from every attribute
		}
		c := c
		null := func(l *line) bool { return c.sec == secRI && l.ri == nil || c.sec == secSP && l.sp == nil }
		switch c.kind {
		case kStr:
			add(c.cat, c.legacy, "OptionalString", csvCol{text: func(dst []byte, l *line) []byte {
				if null(l) {
					return dst
				}
				return append(dst, o.syms.str(c.str(l))...)
			}})
		case kTime:
			tc := csvCol{value: func(dst []byte, l *line) []byte { return dates.appendTime(dst, c.tm(l)) }}
			if !c.dyn {
				tc = csvCol{text: tc.value}
			}
			add(c.cat, c.legacy, "DateTime", tc)
		case kDbl:
			add(c.cat, c.legacy, "OptionalBigDecimal", csvCol{
				value: func(dst []byte, l *line) []byte { v, _ := c.dbl(l); return appendFloat(dst, v) },
				present: func(l *line) bool {
					if null(l) {
						return false
					}
					_, ok := c.dbl(l)
					return ok
				}})
		case kID:
			add("identity", "LineItemId", "String", csvCol{value: func(dst []byte, l *line) []byte {
				lineID(s.id, s.m.seed, s.row)
				return append(dst, s.id...)
			}})
		case kInterval:
			add("identity", "TimeInterval", "Interval", csvCol{value: func(dst []byte, l *line) []byte {
				dst = instants.appendTime(dst, l.start)
				dst = append(dst, '/')
				return instants.appendTime(dst, l.end)
			}})
		}
	}
	for a, pa := range productAttrs {
		add("product", pa.legacy, "OptionalString", csvCol{text: func(dst []byte, l *line) []byte {
			return append(dst, o.syms.str(l.sku.attr[a])...)
		}})
	}
	add("discount", "EdpDiscount", "OptionalBigDecimal", csvCol{
		value:   func(dst []byte, l *line) []byte { return appendFloat(dst, l.discount) },
		present: discounted})
	for k, tk := range tagKeys {
		add("resourceTags", tk.legacy, "OptionalString", csvCol{text: func(dst []byte, l *line) []byte {
			if l.res == nil {
				return dst
			}
			return append(dst, o.syms.str(l.res.tags[k])...)
		}})
	}
	add("costCategory", o.syms.str(o.costCategoryName), "OptionalString", csvCol{text: func(dst []byte, l *line) []byte {
		return append(dst, o.syms.str(l.acct.unit)...)
	}})
	sort.SliceStable(cols, func(i, j int) bool {
		a, b := cols[i], cols[j]
		if ca, cb := curCategoryRank(a.cat), curCategoryRank(b.cat); ca != cb {
			return ca < cb
		}
		if ra, rb := curNameRank(a.cat, a.name), curNameRank(b.cat, b.name); ra != rb {
			return ra < rb
		}
		return a.name < b.name
	})
	var out []csvCol
	var man []manifestColumn
	for _, c := range cols {
		out = append(out, c.csvCol)
		man = append(man, manifestColumn{Category: c.cat, Name: c.name, Type: c.typ})
	}
	return out, man
}

var curCategories = []string{"identity", "bill", "lineItem", "product", "pricing", "reservation", "savingsPlan",
	"discount", "resourceTags", "costCategory"}

func curCategoryRank(cat string) int {
	for i, c := range curCategories {
		if c == cat {
			return i
		}
	}
	return len(curCategories)
}

// curLeading fixes the order AWS uses for the first columns of some
// categories; the rest of a category follows in byte order.
var curLeading = map[string][]string{
	"identity": {"LineItemId", "TimeInterval"},
	"bill": {"InvoiceId", "InvoicingEntity", "BillingEntity", "BillType", "PayerAccountId", "BillingPeriodStartDate",
		"BillingPeriodEndDate"},
	"lineItem": {"UsageAccountId", "LineItemType", "UsageStartDate", "UsageEndDate", "ProductCode", "UsageType",
		"Operation", "AvailabilityZone", "ResourceId", "UsageAmount", "NormalizationFactor", "NormalizedUsageAmount",
		"CurrencyCode", "UnblendedRate", "UnblendedCost", "BlendedRate", "BlendedCost", "LineItemDescription", "TaxType",
		"LegalEntity", "NetUnblendedRate", "NetUnblendedCost"},
	"product": {"ProductName"},
	"savingsPlan": {"TotalCommitmentToDate", "SavingsPlanARN", "SavingsPlanRate", "UsedCommitment",
		"SavingsPlanEffectiveCost", "AmortizedUpfrontCommitmentForBillingPeriod", "RecurringCommitmentForBillingPeriod"},
}

func curNameRank(cat, name string) int {
	lead := curLeading[cat]
	for i, n := range lead {
		if n == name {
			return i
		}
	}
	return len(lead)
}
