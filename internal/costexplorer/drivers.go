package costexplorer

import (
	"context"
	"math/big"
	"strings"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/costdrivers"
	"github.com/tallyhq/tally/internal/pager"
	"github.com/tallyhq/tally/internal/query"
)

// GetCostComparisonDrivers implements the AWS Cost Explorer operation of
// that name: for every group, SERVICE and USAGE_TYPE whose metric changed
// between two whole months, the drivers of the change (package
// costdrivers), largest change first. The drivers of all entries of a
// group add up to the group's difference in GetCostAndUsageComparisons.
func (s *Service) GetCostComparisonDrivers(ctx context.Context, in *GetCostComparisonDriversRequest) (*GetCostComparisonDriversResponse, error) {
	c, err := s.comparison(ctx, comparisonRequest{in.BaselineTimePeriod, in.ComparisonTimePeriod, in.MetricForComparison,
		in.Filter, in.GroupBy, in.BillingViewArn, in.MaxResults, maxDrivers})
	if err != nil {
		return nil, err
	}
	entryKeys := withDimensions(c.groups, billing.DimService, billing.DimUsageType)
	keys := append(entryKeys, query.GroupKey{Kind: query.KindDimension, Key: string(billing.DimRecordType)})
	ms := []billing.Metric{c.metric}
	usageMetric := !c.metric.IsCost()
	if !usageMetric {
		ms = append(ms, billing.UsageQuantity)
	}
	cells, err := s.compareCells(ctx, c, keys, ms)
	if err != nil {
		return nil, err
	}
	// Cells come in key order, so the record types of an entry are adjacent.
	var entries []driverEntry
	for _, cl := range cells {
		ek := cl.keys[:len(entryKeys)]
		if n := len(entries); n == 0 || strings.Join(entries[n-1].keys, "\x00") != strings.Join(ek, "\x00") {
			entries = append(entries, driverEntry{keys: ek, total: pair{base: zero(), comp: zero()}})
		}
		e := &entries[len(entries)-1]
		e.total.add(cl.values[0])
		e.cells = append(e.cells, cl)
	}
	for i := range entries {
		entries[i].drivers = entryDrivers(c, entries[i].cells, usageMetric)
	}
	var changed []driverEntry
	for _, e := range entries {
		if len(e.drivers) > 0 {
			changed = append(changed, e)
		}
	}
	sortByChange(changed, func(e driverEntry) *big.Int { return e.total.diff() })
	page, next, err := pager.Slice(pages[int](ctx, s, "GetCostComparisonDrivers", in), changed, c.size)
	if err != nil {
		return nil, err
	}
	out := &GetCostComparisonDriversResponse{CostComparisonDrivers: []CostComparisonDriver{}, NextPageToken: next}
	for _, e := range page {
		out.CostComparisonDrivers = append(out.CostComparisonDrivers, CostComparisonDriver{
			CostSelector: selector(entryKeys, e.keys),
			Metrics:      map[string]ComparisonMetricValue{string(c.metric): c.value(e.total)},
			CostDrivers:  e.drivers,
		})
	}
	return out, nil
}

// halfCent is the smallest rate effect worth a driver of its own, in units
// of 10^-billing.Scale: smaller ones are rounding (see costdrivers).
var halfCent = new(big.Int).Quo(new(big.Int).Exp(big.NewInt(10), big.NewInt(billing.Scale-2), nil), big.NewInt(2))

// driverEntry is one group, SERVICE and USAGE_TYPE with its cells by
// RECORD_TYPE.
type driverEntry struct {
	keys    []string
	total   pair
	cells   []*compareCell
	drivers []CostDriver
}

// withDimensions appends dimensions to groups unless they are there.
func withDimensions(groups []query.GroupKey, dims ...billing.Dimension) []query.GroupKey {
	out := append([]query.GroupKey{}, groups...)
	for _, d := range dims {
		k := query.GroupKey{Kind: query.KindDimension, Key: string(d)}
		if !containsKey(out, k) {
			out = append(out, k)
		}
	}
	return out
}

func containsKey(keys []query.GroupKey, k query.GroupKey) bool {
	for _, x := range keys {
		if x == k {
			return true
		}
	}
	return false
}

// entryDrivers decomposes the cells of one entry; their last key is the
// RECORD_TYPE and the USAGE_TYPE is among the others.
func entryDrivers(c *comparison, cells []*compareCell, usageMetric bool) []CostDriver {
	ut := -1
	keys := withDimensions(c.groups, billing.DimService, billing.DimUsageType)
	for i, k := range keys {
		if k.Kind == query.KindDimension && billing.Dimension(k.Key) == billing.DimUsageType {
			ut = i
		}
	}
	in := make([]costdrivers.Cell, len(cells))
	usageUnit := map[string]string{} // by record type
	for i, cl := range cells {
		rt := cl.keys[len(cl.keys)-1]
		in[i] = costdrivers.Cell{RecordType: rt, UsageType: cl.keys[ut], Base: cl.values[0].base.Amount, Comp: cl.values[0].comp.Amount}
		if !usageMetric {
			in[i].UsageBase, in[i].UsageComp = cl.values[1].base.Amount, cl.values[1].comp.Amount
			usageUnit[rt] = mergeUnit(cl.values[1].base.Unit, cl.values[1].comp.Unit)
		}
	}
	var out []CostDriver
	for _, d := range costdrivers.Decompose(in, usageMetric, halfCent) {
		m := map[string]ComparisonMetricValue{string(c.metric): c.value(pair{base: query.Value{Amount: d.Baseline},
			comp: query.Value{Amount: d.Compared}})}
		if d.Usage && !usageMetric {
			m[string(billing.UsageQuantity)] = comparisonValue(pair{base: query.Value{Amount: d.UsageBase, Unit: usageUnit["Usage"]},
				comp: query.Value{Amount: d.UsageComp, Unit: usageUnit["Usage"]}}, billing.UsageQuantity, c.currency)
		}
		out = append(out, CostDriver{Type: ptr(d.Type), Name: ptr(d.Name), Metrics: m})
	}
	return out
}
