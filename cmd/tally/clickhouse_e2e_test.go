package main

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/testenv"
)

// TestClickHouseNodes runs two `tally serve` nodes on one ClickHouse
// cluster of two shards (--store) and one PostgreSQL (--meta), with the
// Workshop CUR ingested once through node A. Both nodes answer the same as
// a node on the embedded DuckDB store, request for request and byte for
// byte (cost and usage, dimension values, RI and Savings Plans utilization
// and coverage); node A's answers match SQL over the raw files; a shard down makes
// the API answer a retryable ServiceUnavailable naming it, and answers come
// back with the shard.
func TestClickHouseNodes(t *testing.T) {
	files := workshop(t)
	cluster := testenv.ClickHouse(t, 2)
	pg := testenv.StartPostgres(t)
	now := time.Date(2018, 12, 20, 12, 0, 0, 0, time.UTC)
	flags := []string{"--store", cluster.DSN("tally"), "--meta", pg.DSN}
	a := startOn(t, t.TempDir(), now, flags...)
	b := startOn(t, t.TempDir(), now, flags...)
	d := start(t, now)
	a.ingest(t, files...)
	d.ingest(t, files...)
	ctx := context.Background()

	period := &types.DateInterval{Start: aws.String("2018-10-01"), End: aws.String("2019-01-01")}
	dim := func(k string) []types.GroupDefinition {
		return []types.GroupDefinition{{Type: types.GroupDefinitionTypeDimension, Key: aws.String(k)}}
	}
	requests := []*costexplorer.GetCostAndUsageInput{
		{TimePeriod: period, Granularity: types.GranularityMonthly, Metrics: allMetricsOf(t)},
		{TimePeriod: period, Granularity: types.GranularityDaily, Metrics: allMetricsOf(t), GroupBy: dim("SERVICE")},
		{TimePeriod: period, Granularity: types.GranularityMonthly, Metrics: allMetricsOf(t), GroupBy: dim("USAGE_TYPE")},
		{TimePeriod: period, Granularity: types.GranularityMonthly, Metrics: allMetricsOf(t),
			GroupBy: []types.GroupDefinition{{Type: types.GroupDefinitionTypeTag, Key: aws.String("environment")}}},
		{TimePeriod: &types.DateInterval{Start: aws.String("2018-11-15"), End: aws.String("2018-12-10")},
			Granularity: types.GranularityMonthly, Metrics: allMetricsOf(t), GroupBy: dim("LINKED_ACCOUNT"),
			Filter: &types.Expression{Not: &types.Expression{Tags: &types.TagValues{Key: aws.String("environment"), Values: []string{"Production"}}}}},
	}
	// A cost category defined through the API on node A (kept in
	// PostgreSQL, so node B sees it too) and on the DuckDB node: nested
	// And/Or/Not, an inherited tag, a default, other rules from December.
	for _, in := range []*instance{a, d} {
		defineTeam(t, in.ce("test", "test"))
	}
	team := []types.GroupDefinition{{Type: types.GroupDefinitionTypeCostCategory, Key: aws.String("Team")}}
	requests = append(requests,
		&costexplorer.GetCostAndUsageInput{TimePeriod: period, Granularity: types.GranularityMonthly, Metrics: allMetricsOf(t), GroupBy: team},
		&costexplorer.GetCostAndUsageInput{TimePeriod: period, Granularity: types.GranularityDaily, Metrics: allMetricsOf(t), GroupBy: dim("SERVICE"),
			Filter: &types.Expression{Not: &types.Expression{CostCategories: &types.CostCategoryValues{Key: aws.String("Team"), Values: []string{"Shared", "Data"}}}}})
	answer := func(in *instance, req *costexplorer.GetCostAndUsageInput) string {
		t.Helper()
		res := getAll(t, in.ce("test", "test"), req)
		out, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	sameEverywhere := func(t *testing.T) {
		for i, req := range requests {
			want := answer(d, req)
			if diff := cmp.Diff(want, answer(a, req)); diff != "" {
				t.Errorf("request %d: node A (ClickHouse) differs from DuckDB (-duckdb +A):\n%s", i, diff)
			}
			if diff := cmp.Diff(want, answer(b, req)); diff != "" {
				t.Errorf("request %d: node B (ClickHouse) differs from DuckDB (-duckdb +B):\n%s", i, diff)
			}
		}
		for _, dimension := range []types.Dimension{types.DimensionService, types.DimensionLinkedAccount, types.DimensionUsageType} {
			in := &costexplorer.GetDimensionValuesInput{TimePeriod: period, Dimension: dimension}
			want, err := d.ce("test", "test").GetDimensionValues(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := b.ce("test", "test").GetDimensionValues(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want.DimensionValues, got.DimensionValues, cmp.AllowUnexported(types.DimensionValuesWithAttributes{})); diff != "" {
				t.Errorf("GetDimensionValues %s (-duckdb +B):\n%s", dimension, diff)
			}
		}
		// Reserved Instance and Savings Plans utilization and coverage.
		sameCommitmentAnswers(t, a, d, period)
		sameCommitmentAnswers(t, b, d, period)
	}
	sameEverywhere(t)
	for _, dimension := range []types.ApproximationDimension{types.ApproximationDimensionService, types.ApproximationDimensionResource} {
		in := &costexplorer.GetApproximateUsageRecordsInput{Granularity: types.GranularityDaily, ApproximationDimension: dimension}
		want, err := d.ce("test", "test").GetApproximateUsageRecords(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := a.ce("test", "test").GetApproximateUsageRecords(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if want.TotalRecords == 0 || want.TotalRecords != got.TotalRecords || !cmp.Equal(want.Services, got.Services) {
			t.Errorf("GetApproximateUsageRecords %s: DuckDB %d %v, ClickHouse %d %v", dimension, want.TotalRecords, want.Services,
				got.TotalRecords, got.Services)
		}
	}

	o := sharedOracle(t, files...)
	res := getAll(t, a.ce("test", "test"), &costexplorer.GetCostAndUsageInput{TimePeriod: period, Granularity: types.GranularityMonthly,
		Metrics: allMetricsOf(t), GroupBy: dim("SERVICE")})
	compare(t, "SERVICE on ClickHouse", o.sums(t, "date_trunc('month', ts)", "service", ""), flatten(t, res, true))
	res = getAll(t, b.ce("test", "test"), requests[len(requests)-2])
	compare(t, "defined Team on ClickHouse", o.sums(t, "date_trunc('month', ts)", "'Team$' || "+teamSQL, ""), flatten(t, res, true))

	// A shard down: no partial answer, a retryable error naming it.
	cluster.Stop(t, 1)
	once := costexplorer.NewFromConfig(a.awsConfig("test", "test"), func(o *costexplorer.Options) {
		o.BaseEndpoint = aws.String(a.url)
		o.RetryMaxAttempts = 1
	})
	_, err := once.GetCostAndUsage(ctx, &costexplorer.GetCostAndUsageInput{TimePeriod: period,
		Granularity: types.GranularityDaily, Metrics: []string{"UnblendedCost"}, GroupBy: dim("REGION")})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "ServiceUnavailable" || !strings.Contains(api.ErrorMessage(), "ClickHouse shard "+cluster.Addrs[1]) {
		t.Fatalf("GetCostAndUsage with shard 2 down: %v, want ServiceUnavailable naming ClickHouse shard %s", err, cluster.Addrs[1])
	}
	cluster.Start(t, 1)
	// The default client retries; the first call may meet a connection the
	// outage broke.
	sameEverywhere(t)
}

// defineTeam defines the cost category Team through the API: until
// November, usage of instances (BoxUsage), in production or outside
// us-east-1, then the
// environment tag's value, else Shared; from December, one account's cost
// is Data and the rest Other.
func defineTeam(t *testing.T, ce *costexplorer.Client) {
	t.Helper()
	ctx := context.Background()
	created, err := ce.CreateCostCategoryDefinition(ctx, &costexplorer.CreateCostCategoryDefinitionInput{Name: aws.String("Team"),
		RuleVersion: types.CostCategoryRuleVersionCostCategoryExpressionV1, EffectiveStart: aws.String("2018-10-01T00:00:00Z"),
		DefaultValue: aws.String("Shared"),
		Rules: []types.CostCategoryRule{
			{Value: aws.String("Compute-prod"), Rule: &types.Expression{And: []types.Expression{
				{Dimensions: &types.DimensionValues{Key: types.DimensionRecordType, Values: []string{"Usage"}}},
				{Or: []types.Expression{
					{Dimensions: &types.DimensionValues{Key: types.DimensionUsageType, Values: []string{"boxusage"},
						MatchOptions: []types.MatchOption{types.MatchOptionContains, types.MatchOptionCaseInsensitive}}},
					{Tags: &types.TagValues{Key: aws.String("environment"), Values: []string{"Production"}}},
					{Not: &types.Expression{Dimensions: &types.DimensionValues{Key: types.DimensionRegion, Values: []string{"us-east-1"}}}},
				}},
			}}},
			{Type: types.CostCategoryRuleTypeInheritedValue, InheritedValue: &types.CostCategoryInheritedValueDimension{
				DimensionName: types.CostCategoryInheritedValueDimensionNameTag, DimensionKey: aws.String("environment")}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ce.UpdateCostCategoryDefinition(ctx, &costexplorer.UpdateCostCategoryDefinitionInput{CostCategoryArn: created.CostCategoryArn,
		RuleVersion: types.CostCategoryRuleVersionCostCategoryExpressionV1, EffectiveStart: aws.String("2018-12-01T00:00:00Z"),
		DefaultValue: aws.String("Other"),
		Rules: []types.CostCategoryRule{{Value: aws.String("Data"), Rule: &types.Expression{Dimensions: &types.DimensionValues{
			Key: types.DimensionLinkedAccount, Values: []string{"011254002932"}}}}}}); err != nil {
		t.Fatal(err)
	}
}

// teamSQL is defineTeam's category value (parenthesised) over the oracle's
// table, written from the rules (first match wins, versions by billing
// month).
const teamSQL = `(CASE WHEN billing_month < DATE '2018-12-01' THEN
		CASE WHEN record_type = 'Usage' AND (lower(usage_type) LIKE '%boxusage%' OR tag_environment = 'Production' OR NOT region = 'us-east-1')
			THEN 'Compute-prod'
		WHEN coalesce(tag_environment, '') <> '' THEN tag_environment ELSE 'Shared' END
	ELSE CASE WHEN linked_account = '011254002932' THEN 'Data' ELSE 'Other' END END)`
