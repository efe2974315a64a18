package duckdb

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
)

// TestCategoryStaysOnRollups checks that grouping and filtering by a
// defined category reads the rollup the question would read without it,
// evaluating the rules once per distinct key rather than per row.
func TestCategoryStaysOnRollups(t *testing.T) {
	var rules []query.CategoryRule
	for i := range 20 {
		rules = append(rules, query.CategoryRule{Value: fmt.Sprintf("v%d", i), Match: query.Or{
			&query.Match{Kind: query.KindDimension, Key: string(billing.DimLinkedAccount), Values: []string{fmt.Sprint(i)}},
			query.Not{X: &query.Match{Kind: query.KindTag, Key: "team", Values: []string{"t"}}},
		}})
	}
	cat := &query.Category{Name: "C", Versions: []query.CategoryVersion{{Start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Rules: rules}}}
	q := &query.Aggregate{Period: billing.Period{Start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)},
		Granularity: query.Daily, Metrics: []billing.Metric{billing.UnblendedCost},
		GroupBy:    []query.GroupKey{{Kind: query.KindCostCategory, Key: "C"}},
		Filter:     &query.Match{Kind: query.KindCostCategory, Key: "C", Values: []string{"v1", "v2"}},
		Categories: query.Categories{"C": cat}}
	text, args, err := aggregateSQL(q, false)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text, "line_items") || !strings.Contains(text, "SELECT DISTINCT r.month AS month, r.combo, r.tag_set, r.cc_set FROM rollup_day") {
		t.Errorf("the query does not read distinct keys of rollup_day:\n%s", text)
	}
	if n := strings.Count(text, "?"); n != len(args) {
		t.Errorf("%d placeholders, %d arguments", n, len(args))
	}
}
