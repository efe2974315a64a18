package costexplorer_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cesdk "github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/costexplorer"
	"github.com/tallyhq/tally/internal/profile"
)

// splitSQL computes the split charges of November over the raw lines,
// independently of Tally: in integer cents, each share as a numerator over
// a denominator common to its source, the share rounded down and the cents
// left given to the largest remainders (ties to the target listed first).
const splitValuesSQL = `
	SELECT CASE WHEN service_code = 'AmazonS3' THEN 'Shared'
		WHEN region = 'ap-south-1' THEN 'Ops'
		WHEN account = '222222222222' THEN 'Dev'
		WHEN account = '444444444444' THEN 'Prod'
		WHEN account = '111111111111' AND region = 'us-east-1' THEN 'Web'
		ELSE '' END AS value, (round(sum(cost), 2) * 100)::BIGINT AS c
	FROM raw WHERE month = DATE '2024-11-01' GROUP BY 1`

const splitSQL = `WITH v AS (` + splitValuesSQL + `),
rules(source, target, method, pct10, ord) AS (VALUES
	('Shared', 'Dev', 'PROPORTIONAL', 0, 0), ('Shared', 'Prod', 'PROPORTIONAL', 0, 1), ('Shared', 'Web', 'PROPORTIONAL', 0, 2),
	('Ops', 'Dev', 'FIXED', 333, 0), ('Ops', 'Prod', 'FIXED', 333, 1), ('Ops', 'Web', 'FIXED', 334, 2),
	('', 'Dev', 'EVEN', 0, 0), ('', 'Prod', 'EVEN', 0, 1), ('', 'Web', 'EVEN', 0, 2)),
r AS (
	SELECT rules.*, coalesce(s.c, 0) AS src, coalesce(t.c, 0) AS tgt,
		sum(coalesce(t.c, 0)) OVER (PARTITION BY source) AS tgt_total, count(*) OVER (PARTITION BY source) AS n
	FROM rules LEFT JOIN v s ON s.value = rules.source LEFT JOIN v t ON t.value = rules.target),
f AS (
	SELECT *, CASE method WHEN 'PROPORTIONAL' THEN src * tgt WHEN 'FIXED' THEN src * pct10 ELSE src END AS num,
		CASE method WHEN 'PROPORTIONAL' THEN tgt_total WHEN 'FIXED' THEN 1000 ELSE n END AS den FROM r),
g AS (
	SELECT *, num // den AS fl, num % den AS rem FROM f),
h AS (
	SELECT *, src - sum(fl) OVER (PARTITION BY source) AS left_over,
		row_number() OVER (PARTITION BY source ORDER BY rem DESC, ord) AS rk FROM g)
SELECT source, target, method, fl + CASE WHEN rk <= left_over THEN 1 ELSE 0 END AS share, ord FROM h ORDER BY CASE source WHEN 'Shared' THEN 0 WHEN 'Ops' THEN 1 ELSE 2 END, ord`

func TestSplitCharges(t *testing.T) {
	env := newTagEnv(t, profile.AWS)
	oracle := categoryData(t, env)
	c := env.client("payer")
	ctx := context.Background()
	split := func(src string, m cetypes.CostCategorySplitChargeMethod, params ...string) cetypes.CostCategorySplitChargeRule {
		r := cetypes.CostCategorySplitChargeRule{Source: aws.String(src), Targets: []string{"Dev", "Prod", "Web"}, Method: m}
		if params != nil {
			r.Parameters = []cetypes.CostCategorySplitChargeRuleParameter{{Type: cetypes.CostCategorySplitChargeRuleParameterTypeAllocationPercentages, Values: params}}
		}
		return r
	}
	created, err := c.CreateCostCategoryDefinition(ctx, &cesdk.CreateCostCategoryDefinitionInput{
		Name: aws.String("Split"), RuleVersion: cetypes.CostCategoryRuleVersionCostCategoryExpressionV1,
		Rules: splitRules(),
		SplitChargeRules: []cetypes.CostCategorySplitChargeRule{
			split("Shared", cetypes.CostCategorySplitChargeMethodProportional),
			split("Ops", cetypes.CostCategorySplitChargeMethodFixed, "33.3", "33.3", "33.4"),
			split("", cetypes.CostCategorySplitChargeMethodEven),
		},
		EffectiveStart: aws.String("2024-10-01T00:00:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(created.CostCategoryArn)
	payer := auth.WithCaller(ctx, testAccounts["payer"])
	got, err := env.svc.SplitCharges(payer, costexplorer.SplitChargesRequest{CostCategoryArn: arn, Month: "2024-11"})
	if err != nil {
		t.Fatal(err)
	}

	// The oracle's allocations, and the costs before and after.
	rows, err := oracle.Query(splitSQL)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var want []costexplorer.SplitAllocation
	allocated := map[string]int64{}
	for rows.Next() {
		var a costexplorer.SplitAllocation
		var share, ord int64
		if err := rows.Scan(&a.Source, &a.Target, &a.Method, &share, &ord); err != nil {
			t.Fatal(err)
		}
		a.Amount = centStr(share)
		want = append(want, a)
		allocated[a.Target] += share
		allocated[a.Source] -= share
	}
	if d := cmp.Diff(want, got.Allocations); d != "" {
		t.Errorf("allocations (-oracle +tally):\n%s", d)
	}
	beforeRows, err := oracle.Query(`SELECT value, c FROM (` + splitValuesSQL + `) ORDER BY value`)
	if err != nil {
		t.Fatal(err)
	}
	defer beforeRows.Close()
	var wantValues []costexplorer.SplitValue
	var total, totalAfter int64
	for beforeRows.Next() {
		var v string
		var cts int64
		if err := beforeRows.Scan(&v, &cts); err != nil {
			t.Fatal(err)
		}
		wantValues = append(wantValues, costexplorer.SplitValue{Value: v, Before: centStr(cts), After: centStr(cts + allocated[v])})
		total += cts
		totalAfter += cts + allocated[v]
	}
	if len(wantValues) != 6 || total != totalAfter {
		t.Fatalf("the oracle has %d values (want 6), %d cents before and %d after", len(wantValues), total, totalAfter)
	}
	if d := cmp.Diff(wantValues, got.Values); d != "" {
		t.Errorf("values (-oracle +tally):\n%s", d)
	}
	for _, v := range got.Values {
		if (v.Value == "Shared" || v.Value == "Ops" || v.Value == "") && v.After != "0.00" {
			t.Errorf("source %q keeps %s after the split", v.Value, v.After)
		}
	}
	if got.Name != "Split" || got.Metric != "UnblendedCost" || got.Unit != "USD" {
		t.Errorf("header: %+v", got)
	}

	// GetCostAndUsage is not split: Shared keeps its cost there.
	cells := tallyCells(t, c, cetypes.GroupDefinition{Type: cetypes.GroupDefinitionTypeCostCategory, Key: aws.String("Split")}, nil)
	for _, v := range wantValues {
		if v.Value == "Shared" && cells["2024-11-01 Split$Shared"] != ratString(v.Before) {
			t.Errorf("GetCostAndUsage shows Shared at %s in November, want the cost before the split %s", cells["2024-11-01 Split$Shared"], v.Before)
		}
	}

	// A month uses the version in effect then: from December on, only
	// Shared is split, evenly.
	if _, err := c.UpdateCostCategoryDefinition(ctx, &cesdk.UpdateCostCategoryDefinitionInput{CostCategoryArn: created.CostCategoryArn,
		RuleVersion: cetypes.CostCategoryRuleVersionCostCategoryExpressionV1, Rules: splitRules(),
		SplitChargeRules: []cetypes.CostCategorySplitChargeRule{split("Shared", cetypes.CostCategorySplitChargeMethodEven)},
		EffectiveStart:   aws.String("2024-12-01T00:00:00Z")}); err != nil {
		t.Fatal(err)
	}
	dec, err := env.svc.SplitCharges(payer, costexplorer.SplitChargesRequest{CostCategoryArn: arn, Month: "2024-12"})
	if err != nil {
		t.Fatal(err)
	}
	if len(dec.Allocations) != 3 || dec.Allocations[0].Method != "EVEN" {
		t.Errorf("December allocations: %+v", dec.Allocations)
	}
	nov, err := env.svc.SplitCharges(payer, costexplorer.SplitChargesRequest{CostCategoryArn: arn, Month: "2024-11"})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(got, nov); d != "" {
		t.Errorf("November changed with the December version:\n%s", d)
	}

	// Refusals.
	for _, tc := range []struct {
		name string
		ctx  context.Context
		in   costexplorer.SplitChargesRequest
		code string
	}{
		{"another payer", auth.WithCaller(ctx, testAccounts["other"]), costexplorer.SplitChargesRequest{CostCategoryArn: arn, Month: "2024-11"}, "ResourceNotFoundException"},
		{"before the category", payer, costexplorer.SplitChargesRequest{CostCategoryArn: arn, Month: "2024-09"}, "ResourceNotFoundException"},
		{"bad month", payer, costexplorer.SplitChargesRequest{CostCategoryArn: arn, Month: "2024-11-01"}, "ValidationException"},
		{"future month", payer, costexplorer.SplitChargesRequest{CostCategoryArn: arn, Month: "2025-03"}, "ValidationException"},
		{"usage metric", payer, costexplorer.SplitChargesRequest{CostCategoryArn: arn, Month: "2024-11", Metric: "UsageQuantity"}, "ValidationException"},
	} {
		_, err := env.svc.SplitCharges(tc.ctx, tc.in)
		if _, code, ok := costexplorer.SplitChargesStatus(err); !ok || code != tc.code {
			t.Errorf("%s: %v (%s), want %s", tc.name, err, code, tc.code)
		}
	}
	if _, _, ok := costexplorer.SplitChargesStatus(errors.New("disk on fire")); ok {
		t.Error("an internal error is reported as a refusal")
	}
}

func centStr(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

// splitRules are the rules of the category TestSplitCharges splits.
func splitRules() []cetypes.CostCategoryRule {
	return []cetypes.CostCategoryRule{
		{Value: aws.String("Shared"), Rule: ptrExpr(dim(cetypes.DimensionServiceCode, "AmazonS3"))},
		{Value: aws.String("Ops"), Rule: ptrExpr(dim(cetypes.DimensionRegion, "ap-south-1"))},
		{Value: aws.String("Dev"), Rule: ptrExpr(dim(cetypes.DimensionLinkedAccount, "222222222222"))},
		{Value: aws.String("Prod"), Rule: ptrExpr(dim(cetypes.DimensionLinkedAccount, "444444444444"))},
		{Value: aws.String("Web"), Rule: &cetypes.Expression{And: []cetypes.Expression{
			dim(cetypes.DimensionLinkedAccount, "111111111111"), dim(cetypes.DimensionRegion, "us-east-1")}}},
	}
}
