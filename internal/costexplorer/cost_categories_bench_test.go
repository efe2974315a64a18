package costexplorer_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cesdk "github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/profile"
)

// TestCostCategoryTiming measures a 13-month DAILY GetCostAndUsage grouped
// by a 20-rule category against DuckDB applying the same rules with CASE
// over a table of the raw lines. It runs only with
// TALLY_CATEGORY_BENCH_LINES (lines a month) set.
func TestCostCategoryTiming(t *testing.T) {
	perMonth, _ := strconv.Atoi(os.Getenv("TALLY_CATEGORY_BENCH_LINES"))
	if perMonth == 0 {
		t.Skip("set TALLY_CATEGORY_BENCH_LINES to measure")
	}
	env := newTagEnv(t, profile.AWS)
	raw, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`CREATE TABLE raw (ts TIMESTAMP, account VARCHAR, region VARCHAR, team VARCHAR, cost DECIMAL(38,10))`); err != nil {
		t.Fatal(err)
	}
	regions := []string{"us-east-1", "eu-west-1", "ap-south-1", "us-west-2"}
	start := time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC)
	for m := range 13 {
		month := start.AddDate(0, m, 0)
		days := month.AddDate(0, 1, 0).Sub(month).Hours() / 24
		items := make([]*billing.LineItem, 0, perMonth)
		var rows strings.Builder
		for i := range perMonth {
			account := fmt.Sprintf("%012d", 100+i%40)
			tags := map[string]string{"Team": fmt.Sprintf("t%d", i%30)}
			cost := fmt.Sprintf("%d.%02d", i%9, i%100)
			li := line(month, "111111111111", account, cost, tags)
			li.Region = regions[(i/7)%4]
			li.UsageStart = month.Add(time.Duration(i%int(days)) * 24 * time.Hour).Add(time.Duration(i%24) * time.Hour)
			li.UsageEnd = li.UsageStart.Add(time.Hour)
			items = append(items, li)
			fmt.Fprintf(&rows, "%s,%s,%s,%s,%s\n", li.UsageStart.Format("2006-01-02 15:04:05"), account, li.Region, tags["Team"], cost)
		}
		loadLines(t, env.db, billing.BillingPeriod{Source: "cur:111111111111", Month: month}, items...)
		f, err := os.CreateTemp(t.TempDir(), "*.csv")
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(rows.String())
		f.Close()
		if _, err := raw.Exec(`INSERT INTO raw SELECT * FROM read_csv('` + f.Name() + `', header = false,
			columns = {'ts': 'TIMESTAMP', 'account': 'VARCHAR', 'region': 'VARCHAR', 'team': 'VARCHAR', 'cost': 'DECIMAL(38,10)'})`); err != nil {
			t.Fatal(err)
		}
	}
	var rules []cetypes.CostCategoryRule
	var cases []string
	for i := range 20 {
		rules = append(rules, cetypes.CostCategoryRule{Value: aws.String(fmt.Sprintf("V%d", i)), Rule: &cetypes.Expression{And: []cetypes.Expression{
			dim(cetypes.DimensionLinkedAccount, fmt.Sprintf("%012d", 100+i), fmt.Sprintf("%012d", 120+i)),
			{Not: &cetypes.Expression{Or: []cetypes.Expression{tagExpr("Team", fmt.Sprintf("t%d", i)), dim(cetypes.DimensionRegion, regions[i%4])}}}}}})
		cases = append(cases, fmt.Sprintf("WHEN account IN ('%012d', '%012d') AND NOT (coalesce(team, '') = 't%d' OR region = '%s') THEN 'V%d'",
			100+i, 120+i, i, regions[i%4], i))
	}
	c := env.client("payer")
	ctx := context.Background()
	created, err := c.CreateCostCategoryDefinition(ctx, &cesdk.CreateCostCategoryDefinitionInput{Name: aws.String("Big"),
		RuleVersion: cetypes.CostCategoryRuleVersionCostCategoryExpressionV1, Rules: rules, DefaultValue: aws.String("Rest"),
		EffectiveStart: aws.String("2023-12-01T00:00:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	// Storing the same definition again changes the store's version, so
	// that no run reads the pages a previous one cached.
	again := func() {
		if _, err := c.UpdateCostCategoryDefinition(ctx, &cesdk.UpdateCostCategoryDefinitionInput{CostCategoryArn: created.CostCategoryArn,
			RuleVersion: cetypes.CostCategoryRuleVersionCostCategoryExpressionV1, Rules: rules, DefaultValue: aws.String("Rest"),
			EffectiveStart: aws.String("2023-12-01T00:00:00Z")}); err != nil {
			t.Fatal(err)
		}
	}
	best := func(prep, run func()) time.Duration {
		b := time.Duration(1 << 62)
		for range 5 {
			prep()
			t0 := time.Now()
			run()
			b = min(b, time.Since(t0))
		}
		return b
	}
	costs := func(group cetypes.GroupDefinition) (func(), *int) {
		groups := new(int)
		return func() {
			in := &cesdk.GetCostAndUsageInput{
				TimePeriod:  &cetypes.DateInterval{Start: aws.String("2023-12-01"), End: aws.String("2025-01-01")},
				Granularity: cetypes.GranularityDaily, Metrics: []string{"UnblendedCost"}, GroupBy: []cetypes.GroupDefinition{group}}
			*groups = 0
			for {
				out, err := c.GetCostAndUsage(ctx, in)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range out.ResultsByTime {
					*groups += len(r.Groups)
				}
				if out.NextPageToken == nil {
					break
				}
				in.NextPageToken = out.NextPageToken
			}
		}, groups
	}
	byCategory, groups := costs(cetypes.GroupDefinition{Type: cetypes.GroupDefinitionTypeCostCategory, Key: aws.String("Big")})
	tally := best(again, byCategory)
	byAccount, accountGroups := costs(cetypes.GroupDefinition{Type: cetypes.GroupDefinitionTypeDimension, Key: aws.String("LINKED_ACCOUNT")})
	plain := best(again, byAccount)
	rawSQL := `SELECT date_trunc('day', ts) AS d, CASE ` + strings.Join(cases, " ") + ` ELSE 'Rest' END AS v, sum(cost)
		FROM raw GROUP BY ALL ORDER BY ALL`
	rawTime := best(func() {}, func() {
		rows, err := raw.Query(rawSQL)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
		}
		rows.Close()
	})
	t.Logf("%d lines: by the category %d groups in %v; raw DuckDB CASE %v (ratio %.2f); by LINKED_ACCOUNT %d groups in %v",
		13*perMonth, *groups, tally, rawTime, float64(tally)/float64(rawTime), *accountGroups, plain)
}
