package main

import (
	"context"
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/tallyhq/tally/internal/web/e2e"
)

// TestBrowserFidelity checks in headless Chromium the points a new user met
// (issue 12): the Cost Explorer badge says what the Budgets page says about
// alarms, hourly axis labels do not overlap, the y axis does not run below
// zero when no amount is negative, and the average per month counts the
// current month for the days that have passed.
func TestBrowserFidelity(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	b := e2e.Require(t)
	now := browserNow
	export := uiSynthExport(t, now)
	inst := start(t, now)
	ctx := context.Background()
	inst.ingest(t, export)
	bc := inst.budgets("test", "test")
	acct := aws.String(inst.app.TestAccount("")()) // the payer, the account the test key acts as
	// Budgets, evaluated as they are made: one far over its limit (its
	// ACTUAL alert at 80% goes into ALARM), one far under.
	for _, bd := range []struct{ name, limit string }{{"Tiny", "1"}, {"Roomy", "1000000000"}} {
		_, err := bc.CreateBudget(ctx, &budgets.CreateBudgetInput{AccountId: acct, Budget: &btypes.Budget{
			BudgetName: aws.String(bd.name), BudgetType: btypes.BudgetTypeCost, TimeUnit: btypes.TimeUnitMonthly,
			BudgetLimit: &btypes.Spend{Amount: aws.String(bd.limit), Unit: aws.String("USD")}},
			NotificationsWithSubscribers: []btypes.NotificationWithSubscribers{{
				Notification: &btypes.Notification{NotificationType: btypes.NotificationTypeActual,
					ComparisonOperator: btypes.ComparisonOperatorGreaterThan, Threshold: 80, ThresholdType: btypes.ThresholdTypePercentage},
				Subscribers: []btypes.Subscriber{{SubscriptionType: btypes.SubscriptionTypeEmail, Address: aws.String("finops@example.com")}}}}})
		if err != nil {
			t.Fatalf("CreateBudget %s: %v", bd.name, err)
		}
	}

	day := func(d int) string { return now.AddDate(0, 0, d).Format("2006-01-02") }
	hourly := url.Values{"range": {"custom"}, "start": {day(-2)}, "end": {day(0)}, "granularity": {"HOURLY"},
		"group": {"DIMENSION:SERVICE"}, "metric": {"UnblendedCost"}}
	monthly := url.Values{"range": {"this-month"}, "granularity": {"MONTHLY"}, "metric": {"UnblendedCost"}}
	res := b.Run(t, inst.url, e2e.Scenario{Name: "fidelity", Params: map[string]any{
		"hourlyPath": "/explorer?" + hourly.Encode(), "monthPath": "/explorer?" + monthly.Encode()}})
	var got struct {
		XLabels             [][2]float64
		YTicks              []string
		Average, Total      string
		AverageTitle, Strip string
		BudgetStats         map[string]string
		ConsoleErrors       []string
		Error               string
	}
	uiDecode(t, res["fidelity"], &got)
	if got.Error != "" || len(got.ConsoleErrors) > 0 {
		t.Fatalf("page error %s %v", got.Error, got.ConsoleErrors)
	}

	t.Run("hourly labels do not overlap", func(t *testing.T) {
		if len(got.XLabels) < 4 {
			t.Fatalf("only %d labels", len(got.XLabels))
		}
		for i := 1; i < len(got.XLabels); i++ {
			if got.XLabels[i][0] < got.XLabels[i-1][1] {
				t.Errorf("label %d starts at %.0f, before label %d ends at %.0f", i, got.XLabels[i][0], i-1, got.XLabels[i-1][1])
			}
		}
	})
	t.Run("y axis", func(t *testing.T) {
		ce := inst.ce("test", "test")
		negative := false
		for _, r := range getAll(t, ce, &costexplorer.GetCostAndUsageInput{TimePeriod: &cetypes.DateInterval{Start: aws.String(day(-2)), End: aws.String(day(0))},
			Granularity: cetypes.GranularityDaily, Metrics: []string{"UnblendedCost"},
			GroupBy: []cetypes.GroupDefinition{{Type: cetypes.GroupDefinitionTypeDimension, Key: aws.String("SERVICE")}}}) {
			for _, g := range r.Groups {
				if strings.HasPrefix(aws.ToString(g.Metrics["UnblendedCost"].Amount), "-") {
					negative = true
				}
			}
		}
		for _, tick := range got.YTicks {
			if !negative && (strings.HasPrefix(tick, "-") || strings.HasPrefix(tick, "−")) {
				t.Errorf("tick %q below zero although no amount is negative (ticks %q)", tick, got.YTicks)
			}
		}
	})
	t.Run("average per month", func(t *testing.T) {
		// this-month runs to tomorrow: 10 of March's 31 days have passed.
		total, avg := rat(t, got.Total), rat(t, got.Average)
		want := new(big.Rat).Mul(total, big.NewRat(31, 10))
		if diff := new(big.Rat).Abs(new(big.Rat).Sub(avg, want)); diff.Cmp(new(big.Rat).Mul(want, big.NewRat(1, 1_000_000))) > 0 {
			t.Errorf("average %s, want total %s × 31/10 = %s (%s)", avg.FloatString(4), total.FloatString(4), want.FloatString(4), got.AverageTitle)
		}
	})
	t.Run("badge and Budgets page agree", func(t *testing.T) {
		s := got.BudgetStats
		if s["budgets-alarms"] != "1" || s["budgets-count"] != "2" {
			t.Fatalf("Budgets page stats %v, want 1 of 2 in alarm", s)
		}
		if want := fmt.Sprintf("%s of %s budgets in alarm", s["budgets-alarms"], s["budgets-count"]); got.Strip != want {
			t.Errorf("badge %q, Budgets page says %q", got.Strip, want)
		}
	})
}
