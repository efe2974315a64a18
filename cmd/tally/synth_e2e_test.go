package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/synth"
)

// TestSyntheticOrganisation checks, over a generated CUR 2.0 export with
// Reserved Instances, Savings Plans, discounts and cost categories, the
// amortized metrics, GetCostCategories and GetCostAndUsageWithResources
// against SQL over the raw Parquet.
func TestSyntheticOrganisation(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("generates and ingests an organisation")
	}
	now := time.Date(2026, 3, 18, 9, 0, 0, 0, time.UTC)
	out := t.TempDir()
	if _, err := synth.Generate(context.Background(), synth.Config{Out: out, Format: synth.FormatCUR2, Seed: 7, Rows: 60_000, Months: 2, Now: now}); err != nil {
		t.Fatal(err)
	}
	inst := start(t, now)
	inst.ingest(t, out)
	ce := inst.ce("test", "test")
	ctx := context.Background()
	raw, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(fmt.Sprintf(`CREATE VIEW li AS SELECT * FROM read_parquet('%s')`, filepath.Join(out, "**", "*.parquet"))); err != nil {
		t.Fatal(err)
	}
	strs := func(t *testing.T, q string) []string {
		rows, err := raw.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			rows.Scan(&s)
			out = append(out, s)
		}
		return out
	}

	t.Run("amortized", func(t *testing.T) {
		// reference/data-formats.md §5, written independently of ingest.
		want := strs(t, `SELECT m || ' ' || CAST(CAST(a AS DECIMAL(38,4)) AS VARCHAR) FROM (
			SELECT strftime(date_trunc('month', line_item_usage_start_date), '%Y-%m-%d') AS m, sum(CAST(CASE line_item_line_item_type
			WHEN 'SavingsPlanCoveredUsage' THEN savings_plan_savings_plan_effective_cost
			WHEN 'SavingsPlanRecurringFee' THEN savings_plan_total_commitment_to_date - savings_plan_used_commitment
			WHEN 'SavingsPlanNegation' THEN 0 WHEN 'SavingsPlanUpfrontFee' THEN 0
			WHEN 'DiscountedUsage' THEN reservation_effective_cost
			WHEN 'RIFee' THEN reservation_unused_amortized_upfront_fee_for_billing_period + reservation_unused_recurring_fee
			WHEN 'Fee' THEN CASE WHEN coalesce(reservation_reservation_a_r_n, '') <> '' THEN 0 ELSE line_item_unblended_cost END
			ELSE line_item_unblended_cost END AS DECIMAL(38,10))) AS a FROM li GROUP BY m) ORDER BY 1`)
		res := getAll(t, ce, &costexplorer.GetCostAndUsageInput{TimePeriod: &types.DateInterval{Start: aws.String("2026-01-01"), End: aws.String("2026-04-01")},
			Granularity: types.GranularityMonthly, Metrics: []string{"AmortizedCost", "UnblendedCost"}})
		var got []string
		for _, r := range res {
			got = append(got, aws.ToString(r.TimePeriod.Start)+" "+rat(t, aws.ToString(r.Total["AmortizedCost"].Amount)).FloatString(4))
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("AmortizedCost by month (-raw +tally):\n%s", diff)
		}
	})

	t.Run("cost categories", func(t *testing.T) {
		names, err := ce.GetCostCategories(ctx, &costexplorer.GetCostCategoriesInput{
			TimePeriod: &types.DateInterval{Start: aws.String("2026-01-01"), End: aws.String("2026-04-01")}})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"BusinessUnit"}, names.CostCategoryNames); diff != "" {
			t.Errorf("names (-want +got):\n%s", diff)
		}
		values, err := ce.GetCostCategories(ctx, &costexplorer.GetCostCategoriesInput{CostCategoryName: aws.String("BusinessUnit"),
			TimePeriod: &types.DateInterval{Start: aws.String("2026-01-01"), End: aws.String("2026-04-01")}})
		if err != nil {
			t.Fatal(err)
		}
		want := strs(t, `SELECT DISTINCT cost_category['BusinessUnit'] AS v FROM li WHERE coalesce(cost_category['BusinessUnit'], '') <> '' ORDER BY v`)
		if diff := cmp.Diff(want, values.CostCategoryValues); diff != "" {
			t.Errorf("values (-raw +tally):\n%s", diff)
		}
	})

	t.Run("with resources", func(t *testing.T) {
		in := &costexplorer.GetCostAndUsageWithResourcesInput{
			TimePeriod:  &types.DateInterval{Start: aws.String("2026-03-10"), End: aws.String("2026-03-12")},
			Granularity: types.GranularityDaily, Metrics: []string{"UnblendedCost"},
			Filter:  &types.Expression{Dimensions: &types.DimensionValues{Key: types.DimensionService, Values: []string{"Amazon Elastic Compute Cloud - Compute"}}},
			GroupBy: []types.GroupDefinition{{Type: types.GroupDefinitionTypeDimension, Key: aws.String("RESOURCE_ID")}}}
		var got []string
		for {
			res, err := ce.GetCostAndUsageWithResources(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res.ResultsByTime {
				for _, g := range r.Groups {
					got = append(got, aws.ToString(r.TimePeriod.Start)+" "+g.Keys[0]+" "+rat(t, aws.ToString(g.Metrics["UnblendedCost"].Amount)).FloatString(6))
				}
			}
			if res.NextPageToken == nil {
				break
			}
			in.NextPageToken = res.NextPageToken
		}
		want := strs(t, `SELECT d || ' ' || r || ' ' || CAST(CAST(a AS DECIMAL(38,6)) AS VARCHAR) FROM (
			SELECT strftime(date_trunc('day', line_item_usage_start_date), '%Y-%m-%d') AS d, line_item_resource_id AS r,
			sum(CAST(line_item_unblended_cost AS DECIMAL(38,10))) AS a
			FROM li WHERE line_item_product_code = 'AmazonEC2' AND regexp_matches(line_item_usage_type, '(^|-)(BoxUsage|SpotUsage|DedicatedUsage|HostUsage)')
			AND line_item_usage_start_date >= TIMESTAMP '2026-03-10' AND line_item_usage_start_date < TIMESTAMP '2026-03-12'
			AND line_item_line_item_type <> 'Tax'
			GROUP BY d, r) ORDER BY 1`)
		if len(want) == 0 {
			t.Fatal("the raw data has no EC2 instance lines in the window")
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("EC2 cost by resource (-raw +tally):\n%s", diff)
		}
		_, err := ce.GetCostAndUsageWithResources(ctx, &costexplorer.GetCostAndUsageWithResourcesInput{
			TimePeriod:  &types.DateInterval{Start: aws.String("2026-01-01"), End: aws.String("2026-01-02")},
			Granularity: types.GranularityDaily, Metrics: []string{"UnblendedCost"}, Filter: in.Filter})
		if code := apiCode(err); code != "ValidationException" {
			t.Errorf("resource data older than 14 days: %v, want ValidationException", err)
		}
	})
}
