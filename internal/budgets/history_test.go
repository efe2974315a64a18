package budgets_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	bsdk "github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/google/go-cmp/cmp"
)

// threeMonths loads 50 USD in October, 250 in November and 41 in December.
func threeMonths(e *env) {
	_, dec := sampleLines()
	e.load("2018-10", items(line{day: "2018-10-05", account: alice, service: s3, cost: "50"})...)
	e.load("2018-11", items(line{day: "2018-11-05", account: alice, service: s3, cost: "250"})...)
	e.load("2018-12", items(dec...)...)
}

// history returns "start: budgeted / actual" for every period.
func history(t *testing.T, c *bsdk.Client, name string, in *bsdk.DescribeBudgetPerformanceHistoryInput) []string {
	t.Helper()
	if in == nil {
		in = &bsdk.DescribeBudgetPerformanceHistoryInput{}
	}
	in.AccountId, in.BudgetName = aws.String(alice), aws.String(name)
	var out []string
	p := bsdk.NewDescribeBudgetPerformanceHistoryPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.BudgetPerformanceHistory.BudgetedAndActualAmountsList {
			out = append(out, fmt.Sprintf("%s..%s: %s / %s %s", aws.ToTime(a.TimePeriod.Start).Format("2006-01-02"), aws.ToTime(a.TimePeriod.End).Format("2006-01-02"),
				aws.ToString(a.BudgetedAmount.Amount), aws.ToString(a.ActualAmount.Amount), aws.ToString(a.ActualAmount.Unit)))
		}
	}
	return out
}

func limitNow(t *testing.T, c *bsdk.Client, name string) string {
	t.Helper()
	out, err := c.DescribeBudget(context.Background(), &bsdk.DescribeBudgetInput{AccountId: aws.String(alice), BudgetName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Budget.BudgetLimit.Amount)
}

func TestPlannedLimitsAcrossMonths(t *testing.T) {
	e := newEnv(t, date("2018-10-15"))
	ctx := context.Background()
	c := e.client("test")
	threeMonths(e)
	planned := map[string]btypes.Spend{}
	for i := range 12 {
		planned[fmt.Sprint(date("2018-10-01").AddDate(0, i, 0).Unix())] = btypes.Spend{Amount: aws.String(fmt.Sprint(100 * (i + 1))), Unit: aws.String("USD")}
	}
	b := &btypes.Budget{BudgetName: aws.String("plan"), BudgetType: btypes.BudgetTypeCost, TimeUnit: btypes.TimeUnitMonthly, PlannedBudgetLimits: planned}
	if _, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(alice), Budget: b}); err != nil {
		t.Fatal(err)
	}
	if got := limitNow(t, c, "plan"); got != "100" {
		t.Errorf("BudgetLimit in October = %s, want 100", got)
	}
	out, _ := c.DescribeBudget(ctx, &bsdk.DescribeBudgetInput{AccountId: aws.String(alice), BudgetName: aws.String("plan")})
	if diff := cmp.Diff(jsonOf(t, planned), jsonOf(t, out.Budget.PlannedBudgetLimits)); diff != "" {
		t.Errorf("PlannedBudgetLimits (-want +got):\n%s", diff)
	}

	e.clock.Set(december)
	if got := limitNow(t, c, "plan"); got != "300" {
		t.Errorf("BudgetLimit in December = %s, want 300", got)
	}
	want := []string{
		"2018-10-01..2018-11-01: 100 / 50 USD",
		"2018-11-01..2018-12-01: 200 / 250 USD",
		"2018-12-01..2019-01-01: 300 / 41 USD",
	}
	if diff := cmp.Diff(want, history(t, c, "plan", &bsdk.DescribeBudgetPerformanceHistoryInput{MaxResults: aws.Int32(2)})); diff != "" {
		t.Errorf("performance history (-want +got):\n%s", diff)
	}
	narrow := &bsdk.DescribeBudgetPerformanceHistoryInput{TimePeriod: &btypes.TimePeriod{Start: aws.Time(date("2018-11-01")), End: aws.Time(date("2018-12-01"))}}
	if diff := cmp.Diff(want[1:2], history(t, c, "plan", narrow)); diff != "" {
		t.Errorf("history of November (-want +got):\n%s", diff)
	}

	// Once the plan has run out, its last limit goes on applying.
	e.clock.Set(date("2019-11-20"))
	if got := limitNow(t, c, "plan"); got != "1200" {
		t.Errorf("BudgetLimit after the plan = %s, want 1200", got)
	}
}

func TestHistoryKeepsPastLimits(t *testing.T) {
	e := newEnv(t, date("2018-10-15"))
	ctx := context.Background()
	c := e.client("test")
	threeMonths(e)
	if _, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(alice), Budget: monthly("fixed", "100")}); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(december)
	if _, err := c.UpdateBudget(ctx, &bsdk.UpdateBudgetInput{AccountId: aws.String(alice), NewBudget: monthly("fixed", "500")}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"2018-10-01..2018-11-01: 100 / 50 USD",
		"2018-11-01..2018-12-01: 100 / 250 USD",
		"2018-12-01..2019-01-01: 500 / 41 USD",
	}
	if diff := cmp.Diff(want, history(t, c, "fixed", nil)); diff != "" {
		t.Errorf("performance history (-want +got):\n%s", diff)
	}

	// A DAILY budget keeps 60 days under the aws profile.
	daily := monthly("daily", "5")
	daily.TimeUnit = btypes.TimeUnitDaily
	daily.TimePeriod = &btypes.TimePeriod{Start: aws.Time(date("2018-09-01"))}
	if _, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(alice), Budget: daily}); err != nil {
		t.Fatal(err)
	}
	h := history(t, c, "daily", nil)
	if len(h) != 60 || h[0] != "2018-10-12..2018-10-13: 5 / 0 USD" || h[59] != "2018-12-10..2018-12-11: 5 / 0 USD" {
		t.Errorf("daily history has %d days from %q to %q", len(h), h[0], h[len(h)-1])
	}
	if h[54] != "2018-12-05..2018-12-06: 5 / -4 USD" {
		t.Errorf("December 5th: %q, want the credit of -4", h[54])
	}

	annual := monthly("annual", "5")
	annual.TimeUnit = btypes.TimeUnitAnnually
	if _, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(alice), Budget: annual}); err != nil {
		t.Fatal(err)
	}
	_, err := c.DescribeBudgetPerformanceHistory(ctx, &bsdk.DescribeBudgetPerformanceHistoryInput{AccountId: aws.String(alice), BudgetName: aws.String("annual")})
	if errorCode(err) != "InvalidParameterException" {
		t.Errorf("history of an ANNUALLY budget: %v, want InvalidParameterException", err)
	}
}

func TestAutoAdjust(t *testing.T) {
	e := newEnv(t, december)
	ctx := context.Background()
	c := e.client("test")
	threeMonths(e)
	b := &btypes.Budget{BudgetName: aws.String("auto"), BudgetType: btypes.BudgetTypeCost, TimeUnit: btypes.TimeUnitMonthly,
		AutoAdjustData: &btypes.AutoAdjustData{AutoAdjustType: btypes.AutoAdjustTypeHistorical,
			HistoricalOptions: &btypes.HistoricalOptions{BudgetAdjustmentPeriod: aws.Int32(3)}}}
	if _, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(alice), Budget: b}); err != nil {
		t.Fatal(err)
	}
	out, err := c.DescribeBudget(ctx, &bsdk.DescribeBudgetInput{AccountId: aws.String(alice), BudgetName: aws.String("auto")})
	if err != nil {
		t.Fatal(err)
	}
	// September has no cost and is left out: (50 + 250) / 2.
	got := fmt.Sprintf("%s %s, look-back %d, adjusted %s", aws.ToString(out.Budget.BudgetLimit.Amount), aws.ToString(out.Budget.BudgetLimit.Unit),
		aws.ToInt32(out.Budget.AutoAdjustData.HistoricalOptions.LookBackAvailablePeriods), aws.ToTime(out.Budget.AutoAdjustData.LastAutoAdjustTime).Format("2006-01-02"))
	if want := "150.00 USD, look-back 2, adjusted 2018-12-10"; got != want {
		t.Errorf("auto-adjusted budget: %s, want %s", got, want)
	}

	f := &btypes.Budget{BudgetName: aws.String("auto-forecast"), BudgetType: btypes.BudgetTypeCost, TimeUnit: btypes.TimeUnitMonthly,
		AutoAdjustData: &btypes.AutoAdjustData{AutoAdjustType: btypes.AutoAdjustTypeForecast}}
	if _, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(alice), Budget: f}); err != nil {
		t.Fatal(err)
	}
	if got := limitNow(t, c, "auto-forecast"); got != "133.79" {
		t.Errorf("forecast-adjusted limit = %s, want 133.79", got)
	}
}
