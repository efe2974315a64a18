package costexplorer_test

import (
	"context"
	"math"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cesdk "github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/profile"
	"github.com/tallyhq/tally/internal/query"
)

// TestCostCategoryForecast checks that GetCostForecast filtered by a
// defined category forecasts from the history of the lines its rules
// select: the history summed against the oracle, and the forecast equal to
// the one filtered by the rule's own dimension.
func TestCostCategoryForecast(t *testing.T) {
	env := newTagEnv(t, profile.AWS)
	oracle := categoryData(t, env)
	c := env.client("payer")
	ctx := context.Background()
	if _, err := c.CreateCostCategoryDefinition(ctx, &cesdk.CreateCostCategoryDefinitionInput{
		Name: aws.String("Compute"), RuleVersion: cetypes.CostCategoryRuleVersionCostCategoryExpressionV1,
		Rules: []cetypes.CostCategoryRule{
			{Value: aws.String("Lambda"), Rule: &cetypes.Expression{And: []cetypes.Expression{
				dim(cetypes.DimensionServiceCode, "AWSLambda"), {Not: &cetypes.Expression{Tags: &cetypes.TagValues{Key: aws.String("Team"), Values: []string{"a"}}}}}}},
		},
		DefaultValue: aws.String("Rest"), EffectiveStart: aws.String("2024-10-01T00:00:00Z")}); err != nil {
		t.Fatal(err)
	}
	byCategory := &cetypes.Expression{CostCategories: &cetypes.CostCategoryValues{Key: aws.String("Compute"), Values: []string{"Lambda"}}}
	// SERVICE_CODE is no GetCostAndUsage dimension; its lines are SERVICE
	// "AWS Lambda".
	byRule := &cetypes.Expression{And: []cetypes.Expression{dim(cetypes.DimensionService, "AWS Lambda"),
		{Not: &cetypes.Expression{Tags: &cetypes.TagValues{Key: aws.String("Team"), Values: []string{"a"}}}}}}

	t.Run("history", func(t *testing.T) {
		var want float64
		// The history ends with the current day (10 December).
		if err := oracle.QueryRow(`SELECT sum(cost)::DOUBLE FROM raw WHERE ts < TIMESTAMP '2024-12-11'
			AND service_code = 'AWSLambda' AND coalesce(team, '') <> 'a'`).Scan(&want); err != nil {
			t.Fatal(err)
		}
		caller := auth.WithCaller(ctx, testAccounts["payer"])
		filter := &query.Match{Kind: query.KindCostCategory, Key: "Compute", Values: []string{"Lambda"}}
		hist, unit, err := env.svc.DailyHistory(caller, billing.UnblendedCost, filter, query.Scope{}, envNow)
		if err != nil {
			t.Fatal(err)
		}
		var got float64
		for _, v := range hist.Values {
			got += v
		}
		if want == 0 || math.Abs(got-want) > 1e-6 || unit != "USD" {
			t.Errorf("daily history under Compute = Lambda sums to %v %s, oracle %v USD", got, unit, want)
		}
	})
	t.Run("forecast", func(t *testing.T) {
		forecast := func(f *cetypes.Expression) string {
			out, err := c.GetCostForecast(ctx, &cesdk.GetCostForecastInput{
				TimePeriod:  &cetypes.DateInterval{Start: aws.String("2024-12-10"), End: aws.String("2024-12-31")},
				Granularity: cetypes.GranularityMonthly, Metric: cetypes.MetricUnblendedCost, Filter: f})
			if err != nil {
				t.Fatal(err)
			}
			return aws.ToString(out.Total.Amount)
		}
		cat, rule, all := forecast(byCategory), forecast(byRule), forecast(nil)
		if cat != rule || cat == all {
			t.Errorf("forecast filtered by the category %s, by its rule %s (want the same), unfiltered %s (want another)", cat, rule, all)
		}
	})
}
