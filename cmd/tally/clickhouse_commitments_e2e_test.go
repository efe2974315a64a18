package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/synth"
	"github.com/tallyhq/tally/internal/testenv"
)

// TestClickHouseCommitments ingests a small synthetic organisation (CUR
// 2.0, with Reserved Instances and Savings Plans) into a `tally serve` on
// ClickHouse (two shards, --meta PostgreSQL) and into one on DuckDB: the
// ClickHouse node's RI and Savings Plans utilization and coverage figures
// match the oracle over the raw files, and every commitment request answers
// the same JSON on both nodes.
func TestClickHouseCommitments(t *testing.T) {
	dir := t.TempDir()
	if _, err := synth.Generate(context.Background(), synth.Config{Out: dir, Format: synth.FormatCUR2, Now: commitNow, Seed: 5,
		Accounts: 3, Start: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), Rows: 20000}); err != nil {
		t.Fatal(err)
	}
	cluster := testenv.ClickHouse(t, 2)
	pg := testenv.StartPostgres(t)
	c := start(t, commitNow, "--store", cluster.DSN("tally"), "--meta", pg.DSN)
	d := start(t, commitNow)
	c.ingest(t, dir)
	d.ingest(t, dir)

	from, to := "2024-02-01", "2024-07-01"
	db := commitOracle(t, fmt.Sprintf("read_parquet('%s', union_by_name=true)",
		filepath.Join(dir, synth.DefaultExportName, "data", "*", "*.parquet")), curCols(snake))
	ce := c.ce("test", "test")
	checkRIUtilization(t, ce, db, from, to, true, riNames)
	checkRICoverage(t, ce, db, from, to, "INSTANCE_TYPE", "coalesce(instance_type, 'NoInstanceType')")
	checkSavingsPlans(t, ce, db, from, to, true)

	sameCommitmentAnswers(t, c, d, &types.DateInterval{Start: aws.String(from), End: aws.String(to)})
}

// sameCommitmentAnswers asks node a (ClickHouse) and node d (DuckDB) the
// commitment requests over period and wants identical JSON.
func sameCommitmentAnswers(t *testing.T, a, d *instance, period *types.DateInterval) {
	t.Helper()
	ctx := context.Background()
	group := func(k string) []types.GroupDefinition {
		return []types.GroupDefinition{{Type: types.GroupDefinitionTypeDimension, Key: aws.String(k)}}
	}
	ec2 := &types.Expression{Dimensions: &types.DimensionValues{Key: types.DimensionService,
		Values: []string{"Amazon Elastic Compute Cloud - Compute"}}}
	requests := []func(*costexplorer.Client) (any, error){
		func(ce *costexplorer.Client) (any, error) {
			return ce.GetReservationUtilization(ctx, &costexplorer.GetReservationUtilizationInput{TimePeriod: period,
				Granularity: types.GranularityMonthly, GroupBy: group("SUBSCRIPTION_ID")})
		},
		func(ce *costexplorer.Client) (any, error) {
			return ce.GetReservationUtilization(ctx, &costexplorer.GetReservationUtilizationInput{TimePeriod: period,
				Granularity: types.GranularityDaily})
		},
		func(ce *costexplorer.Client) (any, error) {
			return ce.GetReservationCoverage(ctx, &costexplorer.GetReservationCoverageInput{TimePeriod: period,
				Granularity: types.GranularityMonthly, GroupBy: group("REGION"), Filter: ec2})
		},
		func(ce *costexplorer.Client) (any, error) {
			return ce.GetSavingsPlansCoverage(ctx, &costexplorer.GetSavingsPlansCoverageInput{TimePeriod: period,
				Granularity: types.GranularityMonthly})
		},
		func(ce *costexplorer.Client) (any, error) {
			return ce.GetSavingsPlansCoverage(ctx, &costexplorer.GetSavingsPlansCoverageInput{TimePeriod: period,
				Granularity: types.GranularityDaily, GroupBy: group("INSTANCE_TYPE_FAMILY")})
		},
		func(ce *costexplorer.Client) (any, error) {
			return ce.GetSavingsPlansUtilization(ctx, &costexplorer.GetSavingsPlansUtilizationInput{TimePeriod: period,
				Granularity: types.GranularityDaily})
		},
		func(ce *costexplorer.Client) (any, error) {
			return ce.GetSavingsPlansUtilizationDetails(ctx, &costexplorer.GetSavingsPlansUtilizationDetailsInput{TimePeriod: period})
		},
	}
	for i, req := range requests {
		want, err := req(d.ce("test", "test"))
		if err != nil {
			t.Fatalf("request %d on DuckDB: %v", i, err)
		}
		got, err := req(a.ce("test", "test"))
		if err != nil {
			t.Fatalf("request %d on ClickHouse: %v", i, err)
		}
		if diff := cmp.Diff(jsonOf(t, want), jsonOf(t, got)); diff != "" {
			t.Errorf("commitment request %d: ClickHouse differs from DuckDB (-duckdb +clickhouse):\n%s", i, diff)
		}
	}
}

// jsonOf spells an SDK output as JSON, without its result metadata; a page
// token reads "token" (each node signs with its own key).
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "ResultMetadata")
	if m["NextToken"] != nil {
		m["NextToken"] = "token"
	}
	out, err = json.MarshalIndent(m, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
