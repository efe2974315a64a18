package budgets_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	bsdk "github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/google/go-cmp/cmp"
)

// december is the clock of most tests: the 10th of a month with data.
var december = date("2018-12-10T12:00:00Z")

// jsonOf renders an SDK value as generic JSON, to compare it whole.
func jsonOf(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func monthly(name, amount string) *btypes.Budget {
	return &btypes.Budget{BudgetName: aws.String(name), BudgetType: btypes.BudgetTypeCost, TimeUnit: btypes.TimeUnitMonthly,
		BudgetLimit: &btypes.Spend{Amount: aws.String(amount), Unit: aws.String("USD")}}
}

func TestCreateAndDescribeBudget(t *testing.T) {
	e := newEnv(t, december)
	ctx := context.Background()
	c := e.client("alice")
	b := monthly("team", "50")
	//lint:ignore SA1019 CostFilters is deprecated in the SDK but is the classic way to filter.
	b.CostFilters = map[string][]string{"Service": {"Amazon Simple Storage Service"}}
	if _, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(alice), Budget: b}); err != nil {
		t.Fatalf("CreateBudget: %v", err)
	}
	out, err := c.DescribeBudget(ctx, &bsdk.DescribeBudgetInput{AccountId: aws.String(alice), BudgetName: aws.String("team")})
	if err != nil {
		t.Fatalf("DescribeBudget: %v", err)
	}
	want := map[string]any{
		"BudgetName": "team", "BudgetType": "COST", "TimeUnit": "MONTHLY",
		"BudgetLimit": map[string]any{"Amount": "50", "Unit": "USD"},
		"CostFilters": map[string]any{"Service": []any{"Amazon Simple Storage Service"}},
		"CostTypes": map[string]any{"IncludeCredit": true, "IncludeDiscount": true, "IncludeOtherSubscription": true,
			"IncludeRecurring": true, "IncludeRefund": true, "IncludeSubscription": true, "IncludeSupport": true,
			"IncludeTax": true, "IncludeUpfront": true, "UseAmortized": false, "UseBlended": false},
		// The start of the current month and AWS's default end.
		"TimePeriod":      map[string]any{"Start": "2018-12-01T00:00:00Z", "End": "2087-06-15T00:00:00Z"},
		"CalculatedSpend": map[string]any{"ActualSpend": map[string]any{"Amount": "0", "Unit": "USD"}, "ForecastedSpend": map[string]any{"Amount": "0", "Unit": "USD"}},
		"LastUpdatedTime": "2018-12-10T12:00:00Z",
		"AutoAdjustData":  nil, "BillingViewArn": nil, "FilterExpression": nil, "Metrics": nil,
		"HealthStatus":        map[string]any{"Status": "HEALTHY", "StatusReason": "", "LastUpdatedTime": "2018-12-10T12:00:00Z"},
		"PlannedBudgetLimits": nil,
	}
	if diff := cmp.Diff(any(want), jsonOf(t, out.Budget)); diff != "" {
		t.Errorf("DescribeBudget (-want +got):\n%s", diff)
	}

	// ShowFilterExpression renders the classic filter as an expression.
	out, err = c.DescribeBudget(ctx, &bsdk.DescribeBudgetInput{AccountId: aws.String(alice), BudgetName: aws.String("team"), ShowFilterExpression: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	wantExpr := map[string]any{"And": nil, "CostCategories": nil, "Not": nil, "Or": nil, "Tags": nil,
		"Dimensions": map[string]any{"Key": "SERVICE", "Values": []any{"Amazon Simple Storage Service"}, "MatchOptions": nil}}
	if diff := cmp.Diff(any(wantExpr), jsonOf(t, out.Budget.FilterExpression)); diff != "" {
		t.Errorf("FilterExpression (-want +got):\n%s", diff)
	}
}

func TestBudgetCRUDErrors(t *testing.T) {
	e := newEnv(t, december)
	ctx := context.Background()
	c := e.client("alice")
	create := func(b *btypes.Budget) error {
		_, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(alice), Budget: b})
		return err
	}
	if err := create(monthly("a", "10")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"duplicate", func() error { return create(monthly("a", "20")) }, "DuplicateRecordException"},
		{"describe missing", func() error {
			_, err := c.DescribeBudget(ctx, &bsdk.DescribeBudgetInput{AccountId: aws.String(alice), BudgetName: aws.String("nope")})
			return err
		}, "NotFoundException"},
		{"update missing", func() error {
			_, err := c.UpdateBudget(ctx, &bsdk.UpdateBudgetInput{AccountId: aws.String(alice), NewBudget: monthly("nope", "1")})
			return err
		}, "NotFoundException"},
		{"delete missing", func() error {
			_, err := c.DeleteBudget(ctx, &bsdk.DeleteBudgetInput{AccountId: aws.String(alice), BudgetName: aws.String("nope")})
			return err
		}, "NotFoundException"},
		{"other account", func() error {
			_, err := c.DescribeBudgets(ctx, &bsdk.DescribeBudgetsInput{AccountId: aws.String(bob)})
			return err
		}, "AccessDeniedException"},
		{"other account's create", func() error {
			_, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(bob), Budget: monthly("x", "1")})
			return err
		}, "AccessDeniedException"},
		{"test identity, another account", func() error {
			_, err := e.client("test").CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String("111122223333"), Budget: monthly("x", "1")})
			return err
		}, "AccessDeniedException"},
		{"test identity, another account's budgets", func() error {
			_, err := e.client("test").DescribeBudgets(ctx, &bsdk.DescribeBudgetsInput{AccountId: aws.String(bob)})
			return err
		}, "AccessDeniedException"},
		{"name with a colon", func() error { return create(monthly("a:b", "1")) }, "InvalidParameterException"},
		{"name with /action/", func() error { return create(monthly("x/action/y", "1")) }, "InvalidParameterException"},
		{"account id", func() error {
			_, err := c.DescribeBudgets(ctx, &bsdk.DescribeBudgetsInput{AccountId: aws.String("1234")})
			return err
		}, "InvalidParameterException"},
		{"describe action", func() error {
			_, err := c.DescribeBudgetAction(ctx, &bsdk.DescribeBudgetActionInput{AccountId: aws.String(alice), BudgetName: aws.String("a"),
				ActionId: aws.String("00000000-0000-0000-0000-000000000000")})
			return err
		}, "NotFoundException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := errorCode(tc.call()); got != tc.want {
				t.Errorf("error = %s, want %s", got, tc.want)
			}
		})
	}

	acts, err := c.DescribeBudgetActionsForAccount(ctx, &bsdk.DescribeBudgetActionsForAccountInput{AccountId: aws.String(alice)})
	if err != nil || len(acts.Actions) != 0 {
		t.Errorf("DescribeBudgetActionsForAccount = %v, %v; want no actions", acts, err)
	}

	// The test identity may act for any account.
	if _, err := e.client("test").DescribeBudget(ctx, &bsdk.DescribeBudgetInput{AccountId: aws.String(alice), BudgetName: aws.String("a")}); err != nil {
		t.Errorf("test identity DescribeBudget: %v", err)
	}

	// Update keeps the name and changes the rest; delete removes it.
	nb := monthly("a", "99")
	nb.TimeUnit = btypes.TimeUnitQuarterly
	if _, err := c.UpdateBudget(ctx, &bsdk.UpdateBudgetInput{AccountId: aws.String(alice), NewBudget: nb}); err != nil {
		t.Fatalf("UpdateBudget: %v", err)
	}
	out, err := c.DescribeBudget(ctx, &bsdk.DescribeBudgetInput{AccountId: aws.String(alice), BudgetName: aws.String("a")})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(aws.ToString(out.Budget.BudgetLimit.Amount), " ", out.Budget.TimeUnit, " ", aws.ToTime(out.Budget.TimePeriod.Start).Format("2006-01-02")); got != "99 QUARTERLY 2018-12-01" {
		t.Errorf("after update: %s, want 99 QUARTERLY 2018-12-01 (the time period is kept)", got)
	}
	if _, err := c.DeleteBudget(ctx, &bsdk.DeleteBudgetInput{AccountId: aws.String(alice), BudgetName: aws.String("a")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DescribeBudget(ctx, &bsdk.DescribeBudgetInput{AccountId: aws.String(alice), BudgetName: aws.String("a")}); errorCode(err) != "NotFoundException" {
		t.Errorf("after delete: %v", err)
	}
}

func TestBudgetValidation(t *testing.T) {
	e := newEnv(t, december)
	ctx := context.Background()
	c := e.client("alice")
	planned := func(from string, n int) map[string]btypes.Spend {
		m := map[string]btypes.Spend{}
		s := date(from)
		for i := 0; i < n; i++ {
			m[fmt.Sprint(s.AddDate(0, i, 0).Unix())] = btypes.Spend{Amount: aws.String("10"), Unit: aws.String("USD")}
		}
		return m
	}
	for _, tc := range []struct {
		name string
		edit func(b *btypes.Budget)
		want string
	}{
		{"limit and planned", func(b *btypes.Budget) { b.PlannedBudgetLimits = planned("2018-12-01", 12) }, "InvalidParameterException"},
		{"no limit", func(b *btypes.Budget) { b.BudgetLimit = nil }, "InvalidParameterException"},
		{"filters both ways", func(b *btypes.Budget) {
			b.CostFilters = map[string][]string{"Region": {"us-east-1"}}
			b.FilterExpression = &btypes.Expression{Dimensions: &btypes.ExpressionDimensionValues{Key: btypes.DimensionRegion, Values: []string{"us-east-1"}}}
		}, "InvalidParameterException"},
		{"cost types with metrics", func(b *btypes.Budget) {
			b.CostTypes = &btypes.CostTypes{IncludeTax: aws.Bool(false)}
			b.Metrics = []btypes.Metric{btypes.MetricAmortizedCost}
		}, "InvalidParameterException"},
		{"unknown filter key", func(b *btypes.Budget) { b.CostFilters = map[string][]string{"Colour": {"red"}} }, "InvalidParameterException"},
		{"tag without $", func(b *btypes.Budget) { b.CostFilters = map[string][]string{"TagKeyValue": {"user:Env"}} }, "InvalidParameterException"},
		{"two roots", func(b *btypes.Budget) {
			b.FilterExpression = &btypes.Expression{Dimensions: &btypes.ExpressionDimensionValues{Key: btypes.DimensionRegion, Values: []string{"x"}},
				Tags: &btypes.TagValues{Key: aws.String("Env"), Values: []string{"x"}}}
		}, "InvalidParameterException"},
		{"unfilterable dimension", func(b *btypes.Budget) {
			b.FilterExpression = &btypes.Expression{Dimensions: &btypes.ExpressionDimensionValues{Key: btypes.DimensionResourceId, Values: []string{"i-1"}}}
		}, "InvalidParameterException"},
		{"usage metric on a cost budget", func(b *btypes.Budget) { b.Metrics = []btypes.Metric{btypes.MetricUsageQuantity} }, "InvalidParameterException"},
		{"blended and amortized", func(b *btypes.Budget) {
			b.CostTypes = &btypes.CostTypes{UseBlended: aws.Bool(true), UseAmortized: aws.Bool(true)}
		}, "InvalidParameterException"},
		{"end before start", func(b *btypes.Budget) {
			b.TimePeriod = &btypes.TimePeriod{Start: aws.Time(date("2019-01-01")), End: aws.Time(date("2018-12-20"))}
		}, "InvalidParameterException"},
		{"end after 2087-06-15", func(b *btypes.Budget) { b.TimePeriod = &btypes.TimePeriod{End: aws.Time(date("2090-01-01"))} }, "InvalidParameterException"},
		{"end passed", func(b *btypes.Budget) {
			b.TimePeriod = &btypes.TimePeriod{Start: aws.Time(date("2018-01-01")), End: aws.Time(date("2018-12-01"))}
		}, "InvalidParameterException"},
		{"negative limit", func(b *btypes.Budget) { b.BudgetLimit.Amount = aws.String("-5") }, "InvalidParameterException"},
		{"RI budget limit not 100", func(b *btypes.Budget) { b.BudgetType = btypes.BudgetTypeRIUtilization }, "InvalidParameterException"},
		{"auto-adjust custom", func(b *btypes.Budget) {
			b.TimeUnit = btypes.TimeUnitCustom
			b.AutoAdjustData = &btypes.AutoAdjustData{AutoAdjustType: btypes.AutoAdjustTypeForecast}
		}, "InvalidParameterException"},
		{"auto-adjust too long", func(b *btypes.Budget) {
			b.AutoAdjustData = &btypes.AutoAdjustData{AutoAdjustType: btypes.AutoAdjustTypeHistorical,
				HistoricalOptions: &btypes.HistoricalOptions{BudgetAdjustmentPeriod: aws.Int32(13)}}
		}, "InvalidParameterException"},
		{"unknown billing view", func(b *btypes.Budget) {
			b.BillingViewArn = aws.String("arn:aws:billing::111111111111:billingview/custom-1")
		}, "NotFoundException"},
		{"planned on a daily budget", func(b *btypes.Budget) {
			b.BudgetLimit, b.TimeUnit, b.PlannedBudgetLimits = nil, btypes.TimeUnitDaily, planned("2018-12-01", 12)
		}, "InvalidParameterException"},
		{"planned without the current month", func(b *btypes.Budget) { b.BudgetLimit, b.PlannedBudgetLimits = nil, planned("2019-01-01", 11) }, "InvalidParameterException"},
		{"planned over 12 months", func(b *btypes.Budget) { b.BudgetLimit, b.PlannedBudgetLimits = nil, planned("2018-12-01", 13) }, "InvalidParameterException"},
		{"planned key not a month start", func(b *btypes.Budget) {
			b.BudgetLimit = nil
			b.PlannedBudgetLimits = planned("2018-12-01", 2)
			b.PlannedBudgetLimits[fmt.Sprint(date("2019-02-02").Unix())] = btypes.Spend{Amount: aws.String("1"), Unit: aws.String("USD")}
		}, "InvalidParameterException"},
		{"planned with a gap", func(b *btypes.Budget) {
			b.BudgetLimit = nil
			b.PlannedBudgetLimits = planned("2018-12-01", 1)
			b.PlannedBudgetLimits[fmt.Sprint(date("2019-02-01").Unix())] = btypes.Spend{Amount: aws.String("1"), Unit: aws.String("USD")}
		}, "InvalidParameterException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := monthly("v", "10")
			tc.edit(b)
			_, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(alice), Budget: b})
			if got := errorCode(err); got != tc.want {
				t.Errorf("error = %s (%s), want %s", got, errorMessage(err), tc.want)
			}
			t.Log(errorMessage(err))
		})
	}

	// What is accepted: an RI budget without a limit gets 100 PERCENTAGE.
	ri := &btypes.Budget{BudgetName: aws.String("ri"), BudgetType: btypes.BudgetTypeRIUtilization, TimeUnit: btypes.TimeUnitMonthly}
	if _, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(alice), Budget: ri}); err != nil {
		t.Fatalf("RI budget: %v", err)
	}
	out, err := c.DescribeBudget(ctx, &bsdk.DescribeBudgetInput{AccountId: aws.String(alice), BudgetName: aws.String("ri")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.Budget.BudgetLimit.Amount) + " " + aws.ToString(out.Budget.BudgetLimit.Unit); got != "100 PERCENTAGE" || out.Budget.CalculatedSpend != nil {
		t.Errorf("RI budget limit = %s, spend %v; want 100 PERCENTAGE and no spend", got, out.Budget.CalculatedSpend)
	}
}

func TestDescribeBudgetsPages(t *testing.T) {
	e := newEnv(t, december)
	ctx := context.Background()
	c := e.client("test")
	for _, n := range []string{"e", "a", "d", "c", "b"} {
		if _, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(alice), Budget: monthly(n, "1")}); err != nil {
			t.Fatal(err)
		}
	}
	// Bob's budget does not show among Alice's.
	if _, err := e.client("bob").CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(bob), Budget: monthly("bobs", "1")}); err != nil {
		t.Fatal(err)
	}
	var names []string
	p := bsdk.NewDescribeBudgetsPaginator(c, &bsdk.DescribeBudgetsInput{AccountId: aws.String(alice), MaxResults: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, b := range out.Budgets {
			names = append(names, aws.ToString(b.BudgetName))
		}
	}
	if diff := cmp.Diff([]string{"a", "b", "c", "d", "e"}, names); diff != "" || pages != 3 {
		t.Errorf("names in %d pages (-want +got):\n%s", pages, diff)
	}

	first, err := c.DescribeBudgets(ctx, &bsdk.DescribeBudgetsInput{AccountId: aws.String(alice), MaxResults: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		account string
		token   string
		advance time.Duration
		want    string
	}{
		{"garbage", alice, "garbage", 0, "InvalidNextTokenException"},
		{"tampered", alice, aws.ToString(first.NextToken) + "x", 0, "InvalidNextTokenException"},
		{"another account", bob, aws.ToString(first.NextToken), 0, "InvalidNextTokenException"},
		{"expired", alice, aws.ToString(first.NextToken), 25 * time.Hour, "ExpiredNextTokenException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.clock.Set(december.Add(tc.advance))
			defer e.clock.Set(december)
			c := c
			if tc.account == bob {
				c = e.client("bob") // the test identity acts for Alice only
			}
			_, err := c.DescribeBudgets(ctx, &bsdk.DescribeBudgetsInput{AccountId: aws.String(tc.account), NextToken: aws.String(tc.token)})
			if got := errorCode(err); got != tc.want {
				t.Errorf("error = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestBudgetEndDate(t *testing.T) {
	e := newEnv(t, december)
	ctx := context.Background()
	c := e.client("alice")
	b := monthly("short", "1")
	b.TimePeriod = &btypes.TimePeriod{End: aws.Time(date("2019-01-01"))}
	if _, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(alice), Budget: b}); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(date("2019-01-01"))
	if _, err := c.DescribeBudget(ctx, &bsdk.DescribeBudgetInput{AccountId: aws.String(alice), BudgetName: aws.String("short")}); errorCode(err) != "NotFoundException" {
		t.Errorf("after its end date: %v, want NotFoundException", err)
	}
	e.evaluate()
	if docs, _ := e.db.BudgetDocs(ctx, alice); len(docs) != 0 {
		t.Errorf("the evaluation kept %d expired budgets", len(docs))
	}
	// The name is free again.
	if _, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(alice), Budget: monthly("short", "1")}); err != nil {
		t.Errorf("re-create: %v", err)
	}
}
