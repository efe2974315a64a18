package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/synth"
)

// TestComparisons checks GetCostAndUsageComparisons, GetCostComparisonDrivers
// and GetApproximateUsageRecords over a generated CUR 2.0 organisation
// against SQL over the raw Parquet, written from AWS's definitions (the
// CUR's line item types and unblended cost), not from Tally's store.
func TestComparisons(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("generates and ingests an organisation")
	}
	now := time.Date(2026, 3, 18, 9, 0, 0, 0, time.UTC)
	out := t.TempDir()
	if _, err := synth.Generate(context.Background(), synth.Config{Out: out, Format: synth.FormatCUR2, Seed: 7, Rows: 30_000,
		Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Now: now, Workers: 1}); err != nil {
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
	if _, err := raw.Exec(fmt.Sprintf(`CREATE VIEW li AS SELECT *, CAST(line_item_unblended_cost AS DECIMAL(38,10)) AS cost,
		strftime(date_trunc('month', line_item_usage_start_date), '%%Y-%%m') AS month
		FROM read_parquet('%s')`, filepath.Join(out, "**", "*.parquet"))); err != nil {
		t.Fatal(err)
	}
	// table runs a query of (key, amount) rows into a map of amounts printed
	// with ten decimals, leaving out zeros.
	table := func(t *testing.T, q string) map[string]string {
		t.Helper()
		rows, err := raw.Query(`SELECT k, CAST(v AS VARCHAR) FROM (` + q + `) t(k, v)`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]string{}
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				t.Fatal(err)
			}
			if r := rat(t, v); r.Sign() != 0 {
				out[k] = r.FloatString(10)
			}
		}
		return out
	}
	jan := &types.DateInterval{Start: aws.String("2026-01-01"), End: aws.String("2026-02-01")}
	feb := &types.DateInterval{Start: aws.String("2026-02-01"), End: aws.String("2026-03-01")}
	byAccount := []types.GroupDefinition{{Type: types.GroupDefinitionTypeDimension, Key: aws.String("LINKED_ACCOUNT")}}

	// The differences of the comparisons, by account, for the drivers.
	differences := map[string]string{}
	t.Run("comparisons", func(t *testing.T) {
		in := &costexplorer.GetCostAndUsageComparisonsInput{BaselineTimePeriod: jan, ComparisonTimePeriod: feb,
			MetricForComparison: aws.String("UnblendedCost"), GroupBy: byAccount, MaxResults: aws.Int32(3)}
		got := map[string]string{}
		var total types.ComparisonMetricValue
		pages, last := 0, (*big.Rat)(nil)
		for {
			res, err := ce.GetCostAndUsageComparisons(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			total = res.TotalCostAndUsage["UnblendedCost"]
			for _, c := range res.CostAndUsageComparisons {
				m := c.Metrics["UnblendedCost"]
				acct := c.CostAndUsageSelector.Dimensions.Values[0]
				base, comp, diff := rat(t, aws.ToString(m.BaselineTimePeriodAmount)), rat(t, aws.ToString(m.ComparisonTimePeriodAmount)), rat(t, aws.ToString(m.Difference))
				got[acct+" 2026-01"], got[acct+" 2026-02"] = base.FloatString(10), comp.FloatString(10)
				differences[acct] = diff.FloatString(10)
				if new(big.Rat).Sub(comp, base).Cmp(diff) != 0 {
					t.Errorf("%s: Difference %s is not %s − %s", acct, diff, comp, base)
				}
				if a := new(big.Rat).Abs(diff); last != nil && a.Cmp(last) > 0 {
					t.Errorf("%s: change %s ranks after a smaller one %s", acct, a, last)
				} else {
					last = a
				}
				if aws.ToString(m.Unit) != "USD" {
					t.Errorf("%s: unit %q", acct, aws.ToString(m.Unit))
				}
			}
			if res.NextPageToken == nil {
				break
			}
			in.NextPageToken = res.NextPageToken
		}
		if pages < 2 {
			t.Errorf("%d pages of 3 groups: the test wants several", pages)
		}
		want := table(t, `SELECT line_item_usage_account_id || ' ' || month, sum(cost) FROM li GROUP BY ALL`)
		for k, v := range got {
			if rat(t, v).Sign() == 0 {
				delete(got, k)
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("UnblendedCost by account and month (-raw +tally):\n%s", diff)
		}
		wantTotal := table(t, `SELECT month, sum(cost) FROM li GROUP BY ALL`)
		gotTotal := map[string]string{"2026-01": rat(t, aws.ToString(total.BaselineTimePeriodAmount)).FloatString(10),
			"2026-02": rat(t, aws.ToString(total.ComparisonTimePeriodAmount)).FloatString(10)}
		if diff := cmp.Diff(wantTotal, gotTotal); diff != "" {
			t.Errorf("TotalCostAndUsage (-raw +tally):\n%s", diff)
		}
	})

	t.Run("drivers", func(t *testing.T) {
		in := &costexplorer.GetCostComparisonDriversInput{BaselineTimePeriod: jan, ComparisonTimePeriod: feb,
			MetricForComparison: aws.String("UnblendedCost"), GroupBy: byAccount}
		sums := map[string]*big.Rat{}   // by account
		byType := map[string]*big.Rat{} // by account and driver type, usage drivers together
		add := func(m map[string]*big.Rat, k string, v *big.Rat) {
			if m[k] == nil {
				m[k] = new(big.Rat)
			}
			m[k].Add(m[k], v)
		}
		volumeChecked := 0
		for {
			res, err := ce.GetCostComparisonDrivers(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.CostComparisonDrivers) > 10 {
				t.Errorf("%d entries in a page, the model's maximum is 10", len(res.CostComparisonDrivers))
			}
			for _, e := range res.CostComparisonDrivers {
				sel := map[string]string{}
				for _, part := range e.CostSelector.And {
					sel[string(part.Dimensions.Key)] = part.Dimensions.Values[0]
				}
				acct := sel["LINKED_ACCOUNT"]
				entry := new(big.Rat)
				for _, d := range e.CostDrivers {
					impact := rat(t, aws.ToString(d.Metrics["UnblendedCost"].Difference))
					typ := aws.ToString(d.Type)
					if typ == "USAGE_CHANGE" || typ == "RATE_CHANGE" {
						typ = "USAGE"
					}
					add(sums, acct, impact)
					add(byType, acct+" "+typ, impact)
					entry.Add(entry, impact)
					if aws.ToString(d.Type) == "USAGE_CHANGE" && volumeChecked < 5 {
						checkVolume(t, raw, sel, d)
						volumeChecked++
					}
				}
				if want := rat(t, aws.ToString(e.Metrics["UnblendedCost"].Difference)); entry.Cmp(want) != 0 {
					t.Errorf("entry %v: drivers add up to %s, its difference is %s", sel, entry.FloatString(10), want.FloatString(10))
				}
			}
			if res.NextPageToken == nil {
				break
			}
			in.NextPageToken = res.NextPageToken
		}
		if volumeChecked == 0 {
			t.Error("no USAGE_CHANGE driver to check against the raw usage")
		}
		got := map[string]string{}
		for k, v := range sums {
			if v.Sign() != 0 {
				got[k] = v.FloatString(10)
			}
		}
		want := map[string]string{}
		for k, v := range differences {
			if rat(t, v).Sign() != 0 {
				want[k] = v
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("drivers by account against the comparisons' differences (-comparisons +drivers):\n%s", diff)
		}
		// The record types of the CUR (line_item_line_item_type), mapped to
		// AWS's driver types.
		wantType := table(t, `SELECT line_item_usage_account_id || ' ' || CASE line_item_line_item_type
				WHEN 'Usage' THEN 'USAGE'
				WHEN 'DiscountedUsage' THEN 'RESERVATION_USAGE'
				WHEN 'SavingsPlanCoveredUsage' THEN 'SAVINGS_PLAN_USAGE' WHEN 'SavingsPlanNegation' THEN 'SAVINGS_PLAN_USAGE'
				WHEN 'SavingsPlanRecurringFee' THEN 'SAVINGS_PLAN_RECURRING_FEE' WHEN 'SavingsPlanUpfrontFee' THEN 'COMMITMENT'
				WHEN 'Credit' THEN 'CREDIT' WHEN 'Refund' THEN 'REFUND' WHEN 'Tax' THEN 'TAX'
				WHEN 'BundledDiscount' THEN 'BUNDLED_DISCOUNT' WHEN 'RIFee' THEN 'RECURRING_RESERVATION_FEE'
				WHEN 'Fee' THEN CASE WHEN coalesce(reservation_reservation_a_r_n, '') <> '' THEN 'UPFRONT_RESERVATION_FEE'
					WHEN line_item_product_code LIKE 'AWSSupport%' OR line_item_product_code LIKE 'AWSDeveloperSupport%' THEN 'SUPPORT_FEE'
					ELSE 'OUT_OF_CYCLE_CHARGE' END
				ELSE 'OTHER' END,
			sum(CASE month WHEN '2026-02' THEN cost ELSE -cost END) FROM li GROUP BY ALL`)
		gotType := map[string]string{}
		for k, v := range byType {
			if v.Sign() != 0 {
				gotType[k] = v.FloatString(10)
			}
		}
		if diff := cmp.Diff(wantType, gotType); diff != "" {
			t.Errorf("change by account and driver type (-raw +tally):\n%s", diff)
		}
		if len(wantType) <= len(want) {
			t.Errorf("the data has %d account/type changes for %d accounts: the test wants drivers besides usage", len(wantType), len(want))
		}
	})

	t.Run("shapes", func(t *testing.T) {
		// Without GroupBy: only the total.
		res, err := ce.GetCostAndUsageComparisons(ctx, &costexplorer.GetCostAndUsageComparisonsInput{BaselineTimePeriod: jan,
			ComparisonTimePeriod: feb, MetricForComparison: aws.String("UnblendedCost")})
		if err != nil {
			t.Fatal(err)
		}
		want := table(t, `SELECT 'd', sum(CASE month WHEN '2026-02' THEN cost ELSE -cost END) FROM li`)["d"]
		if len(res.CostAndUsageComparisons) != 0 || rat(t, aws.ToString(res.TotalCostAndUsage["UnblendedCost"].Difference)).FloatString(10) != want {
			t.Errorf("without GroupBy: %d comparisons, total %+v, want none and %s", len(res.CostAndUsageComparisons), res.TotalCostAndUsage, want)
		}
		// A filter and two groups: one account's usage, by region and charge type.
		var acct string
		for a := range differences {
			acct = a
			break
		}
		res, err = ce.GetCostAndUsageComparisons(ctx, &costexplorer.GetCostAndUsageComparisonsInput{BaselineTimePeriod: jan,
			ComparisonTimePeriod: feb, MetricForComparison: aws.String("UnblendedCost"),
			Filter: &types.Expression{Dimensions: &types.DimensionValues{Key: types.DimensionLinkedAccount, Values: []string{acct}}},
			GroupBy: []types.GroupDefinition{{Type: types.GroupDefinitionTypeDimension, Key: aws.String("RECORD_TYPE")},
				{Type: types.GroupDefinitionTypeDimension, Key: aws.String("LINKED_ACCOUNT")}}})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, c := range res.CostAndUsageComparisons {
			if len(c.CostAndUsageSelector.And) != 2 || aws.ToString((*string)(&c.CostAndUsageSelector.And[1].Dimensions.Key)) != "LINKED_ACCOUNT" {
				t.Fatalf("selector %+v", c.CostAndUsageSelector)
			}
			if d := rat(t, aws.ToString(c.Metrics["UnblendedCost"].Difference)); d.Sign() != 0 {
				got[c.CostAndUsageSelector.And[0].Dimensions.Values[0]] = d.FloatString(10)
			}
		}
		wantTypes := table(t, `SELECT CASE line_item_line_item_type WHEN 'RIFee' THEN 'Recurring'
				WHEN 'EdpDiscount' THEN 'Enterprise Discount Program Discount'
				WHEN 'Fee' THEN CASE WHEN coalesce(reservation_reservation_a_r_n, '') <> '' THEN 'Upfront'
					WHEN line_item_product_code LIKE 'AWSSupport%' THEN 'Support' ELSE 'Other out-of-cycle charges' END
				ELSE line_item_line_item_type END,
			sum(CASE month WHEN '2026-02' THEN cost ELSE -cost END) FROM li WHERE line_item_usage_account_id = '`+acct+`' GROUP BY ALL`)
		if diff := cmp.Diff(wantTypes, got); diff != "" {
			t.Errorf("account %s by record type (-raw +tally):\n%s", acct, diff)
		}
		// Drivers of a usage metric: usage changes, no rates.
		drv, err := ce.GetCostComparisonDrivers(ctx, &costexplorer.GetCostComparisonDriversInput{BaselineTimePeriod: jan,
			ComparisonTimePeriod: feb, MetricForComparison: aws.String("UsageQuantity")})
		if err != nil {
			t.Fatal(err)
		}
		if len(drv.CostComparisonDrivers) == 0 {
			t.Fatal("no drivers of UsageQuantity")
		}
		for _, e := range drv.CostComparisonDrivers {
			for _, d := range e.CostDrivers {
				if aws.ToString(d.Type) == "RATE_CHANGE" {
					t.Errorf("a usage metric has a rate change: %+v", d)
				}
			}
		}
	})

	t.Run("errors", func(t *testing.T) {
		midMonth := &types.DateInterval{Start: aws.String("2026-01-15"), End: aws.String("2026-02-15")}
		twoMonths := &types.DateInterval{Start: aws.String("2026-01-01"), End: aws.String("2026-03-01")}
		for _, tc := range []struct {
			name string
			in   costexplorer.GetCostAndUsageComparisonsInput
			want string
		}{
			{"not the first of a month", costexplorer.GetCostAndUsageComparisonsInput{BaselineTimePeriod: midMonth, ComparisonTimePeriod: feb,
				MetricForComparison: aws.String("UnblendedCost")}, "ValidationException"},
			{"two months", costexplorer.GetCostAndUsageComparisonsInput{BaselineTimePeriod: jan, ComparisonTimePeriod: twoMonths,
				MetricForComparison: aws.String("UnblendedCost")}, "ValidationException"},
			{"unknown metric", costexplorer.GetCostAndUsageComparisonsInput{BaselineTimePeriod: jan, ComparisonTimePeriod: feb,
				MetricForComparison: aws.String("Cost")}, "ValidationException"},
			{"too old", costexplorer.GetCostAndUsageComparisonsInput{BaselineTimePeriod: &types.DateInterval{Start: aws.String("2024-01-01"),
				End: aws.String("2024-02-01")}, ComparisonTimePeriod: feb, MetricForComparison: aws.String("UnblendedCost")}, "ValidationException"},
			{"group by resource", costexplorer.GetCostAndUsageComparisonsInput{BaselineTimePeriod: jan, ComparisonTimePeriod: feb,
				MetricForComparison: aws.String("UnblendedCost"), GroupBy: []types.GroupDefinition{{Type: types.GroupDefinitionTypeDimension,
					Key: aws.String("RESOURCE_ID")}}}, "ValidationException"},
			{"another account's view", costexplorer.GetCostAndUsageComparisonsInput{BaselineTimePeriod: jan, ComparisonTimePeriod: feb,
				MetricForComparison: aws.String("UnblendedCost"), BillingViewArn: aws.String("arn:aws:billing::123456789012:billingview/custom-1")},
				"ResourceNotFoundException"},
			{"forged token", costexplorer.GetCostAndUsageComparisonsInput{BaselineTimePeriod: jan, ComparisonTimePeriod: feb,
				MetricForComparison: aws.String("UnblendedCost"), GroupBy: byAccount, NextPageToken: aws.String("eyJyIjoiYSJ9.forged")},
				"InvalidNextTokenException"},
			{"forged token without GroupBy", costexplorer.GetCostAndUsageComparisonsInput{BaselineTimePeriod: jan, ComparisonTimePeriod: feb,
				MetricForComparison: aws.String("UnblendedCost"), NextPageToken: aws.String("eyJyIjoiYSJ9.forged")},
				"InvalidNextTokenException"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := ce.GetCostAndUsageComparisons(ctx, &tc.in)
				if code := apiCode(err); code != tc.want {
					t.Errorf("error %v, want %s", err, tc.want)
				}
			})
		}
		_, err := ce.GetCostComparisonDrivers(ctx, &costexplorer.GetCostComparisonDriversInput{BaselineTimePeriod: jan, ComparisonTimePeriod: feb,
			MetricForComparison: aws.String("UnblendedCost"), MaxResults: aws.Int32(11)})
		if code := apiCode(err); code != "ValidationException" {
			t.Errorf("drivers MaxResults 11: %v, want ValidationException", err)
		}
		// A token of one request presented with another.
		first, err := ce.GetCostAndUsageComparisons(ctx, &costexplorer.GetCostAndUsageComparisonsInput{BaselineTimePeriod: jan,
			ComparisonTimePeriod: feb, MetricForComparison: aws.String("UnblendedCost"), GroupBy: byAccount, MaxResults: aws.Int32(1)})
		if err != nil || first.NextPageToken == nil {
			t.Fatalf("first page: %v", err)
		}
		_, err = ce.GetCostAndUsageComparisons(ctx, &costexplorer.GetCostAndUsageComparisonsInput{BaselineTimePeriod: jan,
			ComparisonTimePeriod: feb, MetricForComparison: aws.String("BlendedCost"), GroupBy: byAccount, NextPageToken: first.NextPageToken})
		var bad *types.InvalidNextTokenException
		if !errors.As(err, &bad) {
			t.Errorf("token of another request: %v, want InvalidNextTokenException", err)
		}
	})

	t.Run("approximate usage records", func(t *testing.T) {
		res, err := ce.GetApproximateUsageRecords(ctx, &costexplorer.GetApproximateUsageRecordsInput{
			Granularity: types.GranularityDaily, ApproximationDimension: types.ApproximationDimensionResource})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(res.LookbackPeriod.Start) + "/" + aws.ToString(res.LookbackPeriod.End); got != "2026-02-01/2026-03-01" {
			t.Errorf("LookbackPeriod %s, want the last stored month", got)
		}
		var sum int64
		for _, n := range res.Services {
			sum += n
		}
		if sum != res.TotalRecords {
			t.Errorf("TotalRecords %d, services add up to %d", res.TotalRecords, sum)
		}
		// A record of resource-level daily data is one day of one resource
		// in one line of the bill's dimensions: at least one per distinct
		// (day, resource, usage type, operation, line item type, account),
		// at most one per line item.
		var lower, upper int64
		if err := raw.QueryRow(`SELECT count(DISTINCT (date_trunc('day', line_item_usage_start_date), line_item_resource_id,
				line_item_usage_type, line_item_operation, line_item_line_item_type, line_item_usage_account_id)), count(*)
				FROM li WHERE month = '2026-02'`).Scan(&lower, &upper); err != nil {
			t.Fatal(err)
		}
		if sum < lower || sum > upper {
			t.Errorf("TotalRecords %d, want between %d and %d", sum, lower, upper)
		}
		t.Logf("resource-level daily records in February: %d (raw bounds %d..%d)", sum, lower, upper)
		hourly, err := ce.GetApproximateUsageRecords(ctx, &costexplorer.GetApproximateUsageRecordsInput{
			Granularity: types.GranularityHourly, ApproximationDimension: types.ApproximationDimensionService,
			Services: []string{"Amazon Elastic Compute Cloud - Compute"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(hourly.Services) != 1 || hourly.Services["Amazon Elastic Compute Cloud - Compute"] == 0 {
			t.Errorf("Services of an EC2-only request: %v", hourly.Services)
		}
		_, err = ce.GetApproximateUsageRecords(ctx, &costexplorer.GetApproximateUsageRecordsInput{
			Granularity: types.GranularityMonthly, ApproximationDimension: types.ApproximationDimensionService})
		if code := apiCode(err); code != "ValidationException" {
			t.Errorf("MONTHLY: %v, want ValidationException", err)
		}
	})

	t.Run("aws cli", func(t *testing.T) {
		out, stderr, err := inst.cli(t, "ce", "get-cost-and-usage-comparisons",
			"--baseline-time-period", "Start=2026-01-01,End=2026-02-01", "--comparison-time-period", "Start=2026-02-01,End=2026-03-01",
			"--metric-for-comparison", "UnblendedCost", "--group-by", "Type=DIMENSION,Key=LINKED_ACCOUNT")
		if err != nil {
			t.Fatalf("aws ce get-cost-and-usage-comparisons: %v\n%s", err, stderr)
		}
		total := out["TotalCostAndUsage"].(map[string]any)["UnblendedCost"].(map[string]any)
		want := table(t, `SELECT 'd', sum(CASE month WHEN '2026-02' THEN cost ELSE -cost END) FROM li`)["d"]
		if got := rat(t, total["Difference"].(string)).FloatString(10); got != want {
			t.Errorf("CLI TotalCostAndUsage Difference %s, raw %s", got, want)
		}
		if n := len(out["CostAndUsageComparisons"].([]any)); n < 2 {
			t.Errorf("CLI returned %d comparisons", n)
		}
	})
}

// checkVolume recomputes a USAGE_CHANGE driver's impact, (U1 − U0) × C0/U0
// of the entry's on-demand usage, from the raw lines.
func checkVolume(t *testing.T, raw *sql.DB, sel map[string]string, d types.CostDriver) {
	t.Helper()
	var c0, u0, u1 sql.NullString
	err := raw.QueryRow(`SELECT
			CAST(sum(cost) FILTER (WHERE month = '2026-01') AS VARCHAR),
			CAST(sum(CAST(line_item_usage_amount AS DECIMAL(38,10))) FILTER (WHERE month = '2026-01') AS VARCHAR),
			CAST(sum(CAST(line_item_usage_amount AS DECIMAL(38,10))) FILTER (WHERE month = '2026-02') AS VARCHAR)
		FROM li WHERE line_item_line_item_type = 'Usage' AND line_item_usage_account_id = ? AND line_item_usage_type = ?`,
		sel["LINKED_ACCOUNT"], sel["USAGE_TYPE"]).Scan(&c0, &u0, &u1)
	if err != nil {
		t.Fatal(err)
	}
	got := rat(t, aws.ToString(d.Metrics["UnblendedCost"].Difference))
	if !u0.Valid || !u1.Valid || rat(t, u0.String).Sign() == 0 || rat(t, u1.String).Sign() == 0 {
		return // new or removed usage: the whole change, checked by the sums
	}
	want := new(big.Rat).Mul(new(big.Rat).Sub(rat(t, u1.String), rat(t, u0.String)), new(big.Rat).Quo(rat(t, c0.String), rat(t, u0.String)))
	// Up to half a cent of rate effect is folded into the volume effect.
	if diff := new(big.Rat).Abs(new(big.Rat).Sub(got, want)); diff.Cmp(big.NewRat(1, 200)) > 0 {
		t.Errorf("USAGE_CHANGE of %v = %s, raw (U1 − U0) × C0/U0 = %s", sel, got.FloatString(10), want.FloatString(10))
	}
}
