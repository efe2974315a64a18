package budgets_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	bsdk "github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
)

const (
	s3     = "Amazon Simple Storage Service"
	lambda = "AWS Lambda"
	ec2    = "Amazon Elastic Compute Cloud - Compute"
)

// sampleLines are December's lines (41 USD in all) and one of November.
func sampleLines() (nov, dec []line) {
	prod, dev := map[string]string{"Env": "prod"}, map[string]string{"Env": "dev"}
	dec = []line{
		{day: "2018-12-01", account: alice, service: s3, cost: "10", usage: 50, unit: "GB-Mo", tags: prod},
		{day: "2018-12-02", account: alice, service: lambda, cost: "5", usage: 1000, unit: "Requests", tags: dev},
		{day: "2018-12-03", account: bob, service: s3, cost: "20", usage: 25, unit: "GB-Mo", tags: prod},
		{day: "2018-12-01", account: alice, service: "Tax", recordType: "Tax", cost: "3"},
		{day: "2018-12-01", account: bob, service: ec2, recordType: "Recurring", lineType: "RIFee", cost: "7", amortized: "2"},
		{day: "2018-12-05", account: alice, service: lambda, recordType: "Credit", cost: "-4"},
	}
	nov = []line{{day: "2018-11-15", account: alice, service: s3, cost: "100", usage: 10, unit: "GB-Mo", tags: prod}}
	return nov, dec
}

func TestSpendFromData(t *testing.T) {
	e := newEnv(t, december)
	nov, dec := sampleLines()
	e.load("2018-11", items(nov...)...)
	e.load("2018-12", items(dec...)...)
	ctx := context.Background()
	for _, tc := range []struct {
		name, key, account string
		edit               func(b *btypes.Budget)
		actual, forecast   string
	}{
		// 41 USD by the 10th at noon, 9.5 of 31 days: 41 × 31 / 9.5.
		{"everything", "test", alice, func(*btypes.Budget) {}, "41", "133.7894736842"},
		{"own account", "alice", alice, func(*btypes.Budget) {}, "14", ""},
		{"service", "test", alice, costFilters("Service", s3), "30", ""},
		{"linked account", "test", alice, costFilters("LinkedAccount", alice), "14", ""},
		{"service of own account", "bob", bob, costFilters("Service", s3), "20", ""},
		{"tag", "test", alice, costFilters("TagKeyValue", "user:Env$prod"), "30", ""},
		{"tag without user prefix", "test", alice, costFilters("TagKeyValue", "Env$dev"), "5", ""},
		{"untagged", "test", alice, costFilters("TagKeyValue", "user:Env$"), "6", ""},
		{"two keys", "test", alice, func(b *btypes.Budget) {
			b.CostFilters = map[string][]string{"Service": {s3, lambda}, "LinkedAccount": {alice}}
		}, "11", ""},
		{"no tax", "test", alice, costTypes(func(c *btypes.CostTypes) { c.IncludeTax = aws.Bool(false) }), "38", ""},
		{"no credit", "test", alice, costTypes(func(c *btypes.CostTypes) { c.IncludeCredit = aws.Bool(false) }), "45", ""},
		{"no recurring", "test", alice, costTypes(func(c *btypes.CostTypes) { c.IncludeRecurring = aws.Bool(false) }), "34", ""},
		{"no subscription", "test", alice, costTypes(func(c *btypes.CostTypes) { c.IncludeSubscription = aws.Bool(false) }), "34", ""},
		{"amortized", "test", alice, costTypes(func(c *btypes.CostTypes) { c.UseAmortized = aws.Bool(true) }), "36", ""},
		{"expression", "test", alice, func(b *btypes.Budget) {
			b.FilterExpression = &btypes.Expression{And: []btypes.Expression{
				{Dimensions: &btypes.ExpressionDimensionValues{Key: btypes.DimensionService, Values: []string{s3, lambda}}},
				{Not: &btypes.Expression{Tags: &btypes.TagValues{Key: aws.String("user:Env"), Values: []string{"dev"}}}},
			}}
			b.Metrics = []btypes.Metric{btypes.MetricNetUnblendedCost}
		}, "26", ""},
		{"expression starts with", "test", alice, func(b *btypes.Budget) {
			b.FilterExpression = &btypes.Expression{Dimensions: &btypes.ExpressionDimensionValues{Key: btypes.DimensionService,
				Values: []string{"amazon"}, MatchOptions: []btypes.MatchOption{btypes.MatchOptionStartsWith, btypes.MatchOptionCaseInsensitive}}}
		}, "37", ""},
		{"usage", "test", alice, func(b *btypes.Budget) {
			b.BudgetType, b.BudgetLimit = btypes.BudgetTypeUsage, &btypes.Spend{Amount: aws.String("100"), Unit: aws.String("GB-Mo")}
			b.CostFilters = map[string][]string{"Service": {s3}}
		}, "75", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := e.client(tc.key)
			b := monthly("spend-"+tc.name, "100")
			tc.edit(b)
			if _, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(tc.account), Budget: b}); err != nil {
				t.Fatalf("CreateBudget: %v", err)
			}
			out, err := c.DescribeBudget(ctx, &bsdk.DescribeBudgetInput{AccountId: aws.String(tc.account), BudgetName: b.BudgetName})
			if err != nil {
				t.Fatal(err)
			}
			cs := out.Budget.CalculatedSpend
			if got := aws.ToString(cs.ActualSpend.Amount); got != tc.actual {
				t.Errorf("ActualSpend = %s, want %s", got, tc.actual)
			}
			if got, want := aws.ToString(cs.ActualSpend.Unit), aws.ToString(b.BudgetLimit.Unit); got != want {
				t.Errorf("unit = %s, want %s", got, want)
			}
			if tc.forecast != "" && aws.ToString(cs.ForecastedSpend.Amount) != tc.forecast {
				t.Errorf("ForecastedSpend = %s, want %s", aws.ToString(cs.ForecastedSpend.Amount), tc.forecast)
			}
		})
	}
}

func costFilters(key string, values ...string) func(b *btypes.Budget) {
	return func(b *btypes.Budget) { b.CostFilters = map[string][]string{key: values} }
}

func costTypes(edit func(c *btypes.CostTypes)) func(b *btypes.Budget) {
	return func(b *btypes.Budget) {
		b.CostTypes = &btypes.CostTypes{}
		edit(b.CostTypes)
	}
}

// TestSpendFollowsIngest: a budget's spend is measured again when the data
// changes and Evaluate runs, as it does after every ingest.
func TestSpendFollowsIngest(t *testing.T) {
	e := newEnv(t, december)
	ctx := context.Background()
	c := e.client("test")
	if _, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(alice), Budget: monthly("b", "100")}); err != nil {
		t.Fatal(err)
	}
	actual := func() string {
		out, err := c.DescribeBudget(ctx, &bsdk.DescribeBudgetInput{AccountId: aws.String(alice), BudgetName: aws.String("b")})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Budget.CalculatedSpend.ActualSpend.Amount)
	}
	if got := actual(); got != "0" {
		t.Errorf("before any data: %s, want 0", got)
	}
	_, dec := sampleLines()
	e.load("2018-12", items(dec...)...)
	e.evaluate()
	if got := actual(); got != "41" {
		t.Errorf("after the ingest: %s, want 41", got)
	}
	// Into January the budget has a new, empty period.
	e.clock.Set(date("2019-01-02"))
	if got := actual(); got != "0" {
		t.Errorf("in January: %s, want 0", got)
	}
}

// TestConcurrentEvaluation runs evaluations while budgets and notifications
// change: every change survives and every crossing is queued once.
func TestConcurrentEvaluation(t *testing.T) {
	e := newEnv(t, december)
	_, dec := sampleLines()
	e.load("2018-12", items(dec...)...)
	ctx := context.Background()
	c := e.client("test")
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 20 {
			if err := e.svc.Evaluate(ctx); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for i := range 8 {
		name := aws.String(fmt.Sprint("b", i))
		if _, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(alice), Budget: monthly(*name, "100")}); err != nil {
			t.Fatal(err)
		}
		// 41 USD is over 10% of 100: each notification crosses at once.
		if _, err := c.CreateNotification(ctx, &bsdk.CreateNotificationInput{AccountId: aws.String(alice), BudgetName: name,
			Notification: actualOver(10), Subscribers: []btypes.Subscriber{email("ops@example.com")}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.UpdateBudget(ctx, &bsdk.UpdateBudgetInput{AccountId: aws.String(alice), NewBudget: monthly(*name, "200")}); err != nil {
			t.Fatal(err)
		}
	}
	<-done
	e.evaluate()
	out, err := c.DescribeBudgets(ctx, &bsdk.DescribeBudgetsInput{AccountId: aws.String(alice)})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range out.Budgets {
		if got := aws.ToString(b.BudgetLimit.Amount); got != "200" {
			t.Errorf("%s: limit %s, want 200", aws.ToString(b.BudgetName), got)
		}
	}
	if len(out.Budgets) != 8 || len(e.queued()) != 8 {
		t.Errorf("%d budgets and %d alerts, want 8 and 8", len(out.Budgets), len(e.queued()))
	}
}
