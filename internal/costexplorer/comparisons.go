package costexplorer

import (
	"cmp"
	"context"
	"math/big"
	"slices"
	"strings"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/pager"
	"github.com/tallyhq/tally/internal/query"
)

// Page sizes of the comparison operations: the model's maxima, which are
// also what a request without MaxResults gets.
const (
	maxComparisons = 2000
	maxDrivers     = 10
)

// GetCostAndUsageComparisons implements the AWS Cost Explorer operation of
// that name: the metric of each group in two whole months, and the
// difference, largest change first, with the total over every group.
func (s *Service) GetCostAndUsageComparisons(ctx context.Context, in *GetCostAndUsageComparisonsRequest) (*GetCostAndUsageComparisonsResponse, error) {
	c, err := s.comparison(ctx, comparisonRequest{in.BaselineTimePeriod, in.ComparisonTimePeriod, in.MetricForComparison,
		in.Filter, in.GroupBy, in.BillingViewArn, in.MaxResults, maxComparisons})
	if err != nil {
		return nil, err
	}
	cells, err := s.compareCells(ctx, c, c.groups, []billing.Metric{c.metric})
	if err != nil {
		return nil, err
	}
	total := pair{base: zero(), comp: zero()}
	for _, cl := range cells {
		total.add(cl.values[0])
	}
	out := &GetCostAndUsageComparisonsResponse{CostAndUsageComparisons: []CostAndUsageComparison{},
		TotalCostAndUsage: map[string]ComparisonMetricValue{string(c.metric): c.value(total)}}
	p := pages[int](ctx, s, "GetCostAndUsageComparisons", in)
	if len(c.groups) == 0 {
		// One page only, but a token must still be one of ours.
		_, err := p.Start()
		return out, err
	}
	sortByChange(cells, func(cl *compareCell) *big.Int { return cl.values[0].diff() })
	page, next, err := pager.Slice(p, cells, c.size)
	if err != nil {
		return nil, err
	}
	for _, cl := range page {
		out.CostAndUsageComparisons = append(out.CostAndUsageComparisons, CostAndUsageComparison{
			CostAndUsageSelector: selector(c.groups, cl.keys),
			Metrics:              map[string]ComparisonMetricValue{string(c.metric): c.value(cl.values[0])},
		})
	}
	out.NextPageToken = next
	return out, nil
}

// comparisonRequest holds the members both comparison operations share.
type comparisonRequest struct {
	Baseline, Comparison *DateInterval
	Metric               *string
	Filter               *Expression
	GroupBy              []GroupDefinition
	BillingViewArn       *string
	MaxResults           *int32
	maxSize              int
}

// comparison is a validated comparison request.
type comparison struct {
	baseline, comparison billing.Period
	metric               billing.Metric
	groups               []query.GroupKey // the caller's GroupBy
	filter               query.Expr
	scope                query.Scope
	cats                 query.Categories
	currency             string
	size                 int
}

// comparison validates a request of either comparison operation.
func (s *Service) comparison(ctx context.Context, in comparisonRequest) (*comparison, error) {
	c := &comparison{scope: scope(ctx), size: in.maxSize}
	var err error
	if c.baseline, err = s.wholeMonth("BaselineTimePeriod", in.Baseline); err != nil {
		return nil, err
	}
	if c.comparison, err = s.wholeMonth("ComparisonTimePeriod", in.Comparison); err != nil {
		return nil, err
	}
	if in.Metric == nil || !billing.Metric(*in.Metric).Valid() {
		return nil, validation("MetricForComparison %q is invalid. Valid values are %s", deref(in.Metric), metricNames())
	}
	c.metric = billing.Metric(*in.Metric)
	if c.groups, err = groupBy(in.GroupBy, false); err != nil {
		return nil, err
	}
	if c.filter, err = expression(in.Filter); err != nil {
		return nil, err
	}
	if c.filter != nil {
		if err := query.Validate(c.filter, query.CostAndUsageRules, query.DefaultLimits); err != nil {
			return nil, err
		}
	}
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || int(*in.MaxResults) > in.maxSize {
			return nil, validation("MaxResults must be between 1 and %d", in.maxSize)
		}
		c.size = int(*in.MaxResults)
	}
	if err := checkBillingView(ctx, in.BillingViewArn); err != nil {
		return nil, err
	}
	if c.cats, err = s.queryCategories(ctx); err != nil {
		return nil, err
	}
	periods, err := s.cfg.Store.Periods(ctx)
	if err != nil {
		return nil, err
	}
	c.currency = s.currency(periods)
	return c, nil
}

// wholeMonth reads a comparison period, which AWS requires to start and end
// on the first day of a month, exactly one month apart.
func (s *Service) wholeMonth(member string, d *DateInterval) (billing.Period, error) {
	if d == nil || d.Start == nil || d.End == nil {
		return billing.Period{}, validation("%s with Start and End is required", member)
	}
	p, withTime, err := period(d)
	if err != nil {
		return p, err
	}
	if withTime || !p.Start.Equal(billing.MonthStart(p.Start)) || !p.End.Equal(p.Start.AddDate(0, 1, 0)) {
		return p, validation("%s must start and end on the first day of a month, exactly one month apart, such as %s to %s",
			member, billing.MonthStart(p.Start).Format("2006-01-02"), billing.MonthStart(p.Start).AddDate(0, 1, 0).Format("2006-01-02"))
	}
	return p, s.checkWindow(p, query.Monthly, false)
}

// compareCell is one group's metrics in both periods.
type compareCell struct {
	keys   []string
	values []pair // one per metric asked for
}

// pair is a metric in the baseline and the comparison period.
type pair struct{ base, comp query.Value }

func zero() query.Value { return query.Value{Amount: new(big.Int)} }

func (p *pair) add(q pair) {
	p.base = addValue(p.base, q.base)
	p.comp = addValue(p.comp, q.comp)
}

// diff is comparison minus baseline.
func (p pair) diff() *big.Int { return new(big.Int).Sub(amount(p.comp), amount(p.base)) }

func amount(v query.Value) *big.Int {
	if v.Amount == nil {
		return new(big.Int)
	}
	return v.Amount
}

func addValue(a, b query.Value) query.Value {
	return query.Value{Amount: new(big.Int).Add(amount(a), amount(b)), Unit: mergeUnit(a.Unit, b.Unit)}
}

// mergeUnit is the unit of a sum: "N/A" when its parts differ, the known one
// when only one is known.
func mergeUnit(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "" || a == b:
		return a
	}
	return "N/A"
}

// compareCells reads both periods from the monthly rollup (one whole month
// each) grouped by keys, and pairs the groups; a group missing from a
// period reads as zero there. Cells come in key order.
func (s *Service) compareCells(ctx context.Context, c *comparison, keys []query.GroupKey, ms []billing.Metric) ([]*compareCell, error) {
	byKey := map[string]*compareCell{}
	for i, p := range []billing.Period{c.baseline, c.comparison} {
		rows, err := s.cfg.Store.Aggregate(ctx, &query.Aggregate{Period: p, Granularity: query.Monthly, Metrics: ms,
			GroupBy: keys, Filter: c.filter, Scope: c.scope, Categories: c.cats})
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			k := strings.Join(r.Keys, "\x00")
			cl := byKey[k]
			if cl == nil {
				cl = &compareCell{keys: r.Keys, values: make([]pair, len(ms))}
				for j := range cl.values {
					cl.values[j] = pair{base: zero(), comp: zero()}
				}
				byKey[k] = cl
			}
			for j, v := range r.Values {
				if i == 0 {
					cl.values[j].base = addValue(cl.values[j].base, v)
				} else {
					cl.values[j].comp = addValue(cl.values[j].comp, v)
				}
			}
		}
	}
	out := make([]*compareCell, 0, len(byKey))
	for _, cl := range byKey {
		out = append(out, cl)
	}
	slices.SortFunc(out, func(a, b *compareCell) int { return slices.Compare(a.keys, b.keys) })
	return out, nil
}

// sortByChange orders cells by the size of their change, largest first, as
// Cost Explorer ranks a comparison; equal changes keep key order.
func sortByChange[T any](items []T, change func(T) *big.Int) {
	slices.SortStableFunc(items, func(a, b T) int {
		return cmp.Compare(0, new(big.Int).Abs(change(a)).Cmp(new(big.Int).Abs(change(b))))
	})
}

// value renders a pair of the metric asked for: cost metrics without a
// unit of their own carry the billing currency.
func (c *comparison) value(p pair) ComparisonMetricValue {
	return comparisonValue(p, c.metric, c.currency)
}

func comparisonValue(p pair, m billing.Metric, currency string) ComparisonMetricValue {
	unit := mergeUnit(p.base.Unit, p.comp.Unit)
	if unit == "" && m.IsCost() {
		unit = currency
	}
	if unit == "" {
		unit = "N/A"
	}
	return ComparisonMetricValue{
		BaselineTimePeriodAmount:   ptr(billing.FormatScaled(amount(p.base), billing.Scale)),
		ComparisonTimePeriodAmount: ptr(billing.FormatScaled(amount(p.comp), billing.Scale)),
		Difference:                 ptr(billing.FormatScaled(p.diff(), billing.Scale)),
		Unit:                       ptr(unit),
	}
}

// selector is the Expression that selects one group: its value of every
// GroupBy entry, joined with And when there are several.
func selector(groups []query.GroupKey, keys []string) *Expression {
	var parts []Expression
	for i, g := range groups {
		v := []string{keys[i]}
		switch g.Kind {
		case query.KindDimension:
			parts = append(parts, Expression{Dimensions: &DimensionValues{Key: ptr(Dimension(g.Key)), Values: v}})
		case query.KindTag:
			parts = append(parts, Expression{Tags: &TagValues{Key: ptr(g.Key), Values: v}})
		case query.KindCostCategory:
			parts = append(parts, Expression{CostCategories: &CostCategoryValues{Key: ptr(g.Key), Values: v}})
		}
	}
	switch len(parts) {
	case 0:
		return nil
	case 1:
		return &parts[0]
	}
	return &Expression{And: parts}
}
