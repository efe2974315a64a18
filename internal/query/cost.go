package query

import (
	"fmt"
	"math/big"
	"time"

	"github.com/tallyhq/tally/internal/billing"
)

// Granularity is the width of a Cost Explorer time bucket.
type Granularity string

// The granularities of GetCostAndUsage.
const (
	Daily   Granularity = "DAILY"
	Monthly Granularity = "MONTHLY"
	Hourly  Granularity = "HOURLY"
)

// GroupKey is one GroupBy entry: a dimension, a tag key or a cost category.
type GroupKey struct {
	Kind Kind
	Key  string
}

// Scope limits what an account may see. The zero Scope sees everything (the
// management view); otherwise a line is visible when Account is its payer or
// its usage account, as in AWS Organizations.
type Scope struct {
	Account string
}

// Aggregate asks a store for metric sums over a period, cut into buckets and
// groups. Stores return one Row per non-empty (bucket, group keys) pair.
type Aggregate struct {
	Period      billing.Period
	Granularity Granularity
	Metrics     []billing.Metric
	GroupBy     []GroupKey
	Filter      Expr // nil: no filter
	Scope       Scope
	// Categories are the defined cost categories that COST_CATEGORY
	// groups and filters read; other names read the billing data's.
	Categories Categories
}

// Row is one aggregated cell: the metric values of one group in one bucket.
type Row struct {
	Bucket time.Time // start of the bucket (clipped to the period start)
	// Keys holds one raw value per GroupBy entry: a dimension value, or a tag
	// or cost category value ("" when untagged).
	Keys   []string
	Values []Value // one per Aggregate.Metrics entry
}

// Value is an exact metric sum with its unit.
type Value struct {
	// Amount is the sum in units of 10^-billing.Scale.
	Amount *big.Int
	// Unit is the currency or usage unit; "N/A" when the contributing lines
	// have several, "" when none of them knows its unit.
	Unit string
}

// DisplayUnit is the unit as Cost Explorer prints it: "N/A" when unknown.
func (v Value) DisplayUnit() string {
	if v.Unit == "" {
		return "N/A"
	}
	return v.Unit
}

// String formats the amount as Cost Explorer prints it.
func (v Value) String() string {
	if v.Amount == nil {
		return "0"
	}
	return string(billing.AppendScaled(make([]byte, 0, 24), v.Amount, billing.Scale))
}

// AppendAmount appends String() to dst.
func (v Value) AppendAmount(dst []byte) []byte {
	if v.Amount == nil {
		return append(dst, '0')
	}
	return billing.AppendScaled(dst, v.Amount, billing.Scale)
}

// Buckets cuts p into the buckets of granularity g, clipping the first and
// last to p: a MONTHLY query from 09-15 to 10-10 has buckets [09-15, 10-01)
// and [10-01, 10-10).
func Buckets(p billing.Period, g Granularity) []billing.Period {
	var out []billing.Period
	for t := p.Start; t.Before(p.End); {
		next := nextBoundary(t, g)
		if next.After(p.End) {
			next = p.End
		}
		out = append(out, billing.Period{Start: t, End: next})
		t = next
	}
	return out
}

func nextBoundary(t time.Time, g Granularity) time.Time {
	switch g {
	case Hourly:
		return t.Truncate(time.Hour).Add(time.Hour)
	case Monthly:
		return billing.MonthStart(t).AddDate(0, 1, 0)
	}
	return billing.DayStart(t).AddDate(0, 0, 1)
}

// BucketOf returns the start of the bucket of t within p.
func BucketOf(t time.Time, p billing.Period, g Granularity) time.Time {
	var s time.Time
	switch g {
	case Hourly:
		s = t.Truncate(time.Hour)
	case Monthly:
		s = billing.MonthStart(t)
	default:
		s = billing.DayStart(t)
	}
	if s.Before(p.Start) {
		return p.Start
	}
	return s
}

// FormatKey renders a group key as Cost Explorer does: the dimension value,
// or "Key$Value" for tags and cost categories ("Key$" when untagged).
func FormatKey(k GroupKey, raw string) string {
	if k.Kind == KindDimension {
		return raw
	}
	return k.Key + "$" + raw
}

func (g GroupKey) String() string { return fmt.Sprintf("%s:%s", g.Kind, g.Key) }
