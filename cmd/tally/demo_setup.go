package main

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/tallyhq/tally/internal/app"
	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/budgets"
	"github.com/tallyhq/tally/internal/costexplorer"
)

// prepareDemo sets up more than costs, through the same operations the API
// serves: it activates the organisation's cost allocation tags and creates a
// few budgets sized from last month's spend, with alerts. It leaves a data
// directory where it already ran unchanged, and returns the payer account.
func prepareDemo(ctx context.Context, a *app.App) (string, error) {
	ctx = auth.WithCaller(ctx, auth.TestKeys().MustLookup("test"))
	if err := activateDemoTags(ctx, a.CostExplorer); err != nil {
		return "", fmt.Errorf("demo tags: %w", err)
	}
	now := a.Now().UTC()
	last := billing.Period{Start: billing.MonthStart(now).AddDate(0, -1, 0), End: billing.MonthStart(now)}
	payers, err := a.CostExplorer.GetDimensionValues(ctx, &costexplorer.GetDimensionValuesRequest{
		TimePeriod: ceInterval(last), Dimension: ptrTo(costexplorer.DimensionPayerAccount)})
	if err != nil || len(payers.DimensionValues) == 0 {
		return "", fmt.Errorf("demo budgets: no payer account in last month's data: %v", err)
	}
	payer := *payers.DimensionValues[0].Value
	// The budgets start where the data starts, so that their history
	// shows every month there is.
	periods, err := a.Store.Periods(ctx)
	if err != nil {
		return "", err
	}
	start := billing.MonthStart(now)
	for _, p := range periods {
		if p.Period.Month.Before(start) {
			start = p.Period.Month
		}
	}
	// The budgets belong to the payer, the account the test key acts as.
	ctx = auth.WithCaller(ctx, auth.TestKeysActingAs(func() string { return payer }).MustLookup("test"))
	team, err := topTagValue(ctx, a.CostExplorer, last, "Team")
	if err != nil {
		return "", err
	}
	ec2 := &costexplorer.Expression{Dimensions: &costexplorer.DimensionValues{Key: ptrTo(costexplorer.DimensionService),
		Values: []string{billing.ServiceEC2Compute}}}
	teamFilter := &costexplorer.Expression{Tags: &costexplorer.TagValues{Key: ptrTo("Team"), Values: []string{team}}}
	for _, b := range []struct {
		name    string
		filter  *costexplorer.Expression
		filters map[string][]string
		factor  float64 // limit as a share of last month's spend
	}{
		{"Organisation monthly", nil, nil, 1.05},
		{"EC2 compute", ec2, map[string][]string{"Service": {billing.ServiceEC2Compute}}, 0.9},
		{"Team " + team, teamFilter, map[string][]string{"TagKeyValue": {"user:Team$" + team}}, 1.2},
	} {
		spend, err := monthSpend(ctx, a.CostExplorer, last, b.filter)
		if err != nil {
			return "", err
		}
		if err := createDemoBudget(ctx, a.Budgets, payer, b.name, b.filters, math.Ceil(spend*b.factor), start); err != nil {
			return "", fmt.Errorf("demo budget %q: %w", b.name, err)
		}
	}
	return payer, nil
}

// activateDemoTags activates every tag key of the data, 20 at a time as the
// API allows.
func activateDemoTags(ctx context.Context, ce *costexplorer.Service) error {
	var keys []string
	var token *string
	for {
		out, err := ce.ListCostAllocationTags(ctx, &costexplorer.ListCostAllocationTagsRequest{NextToken: token})
		if err != nil {
			return err
		}
		for _, t := range out.CostAllocationTags {
			keys = append(keys, *t.TagKey)
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	for start := 0; start < len(keys); start += 20 {
		var batch []costexplorer.CostAllocationTagStatusEntry
		for _, k := range keys[start:min(start+20, len(keys))] {
			batch = append(batch, costexplorer.CostAllocationTagStatusEntry{TagKey: ptrTo(k), Status: ptrTo(costexplorer.CostAllocationTagStatusActive)})
		}
		if _, err := ce.UpdateCostAllocationTagsStatus(ctx, &costexplorer.UpdateCostAllocationTagsStatusRequest{CostAllocationTagsStatus: batch}); err != nil {
			return err
		}
	}
	return nil
}

// topTagValue returns the value of key with the most cost in p.
func topTagValue(ctx context.Context, ce *costexplorer.Service, p billing.Period, key string) (string, error) {
	out, err := ce.GetTags(ctx, &costexplorer.GetTagsRequest{TimePeriod: ceInterval(p), TagKey: ptrTo(key),
		SortBy: []costexplorer.SortDefinition{{Key: ptrTo("UnblendedCost"), SortOrder: ptrTo(costexplorer.SortOrderDescending)}}})
	if err != nil {
		return "", err
	}
	for _, v := range out.Tags {
		if v != "" {
			return v, nil
		}
	}
	return "", fmt.Errorf("demo budgets: no value of tag %s last month", key)
}

// monthSpend is the unblended cost of p under filter.
func monthSpend(ctx context.Context, ce *costexplorer.Service, p billing.Period, filter *costexplorer.Expression) (float64, error) {
	out, err := ce.GetCostAndUsage(ctx, &costexplorer.GetCostAndUsageRequest{TimePeriod: ceInterval(p),
		Granularity: ptrTo(costexplorer.GranularityMonthly), Metrics: []string{"UnblendedCost"}, Filter: filter})
	if err != nil {
		return 0, err
	}
	return strconv.ParseFloat(*out.ResultsByTime[0].Total["UnblendedCost"].Amount, 64)
}

// createDemoBudget creates a monthly cost budget with an alert at 80% of
// the limit and another when the forecast passes it, unless it exists.
func createDemoBudget(ctx context.Context, svc *budgets.Service, account, name string, filters map[string][]string, limit float64, start time.Time) error {
	if _, err := svc.DescribeBudget(ctx, &budgets.DescribeBudgetRequest{AccountId: &account, BudgetName: &name}); err == nil {
		return nil
	}
	email := []budgets.Subscriber{{SubscriptionType: ptrTo(budgets.SubscriptionTypeEmail), Address: ptrTo("finops@example.com")}}
	notify := func(t budgets.NotificationType, threshold float64) budgets.NotificationWithSubscribers {
		return budgets.NotificationWithSubscribers{Subscribers: email, Notification: &budgets.Notification{
			NotificationType: &t, ComparisonOperator: ptrTo(budgets.ComparisonOperatorGreaterThan),
			Threshold: &threshold, ThresholdType: ptrTo(budgets.ThresholdTypePercentage)}}
	}
	_, err := svc.CreateBudget(ctx, &budgets.CreateBudgetRequest{AccountId: &account,
		Budget: &budgets.Budget{BudgetName: &name, BudgetType: ptrTo(budgets.BudgetTypeCost), TimeUnit: ptrTo(budgets.TimeUnitMonthly),
			BudgetLimit: &budgets.Spend{Amount: ptrTo(strconv.FormatFloat(max(limit, 1), 'f', 0, 64)), Unit: ptrTo("USD")},
			CostFilters: filters, TimePeriod: &budgets.TimePeriod{Start: awsjson.NewEpochTime(start)}},
		NotificationsWithSubscribers: []budgets.NotificationWithSubscribers{
			notify(budgets.NotificationTypeActual, 80), notify(budgets.NotificationTypeForecasted, 100)}})
	return err
}

func ceInterval(p billing.Period) *costexplorer.DateInterval {
	return &costexplorer.DateInterval{Start: ptrTo(p.Start.Format(time.DateOnly)), End: ptrTo(p.End.Format(time.DateOnly))}
}

func ptrTo[T any](v T) *T { return &v }
