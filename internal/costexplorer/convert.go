package costexplorer

import (
	"fmt"
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

// expression converts a wire Expression into a query.Expr, enforcing that
// each expression object has exactly one root.
func expression(e *Expression) (query.Expr, error) {
	if e == nil {
		return nil, nil
	}
	roots := 0
	for _, set := range []bool{e.Or != nil, e.And != nil, e.Not != nil, e.Dimensions != nil, e.Tags != nil, e.CostCategories != nil} {
		if set {
			roots++
		}
	}
	if roots > 1 {
		return nil, validation("Expression has more than one roots. Only one root operator is allowed for each expression: And, Or, Not, Dimensions, Tags, CostCategories")
	}
	switch {
	case e.Or != nil || e.And != nil:
		list := e.Or
		if e.And != nil {
			list = e.And
		}
		out := make([]query.Expr, len(list))
		for i := range list {
			x, err := expression(&list[i])
			if err != nil {
				return nil, err
			}
			if x == nil {
				return nil, validation("an expression in And or Or is empty: one of And, Or, Not, Dimensions, Tags or CostCategories is required")
			}
			out[i] = x
		}
		if e.And != nil {
			return query.And(out), nil
		}
		return query.Or(out), nil
	case e.Not != nil:
		x, err := expression(e.Not)
		if err != nil {
			return nil, err
		}
		if x == nil {
			return nil, validation("Not must hold an expression")
		}
		return query.Not{X: x}, nil
	case e.Dimensions != nil:
		key := ""
		if e.Dimensions.Key != nil {
			key = string(*e.Dimensions.Key)
		}
		return match(query.KindDimension, key, e.Dimensions.Values, e.Dimensions.MatchOptions)
	case e.Tags != nil:
		return match(query.KindTag, deref(e.Tags.Key), e.Tags.Values, e.Tags.MatchOptions)
	case e.CostCategories != nil:
		return match(query.KindCostCategory, deref(e.CostCategories.Key), e.CostCategories.Values, e.CostCategories.MatchOptions)
	}
	return nil, nil
}

func match(kind query.Kind, key string, values []string, opts []MatchOption) (*query.Match, error) {
	m := &query.Match{Kind: kind, Key: key, Values: values, Op: query.OpEquals}
	seenOp := false
	for _, o := range opts {
		switch o {
		case MatchOptionCaseSensitive:
		case MatchOptionCaseInsensitive:
			m.CaseInsensitive = true
		default:
			op, ok := query.ParseMatchOp(string(o))
			if !ok {
				return nil, validation("unknown MatchOption %s", o)
			}
			if seenOp && op != m.Op {
				return nil, validation("MatchOptions may hold one comparison (EQUALS, ABSENT, STARTS_WITH, ENDS_WITH, CONTAINS or GREATER_THAN_OR_EQUAL), got %s and %s", m.Op, op)
			}
			m.Op, seenOp = op, true
		}
	}
	if kind == query.KindTag && key == "" && len(values) == 0 {
		// "If Values and Key aren't specified, the ABSENT MatchOption is
		// applied to all tags."
		m.Op = query.OpAbsent
	}
	if kind == query.KindTag && key != "" && values == nil && !seenOp {
		// "If Key is provided and Values isn't specified, the ABSENT
		// MatchOption is applied to the tag Key only."
		m.Op = query.OpAbsent
	}
	return m, nil
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

func fmtErr(format string, args ...any) error { return fmt.Errorf(format, args...) }
