package main

import (
	"bytes"
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/tallyhq/tally/internal/testenv"
)

// TestAllSamplesLoad ingests the whole sample folder with `tally ingest`
// while no server runs, then serves it and checks the CSV CUR and FOCUS
// months against sums over the raw files.
func TestAllSamplesLoad(t *testing.T) {
	t.Parallel()
	sample(t, "focus_sample.csv")
	dir := testenv.Samples(t)
	data := t.TempDir()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"ingest", "--data", data, dir}, &out, &errOut); err != nil {
		t.Fatalf("tally ingest: %v\n%s", err, errOut.String())
	}
	for _, f := range []string{"focus_sample.csv", "sample-anonymous-aws-export-dataset.csv", "Oct2018-WorkshopCUR-00001.snappy.parquet"} {
		if !strings.Contains(out.String(), f) {
			t.Errorf("ingest report does not mention %s:\n%s", f, out.String())
		}
	}
	inst := startOn(t, data, time.Date(2024, 10, 15, 0, 0, 0, 0, time.UTC), "--profile", "unlimited")
	raw, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`CREATE VIEW focus AS SELECT * FROM read_csv('` + sample(t, "focus_sample.csv") + `', nullstr = 'NULL', all_varchar = true)`); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`CREATE VIEW cur AS SELECT * FROM read_csv('` + sample(t, "sample-anonymous-aws-export-dataset.csv") + `', all_varchar = true)`); err != nil {
		t.Fatal(err)
	}
	ce := inst.ce("test", "test")
	for _, tc := range []struct {
		name, start, end, metric, sql string
	}{
		{"FOCUS billed", "2024-09-01", "2024-10-01", "UnblendedCost", `SELECT CAST(sum(CAST(BilledCost AS DECIMAL(38,10))) AS VARCHAR) FROM focus`},
		{"FOCUS effective", "2024-09-01", "2024-10-01", "AmortizedCost", `SELECT CAST(sum(CAST(EffectiveCost AS DECIMAL(38,10))) AS VARCHAR) FROM focus`},
		{"CSV CUR", "2023-11-01", "2023-12-01", "UnblendedCost", `SELECT CAST(sum(CAST("lineItem/UnblendedCost" AS DECIMAL(38,10))) AS VARCHAR) FROM cur`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want string
			if err := raw.QueryRow(tc.sql).Scan(&want); err != nil {
				t.Fatal(err)
			}
			res, err := ce.GetCostAndUsage(context.Background(), &costexplorer.GetCostAndUsageInput{
				TimePeriod:  &types.DateInterval{Start: aws.String(tc.start), End: aws.String(tc.end)},
				Granularity: types.GranularityMonthly, Metrics: []string{tc.metric}})
			if err != nil {
				t.Fatal(err)
			}
			got := aws.ToString(res.ResultsByTime[0].Total[tc.metric].Amount)
			if rat(t, got).Cmp(rat(t, want)) != 0 {
				t.Errorf("%s %s = %s, raw file says %s", tc.start, tc.metric, got, want)
			}
		})
	}
}
