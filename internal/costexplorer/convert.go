package costexplorer

import (
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
)

// parseDate reads a YearMonthDay: 2024-01-31 or 2024-01-31T10:00:00Z.
func parseDate(member, s string) (time.Time, bool, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, false, nil
	}
	if t, err := time.Parse("2006-01-02T15:04:05Z", s); err == nil {
		return t, true, nil
	}
	return time.Time{}, false, validation("%s %q is not a date: use yyyy-MM-dd or yyyy-MM-ddThh:mm:ssZ", member, s)
}

// period converts a DateInterval; withTime reports whether either bound had
// a time of day.
func period(d *DateInterval) (p billing.Period, withTime bool, err error) {
	if d == nil || d.Start == nil || d.End == nil {
		return p, false, validation("TimePeriod with Start and End is required")
	}
	start, t1, err := parseDate("Start", *d.Start)
	if err != nil {
		return p, false, err
	}
	end, t2, err := parseDate("End", *d.End)
	if err != nil {
		return p, false, err
	}
	if !start.Before(end) {
		return p, false, validation("Start date (and hour) should be before end date (and hour)")
	}
	return billing.Period{Start: start, End: end}, t1 || t2, nil
}

// expression converts a wire Expression into a query.Expr.
func expression(e *Expression) (query.Expr, error) {
	return query.FromWire(e, func(e *Expression) query.WireNode[Expression] {
		n := query.WireNode[Expression]{Or: e.Or, And: e.And, Not: e.Not}
		if d := e.Dimensions; d != nil {
			n.Dimensions = &query.WireLeaf{Key: string(deref(d.Key)), Values: d.Values, MatchOptions: optionNames(d.MatchOptions)}
		}
		if t := e.Tags; t != nil {
			n.Tags = &query.WireLeaf{Key: deref(t.Key), Values: t.Values, MatchOptions: optionNames(t.MatchOptions)}
		}
		if c := e.CostCategories; c != nil {
			n.CostCategories = &query.WireLeaf{Key: deref(c.Key), Values: c.Values, MatchOptions: optionNames(c.MatchOptions)}
		}
		return n
	})
}

func optionNames(opts []MatchOption) []string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = string(o)
	}
	return out
}

// groupBy converts GroupBy: at most two distinct definitions.
func groupBy(defs []GroupDefinition, resources bool) ([]query.GroupKey, error) {
	if len(defs) > 2 {
		return nil, validation("GroupBy accepts up to two different groups, got %d", len(defs))
	}
	var out []query.GroupKey
	for _, d := range defs {
		if d.Type == nil || d.Key == nil || *d.Key == "" {
			return nil, validation("each GroupBy entry needs a Type (DIMENSION, TAG or COST_CATEGORY) and a Key")
		}
		var g query.GroupKey
		switch *d.Type {
		case GroupDefinitionTypeDimension:
			dim := billing.Dimension(*d.Key)
			allowed := query.GroupByDimensions
			if resources {
				allowed = query.WithResourcesGroupByDimensions
			}
			if !allowed[dim] {
				return nil, validation("Group Definition dimension is invalid: %s. Valid values are %s", *d.Key, dimNames(allowed))
			}
			g = query.GroupKey{Kind: query.KindDimension, Key: *d.Key}
		case GroupDefinitionTypeTag:
			g = query.GroupKey{Kind: query.KindTag, Key: *d.Key}
		case GroupDefinitionTypeCostCategory:
			g = query.GroupKey{Kind: query.KindCostCategory, Key: *d.Key}
		}
		for _, prev := range out {
			if prev == g {
				return nil, validation("GroupBy lists %s %s twice; up to two different groups are allowed", *d.Type, *d.Key)
			}
		}
		out = append(out, g)
	}
	return out, nil
}

func dimNames(m map[billing.Dimension]bool) string {
	var names []string
	for _, d := range query.AllDimensions {
		if m[d] {
			names = append(names, string(d))
		}
	}
	return strings.Join(names, ", ")
}

// metrics converts metric names, keeping the request's order without
// repeats.
func metrics(names []string) ([]billing.Metric, error) {
	if len(names) == 0 {
		return nil, validation("Metrics is required: one or more of %s", metricNames())
	}
	var out []billing.Metric
	seen := map[billing.Metric]bool{}
	for _, n := range names {
		m := billing.Metric(n)
		if !m.Valid() {
			return nil, validation("Metric %q is invalid. Valid values are %s", n, metricNames())
		}
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	return out, nil
}

func metricNames() string {
	names := make([]string, len(billing.Metrics))
	for i, m := range billing.Metrics {
		names[i] = string(m)
	}
	return strings.Join(names, ", ")
}

// sortKeys converts SortBy of GetDimensionValues and GetTags.
func sortKeys(defs []SortDefinition) ([]query.SortKey, error) {
	var out []query.SortKey
	for _, d := range defs {
		m := billing.Metric(deref(d.Key))
		if !m.Valid() {
			return nil, validation("SortBy key %q is invalid. Valid values are %s", deref(d.Key), metricNames())
		}
		out = append(out, query.SortKey{Metric: m, Descending: d.SortOrder != nil && *d.SortOrder == SortOrderDescending})
	}
	return out, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func ptr[T any](v T) *T { return &v }

func formatDate(t time.Time, withTime bool) string {
	if withTime {
		return t.UTC().Format("2006-01-02T15:04:05Z")
	}
	return t.UTC().Format("2006-01-02")
}
