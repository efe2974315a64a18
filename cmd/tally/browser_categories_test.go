package main

import (
	"context"
	"math/big"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/web/e2e"
)

// TestBrowserCostCategories defines a cost category on the Cost categories
// page, reads its split charges there, groups and filters by it in the
// explorer, edits and deletes it, and checks each step against the API.
func TestBrowserCostCategories(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	b := e2e.Require(t)
	inst := start(t, browserNow)
	inst.ingest(t, uiSynthExport(t, browserNow))
	ctx := context.Background()
	ce := inst.ce("test", "test")
	const name = "Teams"
	dimCond := func(key, op, values string) map[string]any {
		return map[string]any{"kind": "Dimensions", "key": key, "op": op, "values": values}
	}
	res := b.Run(t, inst.url, e2e.Scenario{Name: "categories", Params: map[string]any{
		"name": name, "from": "2024-10-01T00:00:00Z", "default": "Other", "newDefault": "Unassigned",
		"rules": []map[string]any{
			{"value": "Web", "conds": []any{dimCond("LINKED_ACCOUNT_NAME", "is", "prod-web")}},
			{"value": "Data", "join": "Or", "conds": []any{dimCond("SERVICE_CODE", "is", "AmazonRedshift, AWSGlue, AmazonAthena"),
				dimCond("LINKED_ACCOUNT_NAME", "is", "data-platform")}},
			{"value": "Shared", "conds": []any{dimCond("SERVICE_CODE", "is", "AmazonCloudWatch, AmazonVPC"),
				map[string]any{"kind": "Tags", "key": "Environment", "op": "is-not", "values": "prod"}}},
			{"inheritTag": "Team"},
		},
		"splits":      []map[string]any{{"source": "Shared", "targets": "Web, Data", "method": "PROPORTIONAL"}},
		"month":       "2025-02",
		"monthEnd":    "2025-03-01",
		"filterValue": "Web",
	}})
	var got struct {
		Notice string
		Split  struct {
			Values []struct {
				Value          string
				Amounts, Texts []string
			}
			Allocations [][]string
			Error       string
		}
		List         [][]string
		GroupOptions []string
		Grouped      uiTable
		Chips        []string
		Filtered     uiTable
		EditRules    []string
		AfterEdit    []string
		DraftTitle   string
		DraftSplit   struct {
			Allocations [][]string
			Error       string
		}
	}
	uiDecode(t, res["categories"], &got)

	// What the page created is what the API describes.
	list, err := ce.ListCostCategoryDefinitions(ctx, &costexplorer.ListCostCategoryDefinitionsInput{})
	if err != nil || len(list.CostCategoryReferences) != 1 {
		t.Fatalf("ListCostCategoryDefinitions: %v, %+v; want the one category the page made (%s)", err, list, got.Notice)
	}
	arn := list.CostCategoryReferences[0].CostCategoryArn
	feb, err := ce.DescribeCostCategoryDefinition(ctx, &costexplorer.DescribeCostCategoryDefinitionInput{CostCategoryArn: arn,
		EffectiveOn: aws.String("2025-02-15T00:00:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	c := feb.CostCategory
	dim := func(key cetypes.Dimension, values ...string) cetypes.Expression {
		return cetypes.Expression{Dimensions: &cetypes.DimensionValues{Key: key, Values: values}}
	}
	wantRules := []cetypes.CostCategoryRule{
		{Type: cetypes.CostCategoryRuleTypeRegular, Value: aws.String("Web"), Rule: ptrTo(dim(cetypes.DimensionLinkedAccountName, "prod-web"))},
		{Type: cetypes.CostCategoryRuleTypeRegular, Value: aws.String("Data"), Rule: &cetypes.Expression{Or: []cetypes.Expression{
			dim(cetypes.DimensionServiceCode, "AmazonRedshift", "AWSGlue", "AmazonAthena"), dim(cetypes.DimensionLinkedAccountName, "data-platform")}}},
		{Type: cetypes.CostCategoryRuleTypeRegular, Value: aws.String("Shared"), Rule: &cetypes.Expression{And: []cetypes.Expression{
			dim(cetypes.DimensionServiceCode, "AmazonCloudWatch", "AmazonVPC"),
			{Not: &cetypes.Expression{Tags: &cetypes.TagValues{Key: aws.String("Environment"), Values: []string{"prod"}}}}}}},
		{Type: cetypes.CostCategoryRuleTypeInheritedValue, InheritedValue: &cetypes.CostCategoryInheritedValueDimension{
			DimensionName: cetypes.CostCategoryInheritedValueDimensionNameTag, DimensionKey: aws.String("Team")}},
	}
	opts := cmp.Options{cmp.FilterPath(func(p cmp.Path) bool { return strings.HasPrefix(p.Last().String(), ".noSmithyDocumentSerde") }, cmp.Ignore())}
	if d := cmp.Diff(wantRules, c.Rules, opts); d != "" {
		t.Errorf("rules the page made (-want +API):\n%s", d)
	}
	if aws.ToString(c.DefaultValue) != "Other" || aws.ToString(c.EffectiveStart) != "2024-10-01T00:00:00Z" || len(c.SplitChargeRules) != 1 ||
		aws.ToString(c.SplitChargeRules[0].Source) != "Shared" || strings.Join(c.SplitChargeRules[0].Targets, ",") != "Web,Data" ||
		c.SplitChargeRules[0].Method != cetypes.CostCategorySplitChargeMethodProportional {
		t.Errorf("February's version: default %q, start %q, split rules %+v", aws.ToString(c.DefaultValue), aws.ToString(c.EffectiveStart), c.SplitChargeRules)
	}

	// The explorer's table grouped and filtered by the category equals the API's.
	period := &cetypes.DateInterval{Start: aws.String("2025-02-01"), End: aws.String("2025-03-01")}
	group := []cetypes.GroupDefinition{{Type: cetypes.GroupDefinitionTypeCostCategory, Key: aws.String(name)}}
	byCat := uiCosts(t, ce, &costexplorer.GetCostAndUsageInput{TimePeriod: period, Granularity: cetypes.GranularityMonthly,
		Metrics: []string{"UnblendedCost"}, GroupBy: group})
	if len(byCat.rows) < 4 {
		t.Errorf("the category has %d values in February, want the rules to give several", len(byCat.rows))
	}
	uiCheckTable(t, "grouped by the category", got.Grouped, byCat)
	if !uiContains(got.GroupOptions, "COST_CATEGORY:"+name) {
		t.Errorf("group-by options %q lack the category", got.GroupOptions)
	}
	uiCheckTable(t, "filtered by the category", got.Filtered, uiCosts(t, ce, &costexplorer.GetCostAndUsageInput{TimePeriod: period,
		Granularity: cetypes.GranularityMonthly, Metrics: []string{"UnblendedCost"}, GroupBy: group,
		Filter: &cetypes.Expression{CostCategories: &cetypes.CostCategoryValues{Key: aws.String(name), Values: []string{"Web"}}}}))
	if len(got.Chips) != 1 || got.Chips[0] != "Cost category Teams is Web×" && !strings.HasPrefix(got.Chips[0], "Cost category Teams is Web") {
		t.Errorf("filter chips %q", got.Chips)
	}

	// The split preview: before the split, February's costs by value as
	// Cost Explorer has them; Shared's cost goes to Web and Data in
	// proportion to theirs, and the total stays.
	if got.Split.Error != "" || len(got.Split.Values) == 0 {
		t.Fatalf("split preview: %+v", got.Split)
	}
	before, after := map[string]*big.Rat{}, map[string]*big.Rat{}
	totalBefore, totalAfter := new(big.Rat), new(big.Rat)
	for _, v := range got.Split.Values {
		before[v.Value], after[v.Value] = uiRat(t, v.Amounts[0]), uiRat(t, v.Amounts[2])
		totalBefore.Add(totalBefore, before[v.Value])
		totalAfter.Add(totalAfter, after[v.Value])
	}
	for key, amounts := range byCat.rows {
		value := strings.TrimPrefix(key, name+"$")
		cents := new(big.Rat).SetFrac(new(big.Int).Quo(new(big.Int).Add(new(big.Int).Mul(amounts[0].Num(), big.NewInt(100)), new(big.Int).Quo(amounts[0].Denom(), big.NewInt(2))), amounts[0].Denom()), big.NewInt(100))
		if b, ok := before[value]; !ok || b.Cmp(cents) != 0 {
			t.Errorf("split preview %s before the split: %v, Cost Explorer %s", value, before[value], cents.FloatString(2))
		}
	}
	if totalBefore.Cmp(totalAfter) != 0 || after["Shared"] == nil || after["Shared"].Sign() != 0 {
		t.Errorf("after the split: total %s (before %s), Shared %v; want the same total and nothing left on Shared",
			totalAfter.FloatString(2), totalBefore.FloatString(2), after["Shared"])
	}
	if before["Web"] == nil || before["Data"] == nil {
		t.Fatalf("the split preview lacks the targets: %+v", got.Split.Values)
	}
	moved := new(big.Rat).Sub(after["Web"], before["Web"])
	moved.Add(moved, new(big.Rat).Sub(after["Data"], before["Data"]))
	if before["Shared"] == nil || moved.Cmp(before["Shared"]) != 0 || len(got.Split.Allocations) != 2 {
		t.Errorf("Web and Data received %s of Shared's %v (allocations %q)", moved.FloatString(2), before["Shared"], got.Split.Allocations)
	}

	// Changing the split method in the editor previews it before saving:
	// EVEN gives Web and Data the same share of Shared, to the cent.
	if got.DraftSplit.Error != "" || !strings.HasPrefix(got.DraftTitle, "Preview:") || len(got.DraftSplit.Allocations) != 2 {
		t.Fatalf("draft preview %q: %+v", got.DraftTitle, got.DraftSplit)
	}
	shares := new(big.Rat)
	for _, a := range got.DraftSplit.Allocations {
		if len(a) != 4 || a[0] != "Shared" || a[2] != "EVEN" {
			t.Errorf("draft allocation %q, want Shared → target, EVEN", a)
			continue
		}
		shares.Add(shares, uiRat(t, a[3]))
	}
	if len(got.DraftSplit.Allocations[0]) == 4 && len(got.DraftSplit.Allocations[1]) == 4 {
		diff := new(big.Rat).Sub(uiRat(t, got.DraftSplit.Allocations[0][3]), uiRat(t, got.DraftSplit.Allocations[1][3]))
		if shares.Cmp(before["Shared"]) != 0 || diff.Abs(diff).Cmp(big.NewRat(1, 100)) > 0 {
			t.Errorf("EVEN draft shares %q add up to %s (Shared had %s) or differ by more than a cent", got.DraftSplit.Allocations,
				shares.FloatString(2), before["Shared"].FloatString(2))
		}
	}

	// The edit read the rules back and applies from the current month.
	if d := cmp.Diff([]string{"Web", "Data", "Shared", "inherit:Team"}, got.EditRules); d != "" {
		t.Errorf("the editor showed the rules (-want +got):\n%s", d)
	}
	now, err := ce.DescribeCostCategoryDefinition(ctx, &costexplorer.DescribeCostCategoryDefinitionInput{CostCategoryArn: arn})
	if err != nil || aws.ToString(now.CostCategory.DefaultValue) != "Unassigned" || aws.ToString(now.CostCategory.EffectiveStart) != "2025-03-01T00:00:00Z" {
		t.Errorf("after the edit: %v, %+v; want default Unassigned from March", err, now)
	}
	if len(got.AfterEdit) < 3 || got.AfterEdit[2] != "Unassigned" {
		t.Errorf("list after the edit: %q", got.AfterEdit)
	}

	// Deleted on the page, gone from the API.
	t.Run("delete", func(t *testing.T) { // a subtest keeps the screenshots above
		var del struct{ Notice string }
		uiDecode(t, b.Run(t, inst.url, e2e.Scenario{Name: "category-delete", Params: map[string]any{"name": name}})["category-delete"], &del)
		if !strings.Contains(del.Notice, "Deleted "+name) {
			t.Errorf("after Delete the page says %q", del.Notice)
		}
	})
	list, err = ce.ListCostCategoryDefinitions(ctx, &costexplorer.ListCostCategoryDefinitionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range list.CostCategoryReferences {
		if r.EffectiveEnd == nil {
			t.Errorf("after Delete the API still lists %s as live", aws.ToString(r.Name))
		}
	}
}
