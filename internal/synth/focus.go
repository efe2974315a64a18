package synth

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
)

// focusDateLayout is the FOCUS date/time format.
const focusDateLayout = "2006-01-02T15:04:05Z"

// focusSink writes one billing period of an AWS "FOCUS 1.2 with AWS
// columns" export as gzip-compressed CSV in the Data Exports layout:
//
//	<export>/data/BILLING_PERIOD=YYYY-MM/<export>-00001.csv.gz
//	<export>/metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json
//
// FOCUS has no negation or discount rows: a Savings Plan covered line is
// billed at zero (the commitment fees carry the cost), the EDP discount is
// already in BilledCost (and x_Discounts), and the unused part of a
// commitment fee becomes a separate Usage row with CommitmentDiscountStatus
// Unused.
type focusSink struct {
	o      *org
	m      *monthPlan
	out    outFiles
	rows   *csvRows
	files  *csvFiles
	cols   []string
	period string
	buf    []byte
	extra  line
}

func (o *org) newFOCUSSink(m *monthPlan) (sink, error) {
	s := &focusSink{o: o, m: m, out: outFiles{root: o.cfg.Out}, period: o.periodName(m)}
	cols := o.focusColumns(m)
	for _, c := range cols {
		s.cols = append(s.cols, c.name)
	}
	s.rows = newCSVRows(cols)
	s.files = &csvFiles{out: &s.out, header: s.rows.header(nil), rowsPerFile: o.cfg.RowsPerFile,
		name: func(n int) string {
			return fmt.Sprintf("%s/data/BILLING_PERIOD=%s/%s-%05d.csv.gz", o.cfg.ExportName, s.period, o.cfg.ExportName, n)
		}}
	if err := os.RemoveAll(o.cfg.Out + "/" + o.cfg.ExportName + "/data/BILLING_PERIOD=" + s.period); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *focusSink) write(l *line) (int, error) {
	switch l.typ {
	case ltSPNegation, ltEdpDiscount:
		return 0, nil
	}
	if err := s.row(l); err != nil {
		return 0, err
	}
	if focusUnused(l) <= 0 {
		return 1, nil
	}
	s.extra = *l
	s.extra.part = partUnused
	return 2, s.row(&s.extra)
}

func (s *focusSink) row(l *line) error {
	s.buf = s.rows.appendRow(s.buf[:0], l)
	return s.files.write(s.buf)
}

// focusUnused is the unused commitment of an RIFee (instance hours) or
// SavingsPlanRecurringFee (USD) line, zero for other lines.
func focusUnused(l *line) float64 {
	switch l.typ {
	case ltRIFee:
		return l.riUnusedQuantity
	case ltSPRecurringFee:
		return round10(l.spTotal - l.spUsed)
	}
	return 0
}

func (s *focusSink) close() ([]string, int64, error) {
	if err := s.files.finish(); err != nil {
		return nil, 0, err
	}
	man := dataExportsManifest{
		ExportARN:   s.o.exportARN(),
		ExportName:  s.o.cfg.ExportName,
		ExecutionID: s.o.executionID(s.m),
		BillingPeriod: manifestPeriod{
			Start: unixUTC(s.m.start).Format("2006-01-02T15:04:05.000Z"),
			End:   unixUTC(s.m.end).Format("2006-01-02T15:04:05.000Z"),
		},
	}
	for _, rel := range s.files.data {
		man.DataFiles = append(man.DataFiles, "s3://"+s.o.cfg.Bucket+"/"+rel)
	}
	for _, name := range s.cols {
		man.Columns = append(man.Columns, manifestColumn{Name: name, Type: focusType(name)})
	}
	b, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return nil, 0, err
	}
	rel := fmt.Sprintf("%s/metadata/BILLING_PERIOD=%s/%s-Manifest.json", s.o.cfg.ExportName, s.period, s.o.cfg.ExportName)
	if err := s.out.writeAtomic(rel, b); err != nil {
		return nil, 0, err
	}
	return s.out.rel, s.out.bytes, nil
}

func (s *focusSink) abort() {
	s.files.abort()
	s.out.abort()
}

// focusType is a FOCUS column's type in the Data Exports manifest.
func focusType(name string) string {
	switch {
	case strings.HasSuffix(name, "Cost"), strings.HasSuffix(name, "Price"), strings.HasSuffix(name, "Quantity"):
		return "double"
	case strings.HasPrefix(name, "BillingPeriod"), strings.HasPrefix(name, "ChargePeriod"):
		return "timestamp_milliseconds"
	case name == "Tags", name == "SkuPriceDetails":
		return "map<string,string>"
	case name == "x_Discounts":
		return "map<string,double>"
	}
	return "string"
}

// focusColumns returns the columns of AWS's "FOCUS 1.2 with AWS columns"
// table: the 57 FOCUS 1.2 columns in alphabetical order, then x_Discounts,
// x_Operation and x_ServiceCode; with FormatFOCUS13, focus13Columns too.
func (o *org) focusColumns(m *monthPlan) []csvCol {
	f := &o.fees
	dates := &hourTexts{base: m.start, layout: focusDateLayout}
	text := func(fn func(*line) string) func([]byte, *line) []byte {
		return func(dst []byte, l *line) []byte { return append(dst, fn(l)...) }
	}
	sy := func(fn func(*line) sym) func([]byte, *line) []byte {
		return func(dst []byte, l *line) []byte { return append(dst, o.syms.str(fn(l))...) }
	}
	fixed := func(s string) func([]byte, *line) []byte {
		b := []byte(s)
		return func(dst []byte, _ *line) []byte { return append(dst, b...) }
	}
	num := func(name string, fn func(*line) float64, present func(*line) bool) csvCol {
		return csvCol{name: name, value: func(dst []byte, l *line) []byte { return appendFloat(dst, fn(l)) }, present: present}
	}
	usageSym := func(fn func(*line) sym) func([]byte, *line) []byte {
		return func(dst []byte, l *line) []byte {
			if !focusUsageRow(l) {
				return dst
			}
			return append(dst, o.syms.str(fn(l))...)
		}
	}
	commitment := func(ri, sp string) func([]byte, *line) []byte {
		return func(dst []byte, l *line) []byte {
			switch {
			case l.ri != nil:
				return append(dst, ri...)
			case l.sp != nil:
				return append(dst, sp...)
			}
			return dst
		}
	}
	hasCommitment := func(l *line) bool { return l.ri != nil || l.sp != nil }
	pricedRow := func(l *line) bool { c := focusCategory(l); return c == "Usage" || c == "Purchase" }
	empty := fixed("")
	netRate := usageSym(func(l *line) sym { return l.sku.netRateStr })
	listRate := usageSym(func(l *line) sym { return l.sku.rateStr })
	cols := []csvCol{
		{name: "AvailabilityZone", text: sy(func(l *line) sym { return l.az })},
		num("BilledCost", focusBilled, nil),
		{name: "BillingAccountId", text: fixed(o.payer.idStr)},
		{name: "BillingAccountName", text: fixed(o.payer.nameStr)},
		{name: "BillingAccountType", text: fixed("Billing Account")},
		{name: "BillingCurrency", text: fixed("USD")},
		{name: "BillingPeriodEnd", text: func(dst []byte, _ *line) []byte { return dates.appendTime(dst, m.end) }},
		{name: "BillingPeriodStart", text: func(dst []byte, _ *line) []byte { return dates.appendTime(dst, m.start) }},
		{name: "CapacityReservationId", text: empty},
		{name: "CapacityReservationStatus", text: empty},
		{name: "ChargeCategory", text: text(focusCategory)},
		{name: "ChargeClass", text: text(func(l *line) string {
			if l.typ == ltRefund {
				return "Correction"
			}
			return ""
		})},
		{name: "ChargeDescription", text: sy(func(l *line) sym { return l.desc })},
		{name: "ChargeFrequency", text: text(focusFrequency)},
		{name: "ChargePeriodEnd", value: func(dst []byte, l *line) []byte { return dates.appendTime(dst, l.end) }},
		{name: "ChargePeriodStart", value: func(dst []byte, l *line) []byte { return dates.appendTime(dst, l.start) }},
		{name: "CommitmentDiscountCategory", text: commitment("Usage", "Spend")},
		{name: "CommitmentDiscountId", text: sy(func(l *line) sym {
			switch {
			case l.ri != nil:
				return l.ri.arn
			case l.sp != nil:
				return l.sp.arn
			}
			return 0
		})},
		{name: "CommitmentDiscountName", text: empty},
		num("CommitmentDiscountQuantity", focusCommitmentQuantity, hasCommitment),
		{name: "CommitmentDiscountStatus", text: text(focusStatus)},
		{name: "CommitmentDiscountType", text: commitment("Reserved Instance", "Savings Plan")},
		{name: "CommitmentDiscountUnit", text: commitment("Hours", "USD")},
		num("ConsumedQuantity", func(l *line) float64 { return l.amount }, focusUsageRow),
		{name: "ConsumedUnit", text: usageSym(func(l *line) sym { return l.sku.unit })},
		num("ContractedCost", focusContracted, nil),
		{name: "ContractedUnitPrice", text: netRate},
		num("EffectiveCost", focusEffective, nil),
		{name: "HostProviderName", text: fixed("AWS")},
		{name: "InvoiceId", text: sy(func(*line) sym { return m.invoice })},
		{name: "InvoiceIssuerName", text: sy(func(*line) sym { return f.invoicing })},
		num("ListCost", focusList, nil),
		{name: "ListUnitPrice", text: listRate},
		{name: "PricingCategory", text: text(focusPricingCategory)},
		{name: "PricingCurrency", text: fixed("USD")},
		{name: "PricingCurrencyContractedUnitPrice", text: netRate},
		num("PricingCurrencyEffectiveCost", focusEffective, nil),
		{name: "PricingCurrencyListUnitPrice", text: listRate},
		num("PricingQuantity", focusPricingQuantity, pricedRow),
		{name: "PricingUnit", text: func(dst []byte, l *line) []byte {
			if !pricedRow(l) {
				return dst
			}
			return append(dst, o.syms.str(l.sku.unit)...)
		}},
		{name: "ProviderName", text: fixed("AWS")},
		{name: "PublisherName", text: sy(func(*line) sym { return f.legal })},
		{name: "RegionId", text: sy(func(l *line) sym { return l.sku.attr[paRegionCode] })},
		{name: "RegionName", text: sy(func(l *line) sym { return l.sku.attr[paLocation] })},
		{name: "ResourceId", text: sy(func(l *line) sym {
			if l.res == nil {
				return 0
			}
			return l.res.id
		})},
		{name: "ResourceName", text: empty},
		{name: "ResourceType", text: empty},
		{name: "ServiceCategory", text: text(func(l *line) string { return l.sku.svc.category })},
		{name: "ServiceName", text: text(func(l *line) string { return l.sku.svc.name })},
		{name: "ServiceProviderName", text: sy(func(*line) sym { return f.legal })},
		{name: "ServiceSubcategory", text: text(func(l *line) string { return l.sku.svc.subcategory })},
		{name: "SkuId", text: sy(func(l *line) sym { return l.sku.attr[paSku] })},
		{name: "SkuMeter", text: sy(func(l *line) sym { return l.usageType })},
		{name: "SkuPriceDetails", text: empty},
		{name: "SkuPriceId", text: sy(func(l *line) sym { return l.sku.rateCode })},
		{name: "SubAccountId", text: sy(func(l *line) sym { return l.acct.id })},
		{name: "SubAccountName", text: sy(func(l *line) sym { return l.acct.name })},
		{name: "SubAccountType", text: fixed("Linked Account")},
		{name: "Tags", text: o.focusTags},
		{name: "x_Discounts", value: func(dst []byte, l *line) []byte {
			dst = append(dst, `"{""edp_discount"":`...)
			dst = appendFloat(dst, l.discount)
			return append(dst, `}"`...)
		}, present: func(l *line) bool { return l.part == partMain && discounted(l) }},
		{name: "x_Operation", text: sy(func(l *line) sym { return l.op })},
		{name: "x_ServiceCode", text: sy(func(l *line) sym { return l.sku.code })},
	}
	if o.cfg.Format != FormatFOCUS13 {
		cols = slices.DeleteFunc(cols, func(c csvCol) bool { return focus13Columns[c.name] })
	}
	return cols
}

// focus13Columns are the columns FOCUS 1.3 makes mandatory (FOCUS_Spec,
// specification/datasets/cost_and_usage/columns/hostprovidername.md and
// serviceprovidername.md). The deprecated ProviderName and PublisherName
// stay: 1.3 still requires them. The split cost allocation columns and
// ContractApplied are conditional and have no counterpart in the synthetic
// organisation.
var focus13Columns = map[string]bool{"HostProviderName": true, "ServiceProviderName": true}

// focusTags renders the Tags column: user tags under their own keys, AWS
// tags with their aws: prefix and cost categories as costCategory/<name>.
func (o *org) focusTags(dst []byte, l *line) []byte {
	start := len(dst)
	dst = append(dst, '{')
	add := func(k, v string) {
		if len(dst) > start+1 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, k)
		dst = append(dst, ':')
		dst = appendJSONString(dst, v)
	}
	if l.res != nil {
		for k, tk := range tagKeys {
			if v := l.res.tags[k]; v != 0 {
				add(tk.focus, o.syms.str(v))
			}
		}
	}
	add("costCategory/"+o.syms.str(o.costCategoryName), o.syms.str(l.acct.unit))
	return append(dst, '}')
}

// appendJSONString appends s as a JSON string.
func appendJSONString(dst []byte, s string) []byte {
	b, _ := json.Marshal(s)
	return append(dst, b...)
}
