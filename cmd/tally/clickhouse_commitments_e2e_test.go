package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	bsdk "github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
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

	// Purchase recommendations and commitment budgets read the same
	// rollup: the same answers on both nodes.
	ctx := context.Background()
	var recommend []func(*costexplorer.Client) (any, error)
	for _, pay := range []types.PaymentOption{types.PaymentOptionNoUpfront, types.PaymentOptionPartialUpfront, types.PaymentOptionAllUpfront} {
		recommend = append(recommend, func(ce *costexplorer.Client) (any, error) {
			return ce.GetReservationPurchaseRecommendation(ctx, &costexplorer.GetReservationPurchaseRecommendationInput{
				Service: aws.String("Amazon Elastic Compute Cloud - Compute"), LookbackPeriodInDays: types.LookbackPeriodInDaysThirtyDays,
				TermInYears: types.TermInYearsOneYear, PaymentOption: pay})
		}, func(ce *costexplorer.Client) (any, error) {
			return ce.GetSavingsPlansPurchaseRecommendation(ctx, &costexplorer.GetSavingsPlansPurchaseRecommendationInput{
				SavingsPlansType: types.SupportedSavingsPlansTypeComputeSp, TermInYears: types.TermInYearsOneYear,
				PaymentOption: pay, LookbackPeriodInDays: types.LookbackPeriodInDaysThirtyDays})
		})
	}
	recommended := 0
	for i, req := range recommend {
		want, err := req(d.ce("test", "test"))
		if err != nil {
			t.Fatalf("recommendation %d on DuckDB: %v", i, err)
		}
		got, err := req(c.ce("test", "test"))
		if err != nil {
			t.Fatalf("recommendation %d on ClickHouse: %v", i, err)
		}
		switch r := want.(type) {
		case *costexplorer.GetReservationPurchaseRecommendationOutput:
			recommended += len(r.Recommendations)
			// This small organisation has on-demand instances but no
			// reservation rate for them: the answer names them.
			if r.Metadata != nil && strings.Contains(aws.ToString(r.Metadata.AdditionalMetadata), "No recommendation for Amazon Elastic Compute Cloud") {
				recommended++
			}
		case *costexplorer.GetSavingsPlansPurchaseRecommendationOutput:
			if r.SavingsPlansPurchaseRecommendation != nil {
				recommended += len(r.SavingsPlansPurchaseRecommendation.SavingsPlansPurchaseRecommendationDetails)
			}
		}
		if diff := cmp.Diff(jsonOf(t, want), jsonOf(t, got)); diff != "" {
			t.Errorf("recommendation %d: ClickHouse differs from DuckDB (-duckdb +clickhouse):\n%s", i, diff)
		}
	}
	if recommended == 0 {
		t.Error("no purchase recommendation nor candidate on DuckDB: the comparison proves little")
	}
	id, err := sts.NewFromConfig(c.awsConfig("test", "test"), func(o *sts.Options) { o.BaseEndpoint = aws.String(c.url) }).
		GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	account := id.Account
	for _, typ := range []btypes.BudgetType{btypes.BudgetTypeRIUtilization, btypes.BudgetTypeRICoverage,
		btypes.BudgetTypeSPUtilization, btypes.BudgetTypeSPCoverage} {
		spend := map[string]string{}
		for _, in := range []*instance{c, d} {
			bc := in.budgets("test", "test")
			name := aws.String(string(typ))
			if _, err := bc.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: account,
				Budget: &btypes.Budget{BudgetName: name, BudgetType: typ, TimeUnit: btypes.TimeUnitMonthly,
					BudgetLimit: &btypes.Spend{Amount: aws.String("100"), Unit: aws.String("PERCENTAGE")}}}); err != nil {
				t.Fatal(err)
			}
			out, err := bc.DescribeBudget(ctx, &bsdk.DescribeBudgetInput{AccountId: account, BudgetName: name})
			if err != nil {
				t.Fatal(err)
			}
			if cs := out.Budget.CalculatedSpend; cs != nil {
				spend[in.data] = aws.ToString(cs.ActualSpend.Amount)
			}
		}
		if spend[d.data] == "" || spend[c.data] != spend[d.data] {
			t.Errorf("%s budget: ClickHouse %q, DuckDB %q; want the same measured percentage", typ, spend[c.data], spend[d.data])
		}
	}
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

// jsonOf spells an SDK output as JSON, without its result metadata; page
// tokens and recommendation ids read "masked" (each node signs tokens with
// its own key, and ids name the store's version).
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
	mask(m)
	out, err = json.MarshalIndent(m, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func mask(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			switch k {
			case "NextToken", "NextPageToken", "RecommendationId":
				if e != nil {
					x[k] = "masked"
				}
			default:
				mask(e)
			}
		}
	case []any:
		for _, e := range x {
			mask(e)
		}
	}
}
