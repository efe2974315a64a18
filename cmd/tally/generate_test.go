package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/billing"
)

var generateNow = time.Date(2025, 4, 10, 7, 0, 0, 0, time.UTC)

func runGen(args ...string) (string, string, error) {
	var out, errOut bytes.Buffer
	err := runGenerate(context.Background(), args, &out, &errOut, func() time.Time { return generateNow })
	return out.String(), errOut.String(), err
}

func TestGenerateRejectsBadFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no out", nil, "generate needs --out"},
		{"negative rows", []string{"--rows", "-5"}, "rows must not be negative, got -5"},
		{"unknown format", []string{"--format", "csv"}, `unknown format "csv" (want cur2, cur, focus or focus13)`},
		{"end before start", []string{"--start", "2025-03-01", "--end", "2025-02-01"},
			"end 2025-02-01T00:00:00Z must be after start 2025-03-01T00:00:00Z"},
		{"bad date", []string{"--start", "2025-13-01"}, `--start "2025-13-01" is not a date (YYYY-MM-DD)`},
		{"zero accounts", []string{"--accounts", "0"}, "--accounts must be positive, got 0"},
		{"negative months", []string{"--months", "-2"}, "--months must be positive, got -2"},
		{"zero rows per file", []string{"--rows-per-file", "0"}, "--rows-per-file must be positive, got 0"},
		{"negative workers", []string{"--workers", "-1"}, "workers must not be negative, got -1"},
		{"not a number", []string{"--rows", "many"}, `invalid value "many" for flag -rows: parse error`},
		{"argument", []string{"extra"}, `generate takes no arguments, got ["extra"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			args := tc.args
			if tc.name != "no out" {
				args = append([]string{"--out", dir}, args...)
			}
			_, _, err := runGen(args...)
			var ue usageError
			if !errors.As(err, &ue) {
				t.Fatalf("error %v (%T), want a usage error (exit status 2)", err, err)
			}
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("output folder exists after a usage error: %v", err)
			}
		})
	}
}

func TestGenerateDefaultWindow(t *testing.T) {
	dir := t.TempDir()
	out, _, err := runGen("--out", dir, "--rows", "3000", "--format", "focus")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^wrote (\d+) line items in (\d+) files \([0-9.]+ [KMG]?i?B\) to .+ in [0-9.]+[mµn]?s, \d+ line items/s\n$`)
	m := re.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("summary %q does not match %s", out, re)
	}
	// The last 13 months and April 2025 to date: 14 periods of one data
	// file and one manifest each.
	if m[2] != "28" {
		t.Errorf("%s files, want 28", m[2])
	}
	periods, _ := filepath.Glob(filepath.Join(dir, "tally-synth", "metadata", "BILLING_PERIOD=*"))
	var names []string
	for _, p := range periods {
		names = append(names, strings.TrimPrefix(filepath.Base(p), "BILLING_PERIOD="))
	}
	if len(names) != 14 || names[0] != "2024-03" || names[13] != "2025-04" {
		t.Errorf("billing periods %v, want 2024-03 to 2025-04", names)
	}
}

func TestGenerateUnwritableFolder(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := runGen("--out", filepath.Join(file, "out"), "--rows", "1000")
	var ue usageError
	if err == nil || errors.As(err, &ue) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("error %v, want a one-line failure that is not a usage error", err)
	}
}

// TestGenerateIngestQuery generates each format, loads it through `tally
// ingest` into the store of a running server and checks Cost Explorer's
// monthly UnblendedCost against DuckDB over the raw files.
func TestGenerateIngestQuery(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("generates, ingests and queries four exports")
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	csv := `header=true, all_varchar=true, delim=',', quote='"', escape='"', new_line='\n'`
	for _, tc := range []struct {
		format, glob, sql string
	}{
		{"cur2", "tally-synth/data/*/*.parquet", `SELECT strftime(bill_billing_period_start_date, '%Y-%m'),
			sum(CAST(line_item_unblended_cost AS DECIMAL(38,10)))::VARCHAR FROM read_parquet('GLOB') GROUP BY 1`},
		{"cur", "tally-synth/*/*/*.csv.gz", `SELECT "bill/BillingPeriodStartDate"[1:7],
			sum(CAST(NULLIF("lineItem/UnblendedCost", '') AS DECIMAL(38,10)))::VARCHAR FROM read_csv('GLOB', ` + csv + `) GROUP BY 1`},
		{"focus", "tally-synth/data/*/*.csv.gz", `SELECT BillingPeriodStart[1:7],
			sum(CAST(NULLIF(BilledCost, '') AS DECIMAL(38,10)))::VARCHAR FROM read_csv('GLOB', ` + csv + `) GROUP BY 1`},
		{"focus13", "tally-synth/data/*/*.csv.gz", `SELECT BillingPeriodStart[1:7],
			sum(CAST(NULLIF(BilledCost, '') AS DECIMAL(38,10)))::VARCHAR FROM read_csv('GLOB', ` + csv + `) GROUP BY 1`},
	} {
		t.Run(tc.format, func(t *testing.T) {
			dir := t.TempDir()
			if _, _, err := runGen("--out", dir, "--format", tc.format, "--rows", "8000", "--seed", "11",
				"--start", "2025-01-01", "--end", "2025-04-10"); err != nil {
				t.Fatal(err)
			}
			want := map[string]billing.Amount{}
			rows, err := db.Query(strings.ReplaceAll(tc.sql, "GLOB", filepath.Join(dir, tc.glob)))
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var month, sum string
				if err := rows.Scan(&month, &sum); err != nil {
					t.Fatal(err)
				}
				a, err := billing.ParseAmount(sum)
				if err != nil {
					t.Fatal(err)
				}
				want[month] = a
			}
			rows.Close()
			if len(want) != 4 {
				t.Fatalf("DuckDB sees months %v, want 4", want)
			}

			// The server checks request signatures against its clock.
			inst := start(t, time.Now(), "--profile", "unlimited")
			inst.ingest(t, dir)
			res, err := inst.ce("test", "test").GetCostAndUsage(context.Background(), &costexplorer.GetCostAndUsageInput{
				TimePeriod:  &cetypes.DateInterval{Start: aws.String("2025-01-01"), End: aws.String("2025-05-01")},
				Granularity: cetypes.GranularityMonthly,
				Metrics:     []string{"UnblendedCost"},
			})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]billing.Amount{}
			for _, r := range res.ResultsByTime {
				a, err := billing.ParseAmount(aws.ToString(r.Total["UnblendedCost"].Amount))
				if err != nil {
					t.Fatal(err)
				}
				got[aws.ToString(r.TimePeriod.Start)[:7]] = a
			}
			for month, w := range want {
				if d := got[month] - w; d < -billing.Amount(1e6) || d > billing.Amount(1e6) {
					t.Errorf("%s: Cost Explorer UnblendedCost %s, DuckDB over the files %s", month, got[month], w)
				}
			}
			if t.Failed() {
				t.Log(fmt.Sprint(got))
			}
		})
	}
}
