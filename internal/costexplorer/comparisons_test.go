package costexplorer_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cesdk "github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/profile"
)

// TestComparisonsByAccount checks, on figures worked out by hand, what
// each account sees of a comparison and its drivers, and the billing view
// rule. In October account 222222222222 used 1 request for $1; in November
// 2 requests for $10: a usage change of (2 − 1) × $1 = $1 and a rate change
// of ($5 − $1) × 2 = $8. Payer 333333333333's $4 of October is gone in
// November: a removed usage, all usage change.
func TestComparisonsByAccount(t *testing.T) {
	env := newTagEnv(t, profile.Unlimited)
	nov := time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC)
	loadLines(t, env.db, billing.BillingPeriod{Source: "cur:111111111111", Month: nov},
		line(nov, "111111111111", "222222222222", "5", map[string]string{"Team": "a"}),
		line(nov, "111111111111", "222222222222", "5", map[string]string{"Team": "a"}),
		line(nov, "111111111111", "111111111111", "2", nil))
	ctx := context.Background()
	oct := &cetypes.DateInterval{Start: aws.String("2024-10-01"), End: aws.String("2024-11-01")}
	novI := &cetypes.DateInterval{Start: aws.String("2024-11-01"), End: aws.String("2024-12-01")}
	byAccount := []cetypes.GroupDefinition{{Type: cetypes.GroupDefinitionTypeDimension, Key: aws.String("LINKED_ACCOUNT")}}
	compare := func(key string) map[string][3]string {
		t.Helper()
		out, err := env.client(key).GetCostAndUsageComparisons(ctx, &cesdk.GetCostAndUsageComparisonsInput{BaselineTimePeriod: oct,
			ComparisonTimePeriod: novI, MetricForComparison: aws.String("UnblendedCost"), GroupBy: byAccount})
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		got := map[string][3]string{}
		for _, c := range out.CostAndUsageComparisons {
			m := c.Metrics["UnblendedCost"]
			got[c.CostAndUsageSelector.Dimensions.Values[0]] = [3]string{aws.ToString(m.BaselineTimePeriodAmount),
				aws.ToString(m.ComparisonTimePeriodAmount), aws.ToString(m.Difference)}
		}
		return got
	}
	for _, tc := range []struct {
		key  string
		want map[string][3]string
	}{
		{"linked", map[string][3]string{"222222222222": {"1", "10", "9"}}},
		{"payer", map[string][3]string{"222222222222": {"1", "10", "9"}, "111111111111": {"2", "2", "0"}}},
		{"other", map[string][3]string{"333333333333": {"4", "0", "-4"}}},
		{"test", map[string][3]string{"222222222222": {"1", "10", "9"}, "111111111111": {"2", "2", "0"}, "333333333333": {"4", "0", "-4"}}},
	} {
		if diff := cmp.Diff(tc.want, compare(tc.key)); diff != "" {
			t.Errorf("%s sees (-want +got):\n%s", tc.key, diff)
		}
	}

	drivers := func(key string) map[string]string {
		t.Helper()
		out, err := env.client(key).GetCostComparisonDrivers(ctx, &cesdk.GetCostComparisonDriversInput{BaselineTimePeriod: oct,
			ComparisonTimePeriod: novI, MetricForComparison: aws.String("UnblendedCost"), GroupBy: byAccount})
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		got := map[string]string{}
		for _, e := range out.CostComparisonDrivers {
			for _, d := range e.CostDrivers {
				m := d.Metrics["UnblendedCost"]
				got[aws.ToString(d.Type)] = aws.ToString(m.BaselineTimePeriodAmount) + " → " + aws.ToString(m.ComparisonTimePeriodAmount) +
					" = " + aws.ToString(m.Difference)
				if u, ok := d.Metrics["UsageQuantity"]; ok {
					got[aws.ToString(d.Type)] += " (" + aws.ToString(u.BaselineTimePeriodAmount) + " → " + aws.ToString(u.ComparisonTimePeriodAmount) + " " + aws.ToString(u.Unit) + ")"
				}
			}
		}
		return got
	}
	if diff := cmp.Diff(map[string]string{"USAGE_CHANGE": "1 → 2 = 1 (1 → 2 Requests)", "RATE_CHANGE": "2 → 10 = 8"}, drivers("linked")); diff != "" {
		t.Errorf("drivers of the linked account (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"USAGE_CHANGE": "4 → 0 = -4 (1 → 0 Requests)"}, drivers("other")); diff != "" {
		t.Errorf("drivers of the other payer (-want +got):\n%s", diff)
	}

	// Grouping by a dimension the drivers add anyway, or by RECORD_TYPE,
	// changes the selectors, not the drivers.
	for _, key := range []string{"USAGE_TYPE", "RECORD_TYPE", "SERVICE"} {
		out, err := env.client("linked").GetCostComparisonDrivers(ctx, &cesdk.GetCostComparisonDriversInput{BaselineTimePeriod: oct,
			ComparisonTimePeriod: novI, MetricForComparison: aws.String("UnblendedCost"),
			GroupBy: []cetypes.GroupDefinition{{Type: cetypes.GroupDefinitionTypeDimension, Key: aws.String(key)}}})
		if err != nil {
			t.Fatalf("drivers by %s: %v", key, err)
		}
		var types []string
		for _, e := range out.CostComparisonDrivers {
			if e.CostSelector.And[0].Dimensions.Key != cetypes.Dimension(key) {
				t.Errorf("drivers by %s: selector starts with %s", key, e.CostSelector.And[0].Dimensions.Key)
			}
			for _, d := range e.CostDrivers {
				types = append(types, aws.ToString(d.Type)+" "+aws.ToString(d.Metrics["UnblendedCost"].Difference))
			}
		}
		if diff := cmp.Diff([]string{"RATE_CHANGE 8", "USAGE_CHANGE 1"}, types); diff != "" {
			t.Errorf("drivers by %s (-want +got):\n%s", key, diff)
		}
	}

	// The primary billing view of one's own account only.
	view := func(key, arn string) error {
		_, err := env.client(key).GetCostAndUsageComparisons(ctx, &cesdk.GetCostAndUsageComparisonsInput{BaselineTimePeriod: oct,
			ComparisonTimePeriod: novI, MetricForComparison: aws.String("UnblendedCost"), BillingViewArn: aws.String(arn)})
		return err
	}
	if err := view("linked", "arn:aws:billing::222222222222:billingview/primary"); err != nil {
		t.Errorf("own primary view: %v", err)
	}
	var nf *cetypes.ResourceNotFoundException
	if err := view("linked", "arn:aws:billing::111111111111:billingview/primary"); !errors.As(err, &nf) {
		t.Errorf("the payer's view from a linked account: %v, want ResourceNotFoundException", err)
	}
	_, err := env.client("linked").GetCostComparisonDrivers(ctx, &cesdk.GetCostComparisonDriversInput{BaselineTimePeriod: oct,
		ComparisonTimePeriod: novI, MetricForComparison: aws.String("UnblendedCost"),
		BillingViewArn: aws.String("arn:aws:billing::111111111111:billingview/primary")})
	if !errors.As(err, &nf) {
		t.Errorf("drivers in the payer's view from a linked account: %v, want ResourceNotFoundException", err)
	}

	// Usage records: one hourly record a line here; a member sees its own.
	recs, err := env.client("linked").GetApproximateUsageRecords(ctx, &cesdk.GetApproximateUsageRecordsInput{
		Granularity: cetypes.GranularityHourly, ApproximationDimension: cetypes.ApproximationDimensionService})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int64{"AWS Lambda": 1}, recs.Services); diff != "" || recs.TotalRecords != 1 ||
		aws.ToString(recs.LookbackPeriod.Start) != "2024-11-10" || aws.ToString(recs.LookbackPeriod.End) != "2024-12-10" {
		t.Errorf("linked account's records %v total %d lookback %s..%s (-want +got):\n%s", recs.Services, recs.TotalRecords,
			aws.ToString(recs.LookbackPeriod.Start), aws.ToString(recs.LookbackPeriod.End), diff)
	}
}
