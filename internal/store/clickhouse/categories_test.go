package clickhouse

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
)

// definedCategories are two cost categories defined in Tally over the
// synthetic organisation: Env (nested And/Or/Not over dimensions, a tag's
// inherited value, a default) and Team, which reads Env and a tag, inherits
// the account name, and changes its rules from September. Values carry
// quotes, a backslash and a question mark, which the ClickHouse store
// writes as literals.
func definedCategories(tagKey, tagValue, lastKey string) query.Categories {
	m := func(d billing.Dimension, op query.MatchOp, ci bool, vs ...string) *query.Match {
		return &query.Match{Kind: query.KindDimension, Key: string(d), Op: op, CaseInsensitive: ci, Values: vs}
	}
	jul, sep := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	env := &query.Category{Name: "Env", Versions: []query.CategoryVersion{{Start: jul, Default: "other", Rules: []query.CategoryRule{
		{Value: "prod", Match: query.Or{
			m(billing.DimService, query.OpEquals, false, "Amazon Elastic Compute Cloud - Compute"),
			query.And{m(billing.DimRegion, query.OpStartsWith, true, "US-EAST"), query.Not{X: m(billing.DimRecordType, query.OpEquals, false, "Usage")}},
		}},
		{InheritTag: tagKey},
	}}}}
	team := &query.Category{Name: "Team", Versions: []query.CategoryVersion{
		{Start: jul, End: sep, Default: "rest", Rules: []query.CategoryRule{
			{Value: "tagged 'a' ?\\", Match: query.And{
				&query.Match{Kind: query.KindTag, Key: tagKey, Values: []string{tagValue, "no-such-value"}},
				query.Not{X: m(billing.DimService, query.OpContains, true, "compute")},
			}},
			{Value: "prod", Match: &query.Match{Kind: query.KindCostCategory, Key: "Env", Values: []string{"prod"}}},
			{Value: "no-last", Match: query.And{&query.Match{Kind: query.KindTag, Key: lastKey, Op: query.OpAbsent},
				m(billing.DimService, query.OpContains, true, "storage")}},
			{InheritTag: lastKey},
		}},
		{Start: sep, Rules: []query.CategoryRule{
			{Value: "storage", Match: query.Or{m(billing.DimService, query.OpContains, true, "STORAGE"), m(billing.DimUsageType, query.OpEndsWith, false, "Bytes")}},
			{InheritAccountName: true},
		}},
	}}
	return query.Categories{"Env": env, "Team": team}
}

// compareCategories asks both stores questions that group and filter by the
// defined categories: every answer must be equal, cell for cell.
func compareCategories(t *testing.T, ddb, chs backend, whole, part billing.Period, tagKeys []string) {
	ctx := context.Background()
	vals, err := ddb.Tags(ctx, &query.Tags{Period: whole, Key: tagKeys[0]})
	if err != nil {
		t.Fatal(err)
	}
	value := ""
	for _, v := range vals {
		if v != "" {
			value = v
			break
		}
	}
	if value == "" {
		t.Fatalf("tag %s has no value", tagKeys[0])
	}
	cats := definedCategories(tagKeys[0], value, tagKeys[len(tagKeys)-1])
	costs := []billing.Metric{billing.UnblendedCost, billing.UsageQuantity}
	team := query.GroupKey{Kind: query.KindCostCategory, Key: "Team"}
	env := query.GroupKey{Kind: query.KindCostCategory, Key: "Env"}
	cc := func(key string, op query.MatchOp, vs ...string) *query.Match {
		return &query.Match{Kind: query.KindCostCategory, Key: key, Op: op, Values: vs}
	}
	questions := []*query.Aggregate{
		{Period: whole, Granularity: query.Monthly, Metrics: costs, GroupBy: []query.GroupKey{team}},
		{Period: whole, Granularity: query.Monthly, Metrics: costs, GroupBy: []query.GroupKey{env, team}},
		{Period: part, Granularity: query.Daily, Metrics: costs, GroupBy: []query.GroupKey{team, {Kind: query.KindDimension, Key: string(billing.DimService)}}},
		{Period: whole, Granularity: query.Monthly, Metrics: costs, Filter: cc("Team", query.OpEquals, "rest", ""), GroupBy: []query.GroupKey{env}},
		{Period: whole, Granularity: query.Monthly, Metrics: costs, Filter: query.Not{X: cc("Team", query.OpStartsWith, "tagged")}},
		{Period: whole, Granularity: query.Monthly, Metrics: costs, Filter: query.Or{cc("Env", query.OpAbsent), cc("Team", query.OpContains, "'a' ?")}, GroupBy: []query.GroupKey{team}},
	}
	seen := map[string]bool{}
	for i, q := range questions {
		q.Categories = cats
		want, err := ddb.Aggregate(ctx, q)
		if err != nil {
			t.Fatalf("category question %d: duckdb: %v", i, err)
		}
		got, err := chs.Aggregate(ctx, q)
		if err != nil {
			t.Fatalf("category question %d: clickhouse: %v", i, err)
		}
		if len(want) == 0 {
			t.Errorf("category question %d has no answer: the test would prove nothing", i)
		}
		if i == 0 {
			for _, r := range want {
				seen[r.Bucket.Format("2006-01")+" "+r.Keys[0]] = true
			}
		}
		if diff := cmp.Diff(render(want), render(got)); diff != "" {
			t.Errorf("category question %d (%+v): clickhouse differs from duckdb (-duckdb +clickhouse):\n%s", i, q, diff)
		}
	}
	// Each version and most rules give values: the rules are exercised.
	for _, k := range []string{"2026-07 tagged 'a' ?\\", "2026-07 prod", "2026-08 rest", "2026-08 no-last", "2026-09 storage"} {
		if !seen[k] {
			t.Errorf("no cost of %q in the monthly answer %v: the rules are not exercised", k, seen)
		}
	}
	if len(seen) < 7 {
		t.Errorf("only %d month/value cells: %v", len(seen), seen)
	}
	for _, q := range []*query.Tags{{Period: whole, CostCategories: true, Key: "Team"}, {Period: part, CostCategories: true, Key: "Env", Filter: cc("Team", query.OpEquals, "prod")}} {
		q.Categories = cats
		want, err := ddb.Tags(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		got, err := chs.Tags(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			t.Errorf("category values %+v: none", q)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("category values %+v (-duckdb +clickhouse):\n%s", q, diff)
		}
	}
	q := &query.DimensionValues{Period: whole, Dimension: billing.DimService, Filter: cc("Team", query.OpEquals, "storage", "rest"), Categories: cats}
	want, err := ddb.DimensionValues(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	got, err := chs.DimensionValues(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 {
		t.Error("services filtered by Team: none")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("services filtered by Team (-duckdb +clickhouse):\n%s", diff)
	}
}

// TestInline: strings written into a category's SQL are literals with no ?
// left for the client's binding, and a count mismatch is an error.
func TestInline(t *testing.T) {
	got, err := inline("x = ? OR y IN (?, ?)", []any{`it's`, `a\?b`, "?"})
	want := `x = 'it\'s' OR y IN ('a\\\x3Fb', '\x3F')`
	if err != nil || got != want {
		t.Errorf("inline = %q, %v; want %q", got, err, want)
	}
	if _, err := inline("? ?", []any{"a"}); err == nil {
		t.Error("inline with too few arguments: no error")
	}
	if _, err := inline("?", []any{"a", "b"}); err == nil {
		t.Error("inline with too many arguments: no error")
	}
}
