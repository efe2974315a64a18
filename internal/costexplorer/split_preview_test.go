package costexplorer_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cesdk "github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/costexplorer"
	"github.com/tallyhq/tally/internal/profile"
)

// TestSplitChargesPreview checks that split charge rules given to
// SplitCharges (the UI's preview of rules not saved yet) split the month
// exactly as the same rules do once saved, leave the saved ones alone, and
// are checked like saved ones.
func TestSplitChargesPreview(t *testing.T) {
	env := newTagEnv(t, profile.AWS)
	categoryData(t, env)
	c := env.client("payer")
	ctx := context.Background()
	targets := []string{"Dev", "Prod", "Web"}
	created, err := c.CreateCostCategoryDefinition(ctx, &cesdk.CreateCostCategoryDefinitionInput{
		Name: aws.String("Split"), RuleVersion: cetypes.CostCategoryRuleVersionCostCategoryExpressionV1, Rules: splitRules(),
		SplitChargeRules: []cetypes.CostCategorySplitChargeRule{{Source: aws.String("Shared"), Targets: targets, Method: cetypes.CostCategorySplitChargeMethodEven}},
		EffectiveStart:   aws.String("2024-10-01T00:00:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(created.CostCategoryArn)
	payer := auth.WithCaller(ctx, testAccounts["payer"])
	method := func(m costexplorer.CostCategorySplitChargeMethod) *costexplorer.CostCategorySplitChargeMethod {
		return &m
	}
	pct := costexplorer.CostCategorySplitChargeRuleParameterType("ALLOCATION_PERCENTAGES")
	draft := []costexplorer.CostCategorySplitChargeRule{
		{Source: aws.String("Shared"), Targets: targets, Method: method(costexplorer.CostCategorySplitChargeMethodProportional)},
		{Source: aws.String("Ops"), Targets: targets, Method: method(costexplorer.CostCategorySplitChargeMethodFixed),
			Parameters: []costexplorer.CostCategorySplitChargeRuleParameter{{Type: &pct, Values: []string{"33.3", "33.3", "33.4"}}}},
	}
	preview, err := env.svc.SplitCharges(payer, costexplorer.SplitChargesRequest{CostCategoryArn: arn, Month: "2024-11", Rules: draft})
	if err != nil {
		t.Fatal(err)
	}
	saved, err := env.svc.SplitCharges(payer, costexplorer.SplitChargesRequest{CostCategoryArn: arn, Month: "2024-11"})
	if err != nil {
		t.Fatal(err)
	}
	if len(saved.Allocations) != 3 || saved.Allocations[0].Method != "EVEN" || len(preview.Allocations) != 6 {
		t.Errorf("saved allocations %+v, preview %+v: want the saved EVEN rule untouched and the draft's six", saved.Allocations, preview.Allocations)
	}
	if _, err := c.UpdateCostCategoryDefinition(ctx, &cesdk.UpdateCostCategoryDefinitionInput{CostCategoryArn: created.CostCategoryArn,
		RuleVersion: cetypes.CostCategoryRuleVersionCostCategoryExpressionV1, Rules: splitRules(),
		SplitChargeRules: []cetypes.CostCategorySplitChargeRule{
			{Source: aws.String("Shared"), Targets: targets, Method: cetypes.CostCategorySplitChargeMethodProportional},
			{Source: aws.String("Ops"), Targets: targets, Method: cetypes.CostCategorySplitChargeMethodFixed,
				Parameters: []cetypes.CostCategorySplitChargeRuleParameter{{Type: cetypes.CostCategorySplitChargeRuleParameterTypeAllocationPercentages,
					Values: []string{"33.3", "33.3", "33.4"}}}},
		},
		EffectiveStart: aws.String("2024-10-01T00:00:00Z")}); err != nil {
		t.Fatal(err)
	}
	after, err := env.svc.SplitCharges(payer, costexplorer.SplitChargesRequest{CostCategoryArn: arn, Month: "2024-11"})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(after, preview); d != "" {
		t.Errorf("the preview differs from the same rules saved (-saved +preview):\n%s", d)
	}

	for _, tc := range []struct {
		name  string
		rules []costexplorer.CostCategorySplitChargeRule
	}{
		{"target not a value", []costexplorer.CostCategorySplitChargeRule{{Source: aws.String("Shared"), Targets: []string{"Nobody"},
			Method: method(costexplorer.CostCategorySplitChargeMethodEven)}}},
		{"no method", []costexplorer.CostCategorySplitChargeRule{{Source: aws.String("Shared"), Targets: targets}}},
		{"unknown method", []costexplorer.CostCategorySplitChargeRule{{Source: aws.String("Shared"), Targets: targets, Method: method("HALF")}}},
		{"fixed without percentages", []costexplorer.CostCategorySplitChargeRule{{Source: aws.String("Shared"), Targets: targets,
			Method: method(costexplorer.CostCategorySplitChargeMethodFixed)}}},
	} {
		_, err := env.svc.SplitCharges(payer, costexplorer.SplitChargesRequest{CostCategoryArn: arn, Month: "2024-11", Rules: tc.rules})
		if _, code, ok := costexplorer.SplitChargesStatus(err); !ok || code != "ValidationException" {
			t.Errorf("%s: %v, want a ValidationException", tc.name, err)
		}
	}
}
