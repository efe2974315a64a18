package costexplorer_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cesdk "github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/profile"
)

// categoryData replaces the payer 111111111111's months with varied lines
// and keeps the same lines, raw, in a separate DuckDB database: the oracle,
// over which the tests write the categories' rules as SQL CASE expressions.
func categoryData(t *testing.T, env *tagEnv) *sql.DB {
	t.Helper()
	oracle, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { oracle.Close() })
	if _, err := oracle.Exec(`CREATE TABLE raw (month DATE, ts TIMESTAMP, account VARCHAR, account_name VARCHAR, service_code VARCHAR,
		region VARCHAR, usage_type VARCHAR, team VARCHAR, project VARCHAR, cost DECIMAL(38,10))`); err != nil {
		t.Fatal(err)
	}
	accounts := []struct{ id, name string }{{"111111111111", "Mgmt"}, {"222222222222", "Dev"}, {"444444444444", "Prod"}}
	services := []struct{ code, name string }{{"AWSLambda", "AWS Lambda"}, {"AmazonEC2", "EC2 - Other"}, {"AmazonS3", "Amazon Simple Storage Service"}}
	regions := []string{"us-east-1", "eu-west-1", "ap-south-1"}
	for _, m := range []string{"2024-10", "2024-11", "2024-12"} {
		month, _ := time.Parse("2006-01", m)
		var items []*billing.LineItem
		for i := range 120 {
			a, s, r := accounts[i%3], services[(i/3)%3], regions[(i/9)%3]
			tags := map[string]string{}
			if i%4 == 0 {
				tags["Team"] = "a"
			} else if i%4 == 1 {
				tags["Team"] = "b"
			}
			if i%5 == 2 {
				tags["Project"] = "x"
			} else if i%5 == 3 {
				tags["Project"] = "y"
			}
			cost := fmt.Sprintf("%d.%02d", i%13+1, (i*7)%100)
			li := line(month, "111111111111", a.id, cost, tags)
			li.UsageAccountName, li.ServiceCode, li.Service, li.Region = a.name, s.code, s.name, r
			li.UsageType = fmt.Sprintf("USE1-Type%d", i%4)
			li.UsageStart = month.Add(time.Duration(i%20) * 24 * time.Hour)
			li.UsageEnd = li.UsageStart.Add(time.Hour)
			items = append(items, li)
			if _, err := oracle.Exec(`INSERT INTO raw VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS DECIMAL(38,10)))`, month, li.UsageStart, a.id, a.name,
				s.code, r, li.UsageType, tags["Team"], tags["Project"], cost); err != nil {
				t.Fatal(err)
			}
		}
		loadLines(t, env.db, billing.BillingPeriod{Source: "cur:111111111111", Month: month}, items...)
	}
	return oracle
}

// oracleCells runs a query of (month, key, amount) rows into "month key" →
// amount.
func oracleCells(t *testing.T, db *sql.DB, q string) map[string]string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var month time.Time
		var key, amount string
		if err := rows.Scan(&month, &key, &amount); err != nil {
			t.Fatal(err)
		}
		out[month.Format("2006-01-02")+" "+key] = ratString(amount)
	}
	return out
}

func ratString(s string) string {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic("not a number: " + s)
	}
	return r.FloatString(10)
}

// tallyCells runs GetCostAndUsage, MONTHLY over October to December, into
// "month key" → UnblendedCost.
func tallyCells(t *testing.T, c *cesdk.Client, group cetypes.GroupDefinition, filter *cetypes.Expression) map[string]string {
	t.Helper()
	out := map[string]string{}
	in := &cesdk.GetCostAndUsageInput{
		TimePeriod:  &cetypes.DateInterval{Start: aws.String("2024-10-01"), End: aws.String("2025-01-01")},
		Granularity: cetypes.GranularityMonthly, Metrics: []string{"UnblendedCost"},
		GroupBy: []cetypes.GroupDefinition{group}, Filter: filter}
	for {
		page, err := c.GetCostAndUsage(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.ResultsByTime {
			for _, g := range r.Groups {
				out[aws.ToString(r.TimePeriod.Start)+" "+g.Keys[0]] = ratString(aws.ToString(g.Metrics["UnblendedCost"].Amount))
			}
		}
		if page.NextPageToken == nil {
			return out
		}
		in.NextPageToken = page.NextPageToken
	}
}

func sortedKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestCostCategoryAppliedToCosts(t *testing.T) {
	env := newTagEnv(t, profile.AWS)
	oracle := categoryData(t, env)
	c := env.client("payer")
	ctx := context.Background()
	v1 := append(teamRules(), cetypes.CostCategoryRule{Value: aws.String("Storage"),
		Rule: &cetypes.Expression{And: []cetypes.Expression{dim(cetypes.DimensionServiceCode, "AmazonS3"),
			{Not: &cetypes.Expression{Or: []cetypes.Expression{tagExpr("Team", "b"), dim(cetypes.DimensionRegion, "eu-west-1")}}}}}})
	created, err := c.CreateCostCategoryDefinition(ctx, &cesdk.CreateCostCategoryDefinitionInput{
		Name: aws.String("Teams"), RuleVersion: cetypes.CostCategoryRuleVersionCostCategoryExpressionV1,
		Rules: v1, DefaultValue: aws.String("Other"), EffectiveStart: aws.String("2024-10-01T00:00:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	// From December on: members by an inherited account name, with a
	// rule on the usage type's prefix, case-insensitively.
	v2 := []cetypes.CostCategoryRule{
		{Value: aws.String("Type0"), Rule: &cetypes.Expression{Dimensions: &cetypes.DimensionValues{Key: cetypes.DimensionUsageType,
			Values: []string{"use1-type0"}, MatchOptions: []cetypes.MatchOption{cetypes.MatchOptionStartsWith, cetypes.MatchOptionCaseInsensitive}}}},
		{Type: cetypes.CostCategoryRuleTypeInheritedValue, InheritedValue: &cetypes.CostCategoryInheritedValueDimension{
			DimensionName: cetypes.CostCategoryInheritedValueDimensionNameLinkedAccountName}},
	}
	if _, err := c.UpdateCostCategoryDefinition(ctx, &cesdk.UpdateCostCategoryDefinitionInput{CostCategoryArn: created.CostCategoryArn,
		RuleVersion: cetypes.CostCategoryRuleVersionCostCategoryExpressionV1, Rules: v2,
		EffectiveStart: aws.String("2024-12-01T00:00:00Z")}); err != nil {
		t.Fatal(err)
	}
	// The same rules, written as SQL over the raw lines.
	const teamsSQL = `CASE WHEN month < DATE '2024-12-01' THEN CASE
			WHEN account = '222222222222' AND (team = 'a' OR NOT region = 'us-east-1') THEN 'Platform'
			WHEN service_code = 'AWSLambda' THEN 'Shared'
			WHEN coalesce(project, '') <> '' THEN project
			WHEN service_code = 'AmazonS3' AND NOT (coalesce(team, '') = 'b' OR region = 'eu-west-1') THEN 'Storage'
			ELSE 'Other' END
		ELSE CASE WHEN starts_with(lower(usage_type), 'use1-type0') THEN 'Type0' ELSE account_name END END`

	t.Run("group by", func(t *testing.T) {
		want := oracleCells(t, oracle, `SELECT month, 'Teams$' || (`+teamsSQL+`), sum(cost)::VARCHAR FROM raw GROUP BY ALL`)
		got := tallyCells(t, c, cetypes.GroupDefinition{Type: cetypes.GroupDefinitionTypeCostCategory, Key: aws.String("Teams")}, nil)
		if len(want) < 12 {
			t.Fatalf("the oracle has only %d cells: %v", len(want), sortedKeys(want))
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("grouped by the category (-oracle +tally):\n%s", d)
		}
	})
	t.Run("filter", func(t *testing.T) {
		want := oracleCells(t, oracle, `SELECT month, account, sum(cost)::VARCHAR FROM raw
			WHERE (`+teamsSQL+`) IN ('Shared', 'x', 'Dev') GROUP BY ALL`)
		got := tallyCells(t, c, cetypes.GroupDefinition{Type: cetypes.GroupDefinitionTypeDimension, Key: aws.String("LINKED_ACCOUNT")},
			&cetypes.Expression{CostCategories: &cetypes.CostCategoryValues{Key: aws.String("Teams"), Values: []string{"Shared", "x", "Dev"}}})
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("filtered by the category (-oracle +tally):\n%s", d)
		}
	})
	t.Run("with resources", func(t *testing.T) {
		// Resource-level data covers the last 14 days: 1 to 9 December.
		want := oracleCells(t, oracle, `SELECT date_trunc('day', ts), 'Teams$' || (`+teamsSQL+`), sum(cost)::VARCHAR FROM raw
			WHERE ts >= TIMESTAMP '2024-12-01' AND ts < TIMESTAMP '2024-12-10' AND (`+teamsSQL+`) <> 'Dev' GROUP BY ALL`)
		got := map[string]string{}
		out, err := c.GetCostAndUsageWithResources(ctx, &cesdk.GetCostAndUsageWithResourcesInput{
			TimePeriod:  &cetypes.DateInterval{Start: aws.String("2024-12-01"), End: aws.String("2024-12-10")},
			Granularity: cetypes.GranularityDaily, Metrics: []string{"UnblendedCost"},
			GroupBy: []cetypes.GroupDefinition{{Type: cetypes.GroupDefinitionTypeCostCategory, Key: aws.String("Teams")}},
			Filter:  &cetypes.Expression{Not: &cetypes.Expression{CostCategories: &cetypes.CostCategoryValues{Key: aws.String("Teams"), Values: []string{"Dev"}}}}})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range out.ResultsByTime {
			for _, g := range r.Groups {
				got[aws.ToString(r.TimePeriod.Start)+" "+g.Keys[0]] = ratString(aws.ToString(g.Metrics["UnblendedCost"].Amount))
			}
		}
		if len(want) < 5 {
			t.Fatalf("the oracle has only %d cells", len(want))
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("with resources (-oracle +tally):\n%s", d)
		}
	})
	t.Run("values", func(t *testing.T) {
		period := &cetypes.DateInterval{Start: aws.String("2024-11-01"), End: aws.String("2024-12-01")}
		names, err := c.GetCostCategories(ctx, &cesdk.GetCostCategoriesInput{TimePeriod: period})
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff([]string{"Teams"}, names.CostCategoryNames); d != "" {
			t.Errorf("names (-want +got):\n%s", d)
		}
		var want []string
		rows, err := oracle.Query(`SELECT DISTINCT v FROM (SELECT ` + teamsSQL + ` AS v FROM raw WHERE month = DATE '2024-11-01') ORDER BY v`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var v string
			rows.Scan(&v)
			want = append(want, v)
		}
		rows.Close()
		vals, err := c.GetCostCategories(ctx, &cesdk.GetCostCategoriesInput{TimePeriod: period, CostCategoryName: aws.String("Teams")})
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, vals.CostCategoryValues); d != "" {
			t.Errorf("November's values (-oracle +tally):\n%s", d)
		}
		want = nil
		rows, err = oracle.Query(`SELECT DISTINCT account FROM raw WHERE month = DATE '2024-11-01' AND (` + teamsSQL + `) = 'Platform' ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var v string
			rows.Scan(&v)
			want = append(want, v)
		}
		rows.Close()
		dims, err := c.GetDimensionValues(ctx, &cesdk.GetDimensionValuesInput{TimePeriod: period, Dimension: cetypes.DimensionLinkedAccount,
			Filter: &cetypes.Expression{CostCategories: &cetypes.CostCategoryValues{Key: aws.String("Teams"), Values: []string{"Platform"}}}})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range dims.DimensionValues {
			got = append(got, aws.ToString(d.Value))
		}
		if len(want) == 0 || len(want) == 3 {
			t.Fatalf("the oracle's accounts %v do not tell a filter from none", want)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("accounts of Platform (-oracle +tally):\n%s", d)
		}
	})
	t.Run("a category on a category", func(t *testing.T) {
		if _, err := c.CreateCostCategoryDefinition(ctx, &cesdk.CreateCostCategoryDefinitionInput{
			Name: aws.String("Units"), RuleVersion: cetypes.CostCategoryRuleVersionCostCategoryExpressionV1,
			EffectiveStart: aws.String("2024-10-01T00:00:00Z"),
			Rules: []cetypes.CostCategoryRule{{Value: aws.String("Engineering"), Rule: &cetypes.Expression{Or: []cetypes.Expression{
				{CostCategories: &cetypes.CostCategoryValues{Key: aws.String("Teams"), Values: []string{"Platform", "Dev"}}},
				tagExpr("Project", "y")}}}},
		}); err != nil {
			t.Fatal(err)
		}
		want := oracleCells(t, oracle, `SELECT month, 'Units$' || CASE WHEN (`+teamsSQL+`) IN ('Platform', 'Dev') OR project = 'y'
			THEN 'Engineering' ELSE '' END, sum(cost)::VARCHAR FROM raw GROUP BY ALL`)
		got := tallyCells(t, c, cetypes.GroupDefinition{Type: cetypes.GroupDefinitionTypeCostCategory, Key: aws.String("Units")}, nil)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("grouped by a category of a category (-oracle +tally):\n%s", d)
		}
	})
}
