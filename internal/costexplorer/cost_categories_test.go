package costexplorer_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cesdk "github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tallyhq/tally/internal/profile"
)

func dim(key cetypes.Dimension, values ...string) cetypes.Expression {
	return cetypes.Expression{Dimensions: &cetypes.DimensionValues{Key: key, Values: values}}
}

func tagExpr(key string, values ...string) cetypes.Expression {
	return cetypes.Expression{Tags: &cetypes.TagValues{Key: aws.String(key), Values: values}}
}

// teamRules is a category with nested And/Or/Not, an inherited value and
// a default.
func teamRules() []cetypes.CostCategoryRule {
	return []cetypes.CostCategoryRule{
		{Value: aws.String("Platform"), Rule: &cetypes.Expression{And: []cetypes.Expression{
			dim(cetypes.DimensionLinkedAccount, "222222222222"),
			{Or: []cetypes.Expression{tagExpr("Team", "a"), {Not: &cetypes.Expression{Dimensions: &cetypes.DimensionValues{
				Key: cetypes.DimensionRegion, Values: []string{"us-east-1"}}}}}},
		}}},
		{Value: aws.String("Shared"), Rule: ptrExpr(dim(cetypes.DimensionServiceCode, "AWSLambda"))},
		{Type: cetypes.CostCategoryRuleTypeInheritedValue, InheritedValue: &cetypes.CostCategoryInheritedValueDimension{
			DimensionName: cetypes.CostCategoryInheritedValueDimensionNameTag, DimensionKey: aws.String("Project")}},
	}
}

func ptrExpr(e cetypes.Expression) *cetypes.Expression { return &e }

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != code {
		t.Errorf("%s: error = %v, want %s", what, err, code)
	}
}

func TestCostCategoryLifecycle(t *testing.T) {
	env := newTagEnv(t, profile.AWS)
	c := env.client("payer")
	ctx := context.Background()
	split := []cetypes.CostCategorySplitChargeRule{{Source: aws.String("Shared"), Targets: []string{"Platform", "Other"},
		Method: cetypes.CostCategorySplitChargeMethodFixed, Parameters: []cetypes.CostCategorySplitChargeRuleParameter{
			{Type: cetypes.CostCategorySplitChargeRuleParameterTypeAllocationPercentages, Values: []string{"60", "40"}}}}}
	created, err := c.CreateCostCategoryDefinition(ctx, &cesdk.CreateCostCategoryDefinitionInput{
		Name: aws.String("Teams"), RuleVersion: cetypes.CostCategoryRuleVersionCostCategoryExpressionV1,
		Rules: teamRules(), DefaultValue: aws.String("Other"), SplitChargeRules: split,
		EffectiveStart: aws.String("2024-10-01T00:00:00Z"),
		ResourceTags:   []cetypes.ResourceTag{{Key: aws.String("owner"), Value: aws.String("finops")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(created.CostCategoryArn)
	if !strings.HasPrefix(arn, "arn:aws:ce::111111111111:costcategory/") || aws.ToString(created.EffectiveStart) != "2024-10-01T00:00:00Z" {
		t.Fatalf("created %s from %s", arn, aws.ToString(created.EffectiveStart))
	}
	ignore := cmpopts.IgnoreUnexported(cetypes.CostCategory{}, cetypes.CostCategoryRule{}, cetypes.Expression{},
		cetypes.DimensionValues{}, cetypes.TagValues{}, cetypes.CostCategoryInheritedValueDimension{},
		cetypes.CostCategorySplitChargeRule{}, cetypes.CostCategorySplitChargeRuleParameter{},
		cetypes.CostCategoryProcessingStatus{}, cetypes.CostCategoryReference{}, cetypes.ResourceTag{})
	first := cetypes.CostCategory{CostCategoryArn: aws.String(arn), EffectiveStart: aws.String("2024-10-01T00:00:00Z"),
		Name: aws.String("Teams"), RuleVersion: cetypes.CostCategoryRuleVersionCostCategoryExpressionV1, Rules: teamRules(),
		SplitChargeRules: split, DefaultValue: aws.String("Other"), ProcessingStatus: []cetypes.CostCategoryProcessingStatus{
			{Component: cetypes.CostCategoryStatusComponentCostExplorer, Status: cetypes.CostCategoryStatusApplied}}}
	describe := func(key, on string) (*cetypes.CostCategory, error) {
		t.Helper()
		in := &cesdk.DescribeCostCategoryDefinitionInput{CostCategoryArn: aws.String(arn)}
		if on != "" {
			in.EffectiveOn = aws.String(on)
		}
		out, err := env.client(key).DescribeCostCategoryDefinition(ctx, in)
		if err != nil {
			return nil, err
		}
		return out.CostCategory, nil
	}
	got, err := describe("payer", "")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(&first, got, ignore); d != "" {
		t.Errorf("described (-want +got):\n%s", d)
	}

	// A member reads its payer's category but cannot change it; another
	// payer does not see it.
	if got, err := describe("linked", ""); err != nil || aws.ToString(got.Name) != "Teams" {
		t.Errorf("linked account's Describe = %v, %v", got, err)
	}
	_, err = describe("other", "")
	var notFound *cetypes.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Errorf("other payer's Describe error = %v, want ResourceNotFoundException", err)
	}
	_, err = env.client("linked").CreateCostCategoryDefinition(ctx, &cesdk.CreateCostCategoryDefinitionInput{
		Name: aws.String("Mine"), RuleVersion: cetypes.CostCategoryRuleVersionCostCategoryExpressionV1, Rules: teamRules()})
	wantCode(t, "linked account's Create", err, "AccessDeniedException")
	_, err = env.client("linked").TagResource(ctx, &cesdk.TagResourceInput{ResourceArn: aws.String(arn),
		ResourceTags: []cetypes.ResourceTag{{Key: aws.String("k"), Value: aws.String("v")}}})
	wantCode(t, "linked account's TagResource", err, "AccessDeniedException")

	// An update from December leaves October and November as they were.
	newRules := []cetypes.CostCategoryRule{{Value: aws.String("Everything"), Rule: ptrExpr(dim(cetypes.DimensionRecordType, "Usage"))}}
	up, err := c.UpdateCostCategoryDefinition(ctx, &cesdk.UpdateCostCategoryDefinitionInput{CostCategoryArn: aws.String(arn),
		RuleVersion: cetypes.CostCategoryRuleVersionCostCategoryExpressionV1, Rules: newRules,
		EffectiveStart: aws.String("2024-12-01T00:00:00Z")})
	if err != nil || aws.ToString(up.EffectiveStart) != "2024-12-01T00:00:00Z" {
		t.Fatalf("update = %v, %v", up, err)
	}
	old := first
	old.EffectiveEnd = aws.String("2024-12-01T00:00:00Z")
	if got, err := describe("payer", "2024-11-30T23:59:59Z"); err != nil {
		t.Error(err)
	} else if d := cmp.Diff(&old, got, ignore); d != "" {
		t.Errorf("November's version (-want +got):\n%s", d)
	}
	if got, err := describe("payer", ""); err != nil || len(got.Rules) != 1 || aws.ToString(got.Rules[0].Value) != "Everything" ||
		aws.ToString(got.EffectiveStart) != "2024-12-01T00:00:00Z" || got.EffectiveEnd != nil || got.DefaultValue != nil {
		t.Errorf("current version = %+v, %v", got, err)
	}
	if _, err := describe("payer", "2024-09-30T00:00:00Z"); !errors.As(err, &notFound) {
		t.Errorf("Describe before the start: error = %v, want ResourceNotFoundException", err)
	}
	refs, err := c.ListCostCategoryDefinitions(ctx, &cesdk.ListCostCategoryDefinitionsInput{EffectiveOn: aws.String("2024-11-01T00:00:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	wantRef := []cetypes.CostCategoryReference{{CostCategoryArn: aws.String(arn), Name: aws.String("Teams"),
		EffectiveStart: aws.String("2024-10-01T00:00:00Z"), EffectiveEnd: aws.String("2024-12-01T00:00:00Z"),
		NumberOfRules: 3, ProcessingStatus: first.ProcessingStatus, Values: []string{"Platform", "Shared", "Other"},
		DefaultValue: aws.String("Other")}}
	if d := cmp.Diff(wantRef, refs.CostCategoryReferences, ignore); d != "" {
		t.Errorf("November's list (-want +got):\n%s", d)
	}

	// Tags.
	if _, err := c.TagResource(ctx, &cesdk.TagResourceInput{ResourceArn: aws.String(arn), ResourceTags: []cetypes.ResourceTag{
		{Key: aws.String("owner"), Value: aws.String("platform")}, {Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &cesdk.UntagResourceInput{ResourceArn: aws.String(arn), ResourceTagKeys: []string{"env", "nope"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := env.client("linked").ListTagsForResource(ctx, &cesdk.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]cetypes.ResourceTag{{Key: aws.String("owner"), Value: aws.String("platform")}}, tags.ResourceTags, ignore); d != "" {
		t.Errorf("tags (-want +got):\n%s", d)
	}
	assoc, err := c.ListCostCategoryResourceAssociations(ctx, &cesdk.ListCostCategoryResourceAssociationsInput{CostCategoryArn: aws.String(arn)})
	if err != nil || len(assoc.CostCategoryResourceAssociations) != 0 {
		t.Errorf("associations = %v, %v", assoc, err)
	}

	// Deleting ends the category this month; earlier months keep it.
	del, err := c.DeleteCostCategoryDefinition(ctx, &cesdk.DeleteCostCategoryDefinitionInput{CostCategoryArn: aws.String(arn)})
	if err != nil || aws.ToString(del.EffectiveEnd) != "2024-12-01T00:00:00Z" {
		t.Fatalf("delete = %v, %v", del, err)
	}
	if _, err := describe("payer", ""); !errors.As(err, &notFound) {
		t.Errorf("Describe after delete: error = %v, want ResourceNotFoundException", err)
	}
	if got, err := describe("payer", "2024-10-15T00:00:00Z"); err != nil || aws.ToString(got.Name) != "Teams" {
		t.Errorf("October's version after delete = %v, %v", got, err)
	}
	_, err = c.DeleteCostCategoryDefinition(ctx, &cesdk.DeleteCostCategoryDefinitionInput{CostCategoryArn: aws.String(arn)})
	if !errors.As(err, &notFound) {
		t.Errorf("second delete: error = %v, want ResourceNotFoundException", err)
	}
	_, err = c.ListTagsForResource(ctx, &cesdk.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if !errors.As(err, &notFound) {
		t.Errorf("ListTagsForResource after delete: error = %v, want ResourceNotFoundException", err)
	}
}

func TestCostCategoryErrors(t *testing.T) {
	env := newTagEnv(t, profile.AWS)
	c := env.client("payer")
	ctx := context.Background()
	create := func(name string, mod func(in *cesdk.CreateCostCategoryDefinitionInput)) (string, error) {
		in := &cesdk.CreateCostCategoryDefinitionInput{Name: aws.String(name),
			RuleVersion: cetypes.CostCategoryRuleVersionCostCategoryExpressionV1, Rules: teamRules(), DefaultValue: aws.String("Other")}
		if mod != nil {
			mod(in)
		}
		out, err := c.CreateCostCategoryDefinition(ctx, in)
		if err != nil {
			return "", err
		}
		return aws.ToString(out.CostCategoryArn), nil
	}
	arn, err := create("Teams", nil)
	if err != nil {
		t.Fatal(err)
	}
	fixed := func(targets []string, pct ...string) func(in *cesdk.CreateCostCategoryDefinitionInput) {
		return func(in *cesdk.CreateCostCategoryDefinitionInput) {
			in.SplitChargeRules = []cetypes.CostCategorySplitChargeRule{{Source: aws.String("Shared"), Targets: targets,
				Method: cetypes.CostCategorySplitChargeMethodFixed, Parameters: []cetypes.CostCategorySplitChargeRuleParameter{
					{Type: cetypes.CostCategorySplitChargeRuleParameterTypeAllocationPercentages, Values: pct}}}}
		}
	}
	for _, tc := range []struct {
		name string
		mod  func(in *cesdk.CreateCostCategoryDefinitionInput)
	}{
		{"Teams", nil}, // the name is taken
		{"Mid month", func(in *cesdk.CreateCostCategoryDefinitionInput) {
			in.EffectiveStart = aws.String("2024-11-15T00:00:00Z")
		}},
		{"Too old", func(in *cesdk.CreateCostCategoryDefinitionInput) {
			in.EffectiveStart = aws.String("2023-11-01T00:00:00Z")
		}},
		{"Future", func(in *cesdk.CreateCostCategoryDefinitionInput) {
			in.EffectiveStart = aws.String("2025-01-01T00:00:00Z")
		}},
		{"Bad dimension", func(in *cesdk.CreateCostCategoryDefinitionInput) {
			in.Rules = []cetypes.CostCategoryRule{{Value: aws.String("x"), Rule: ptrExpr(dim(cetypes.DimensionInstanceType, "t3.micro"))}}
		}},
		{"Unknown category", func(in *cesdk.CreateCostCategoryDefinitionInput) {
			in.Rules = []cetypes.CostCategoryRule{{Value: aws.String("x"), Rule: &cetypes.Expression{
				CostCategories: &cetypes.CostCategoryValues{Key: aws.String("Nope"), Values: []string{"a"}}}}}
		}},
		{"Inherited with a value", func(in *cesdk.CreateCostCategoryDefinitionInput) {
			in.Rules = []cetypes.CostCategoryRule{{Type: cetypes.CostCategoryRuleTypeInheritedValue, Value: aws.String("x"),
				InheritedValue: &cetypes.CostCategoryInheritedValueDimension{DimensionName: cetypes.CostCategoryInheritedValueDimensionNameLinkedAccountName}}}
		}},
		{"Percentages", fixed([]string{"Platform", "Other"}, "60", "30")},
		{"Percentage count", fixed([]string{"Platform", "Other"}, "100")},
		{"Source as target", fixed([]string{"Shared", "Other"}, "50", "50")},
		{"Even with parameters", func(in *cesdk.CreateCostCategoryDefinitionInput) {
			fixed([]string{"Platform"}, "100")(in)
			in.SplitChargeRules[0].Method = cetypes.CostCategorySplitChargeMethodEven
		}},
		{"Reserved tag", func(in *cesdk.CreateCostCategoryDefinitionInput) {
			in.ResourceTags = []cetypes.ResourceTag{{Key: aws.String("aws:x"), Value: aws.String("v")}}
		}},
	} {
		_, err := create(tc.name, tc.mod)
		wantCode(t, tc.name, err, "ValidationException")
	}
	// Without inherited values the targets must be values of the category.
	_, err = create("Static", func(in *cesdk.CreateCostCategoryDefinitionInput) {
		in.Rules = teamRules()[:2]
		fixed([]string{"Platform", "Nobody"}, "50", "50")(in)
	})
	wantCode(t, "unknown target", err, "ValidationException")
	if _, err := create("Proportional", func(in *cesdk.CreateCostCategoryDefinitionInput) {
		in.Rules = teamRules()[:2]
		in.SplitChargeRules = []cetypes.CostCategorySplitChargeRule{{Source: aws.String("Shared"), Targets: []string{"Platform", "Other"},
			Method: cetypes.CostCategorySplitChargeMethodProportional}}
	}); err != nil {
		t.Errorf("PROPORTIONAL split: %v", err)
	}

	// A category may refer to another, but not in a cycle.
	ref := func(name string) func(in *cesdk.CreateCostCategoryDefinitionInput) {
		return func(in *cesdk.CreateCostCategoryDefinitionInput) {
			in.Rules = []cetypes.CostCategoryRule{{Value: aws.String("P"), Rule: &cetypes.Expression{
				CostCategories: &cetypes.CostCategoryValues{Key: aws.String(name), Values: []string{"Platform"}}}}}
		}
	}
	if _, err := create("Derived", ref("Teams")); err != nil {
		t.Fatalf("a rule on another category: %v", err)
	}
	in := &cesdk.CreateCostCategoryDefinitionInput{}
	ref("Derived")(in)
	_, err = c.UpdateCostCategoryDefinition(ctx, &cesdk.UpdateCostCategoryDefinitionInput{CostCategoryArn: aws.String(arn),
		RuleVersion: cetypes.CostCategoryRuleVersionCostCategoryExpressionV1, Rules: in.Rules})
	wantCode(t, "cycle", err, "ValidationException")

	var notFound *cetypes.ResourceNotFoundException
	_, err = c.UpdateCostCategoryDefinition(ctx, &cesdk.UpdateCostCategoryDefinitionInput{
		CostCategoryArn: aws.String("arn:aws:ce::111111111111:costcategory/nope"),
		RuleVersion:     cetypes.CostCategoryRuleVersionCostCategoryExpressionV1, Rules: teamRules()})
	if !errors.As(err, &notFound) {
		t.Errorf("Update of an unknown category: error = %v, want ResourceNotFoundException", err)
	}

	// 50 tags at most on a resource.
	var many []cetypes.ResourceTag
	for i := range 50 {
		many = append(many, cetypes.ResourceTag{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String("v")})
	}
	if _, err := c.TagResource(ctx, &cesdk.TagResourceInput{ResourceArn: aws.String(arn), ResourceTags: many}); err != nil {
		t.Fatal(err)
	}
	_, err = c.TagResource(ctx, &cesdk.TagResourceInput{ResourceArn: aws.String(arn),
		ResourceTags: []cetypes.ResourceTag{{Key: aws.String("one-more"), Value: aws.String("v")}}})
	var tooMany *cetypes.TooManyTagsException
	if !errors.As(err, &tooMany) {
		t.Errorf("51st tag: error = %v, want TooManyTagsException", err)
	}

	// 50 categories at most per management account; the other payer has
	// its own quota.
	for i := 3; i < 50; i++ {
		if _, err := create(fmt.Sprintf("C%02d", i), nil); err != nil {
			t.Fatalf("category %d: %v", i+1, err)
		}
	}
	_, err = create("C50", nil)
	var quota *cetypes.ServiceQuotaExceededException
	if !errors.As(err, &quota) {
		t.Errorf("51st category: error = %v, want ServiceQuotaExceededException", err)
	}
	if _, err := env.client("other").CreateCostCategoryDefinition(ctx, &cesdk.CreateCostCategoryDefinitionInput{Name: aws.String("C50"),
		RuleVersion: cetypes.CostCategoryRuleVersionCostCategoryExpressionV1, Rules: teamRules()}); err != nil {
		t.Errorf("other payer's first category: %v", err)
	}

	// Paging.
	var names []string
	p := cesdk.NewListCostCategoryDefinitionsPaginator(c, &cesdk.ListCostCategoryDefinitionsInput{MaxResults: aws.Int32(7)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range out.CostCategoryReferences {
			names = append(names, aws.ToString(r.Name))
		}
	}
	if len(names) != 50 {
		t.Errorf("listed %d categories in pages, want 50", len(names))
	}
	_, err = c.ListCostCategoryDefinitions(ctx, &cesdk.ListCostCategoryDefinitionsInput{NextToken: aws.String("garbage")})
	wantCode(t, "bad token", err, "ValidationException")
}
