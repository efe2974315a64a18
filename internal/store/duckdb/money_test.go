package duckdb

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
)

// moneyQueries are answers that read the rollups (DAILY, MONTHLY) and the
// line items (HOURLY of a month without an hourly rollup, by resource).
func moneyAnswers(t *testing.T, db *DB) map[string]map[string]string {
	t.Helper()
	jan := billing.Period{Start: day("2024-01-01"), End: day("2024-02-01")}
	metrics := []billing.Metric{billing.UnblendedCost, billing.NetAmortizedCost}
	out := map[string]map[string]string{}
	for name, q := range map[string]*query.Aggregate{
		"daily":   {Period: jan, Granularity: query.Daily, Metrics: metrics},
		"monthly": {Period: jan, Granularity: query.Monthly, Metrics: metrics},
		"hourly": {Period: billing.Period{Start: day("2024-01-02"), End: day("2024-01-03")}, Granularity: query.Hourly,
			Metrics: metrics, GroupBy: []query.GroupKey{{Kind: query.KindDimension, Key: "SERVICE"}}},
		"resources": {Period: jan, Granularity: query.Monthly, Metrics: metrics,
			GroupBy: []query.GroupKey{{Kind: query.KindDimension, Key: string(billing.DimResourceID)}}},
	} {
		out[name] = total(t, db, q)
	}
	return out
}

// bigLines holds costs at both ends of what an Amount holds, beside
// ordinary ones; the first two do not fit line_items' 64-bit decimals.
func bigLines() []*billing.LineItem {
	huge := item("2024-01-02", "S3", "922337203.6854775807", nil)
	huge.ResourceID = "bucket"
	neg := item("2024-01-02", "S3", "-100000000", nil)
	neg.UsageStart = neg.UsageStart.Add(2 * time.Hour)
	edge := item("2024-01-02", "S3", "99999999.9999999999", nil)
	edge.ResourceID = "bucket"
	return []*billing.LineItem{huge, neg, edge, item("2024-01-02", "Lambda", "0.0000000001", nil), item("2024-01-03", "Lambda", "1.5", nil)}
}

var bigWant = map[string]map[string]string{
	"daily":   {"2024-01-02": "922337203.6854775807 USD", "2024-01-03": "1.5 USD"},
	"monthly": {"2024-01-01": "922337205.1854775807 USD"},
	"hourly": {"2024-01-02T00|Lambda": "0.0000000001 USD", "2024-01-02T00|S3": "1022337203.6854775806 USD",
		"2024-01-02T02|S3": "-100000000 USD"},
	"resources": {"2024-01-01|": "-99999998.4999999999 USD", "2024-01-01|bucket": "1022337203.6854775806 USD"},
}

// TestLineCostsBeyond64BitDecimalsStayExact checks that lines whose costs
// do not fit line_items' DECIMAL(18,10) are kept (in line_items_wide) and
// summed exactly, in rollups and in answers read from line items.
func TestLineCostsBeyond64BitDecimalsStayExact(t *testing.T) {
	ctx := context.Background()
	// January 2024 is not recent: HOURLY questions read the line items.
	db, err := Open(ctx, "", Options{Now: func() time.Time { return day("2024-06-20") }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	load(t, db, billing.BillingPeriod{Source: "cur:111111111111", Month: day("2024-01-01")}, bigLines()...)
	var narrow, wide int
	db.h().QueryRow(`SELECT (SELECT count(*) FROM line_items), (SELECT count(*) FROM line_items_wide)`).Scan(&narrow, &wide)
	if narrow != 3 || wide != 2 {
		t.Errorf("line_items holds %d lines and line_items_wide %d, want 3 and 2", narrow, wide)
	}
	if diff := cmp.Diff(bigWant, moneyAnswers(t, db)); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
}

// TestLayout3StoreIsConvertedInPlace writes a store as a layout 3 Tally did
// (line item costs DECIMAL(38,10), no line_items_wide) and checks that
// opening it converts it, keeping every line and every answer.
func TestLayout3StoreIsConvertedInPlace(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tally.duckdb")
	now := func() time.Time { return day("2024-06-20") }
	db, err := Open(ctx, path, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	load(t, db, billing.BillingPeriod{Source: "cur:111111111111", Month: day("2024-01-01")}, bigLines()...)
	db.Close()

	// Rewrite it in layout 3.
	db, err = Open(ctx, path, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	var old []string
	for _, n := range moneyNames {
		old = append(old, `ALTER TABLE line_items ALTER COLUMN `+n+` SET DATA TYPE DECIMAL(38,10)`)
	}
	old = append(old, `INSERT INTO line_items SELECT * FROM line_items_wide`, `DROP TABLE line_items_wide`,
		`UPDATE tally_schema SET version = 3`)
	for _, s := range old {
		if _, err := db.h().Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	db.Close()

	db, err = Open(ctx, path, Options{Now: now})
	if err != nil {
		t.Fatalf("opening a layout 3 store: %v", err)
	}
	defer db.Close()
	var version, narrow, wide int
	var typ string
	db.h().QueryRow(`SELECT (SELECT version FROM tally_schema), (SELECT count(*) FROM line_items), (SELECT count(*) FROM line_items_wide),
		(SELECT data_type FROM duckdb_columns() WHERE table_name = 'line_items' AND column_name = 'net_amortized')`).Scan(&version, &narrow, &wide, &typ)
	if version != schemaVersion || narrow != 3 || wide != 2 || typ != lineMoney {
		t.Errorf("converted store: layout %d, %d + %d lines, costs %s; want layout %d, 3 + 2 lines, costs %s",
			version, narrow, wide, typ, schemaVersion, lineMoney)
	}
	if diff := cmp.Diff(bigWant, moneyAnswers(t, db)); diff != "" {
		t.Errorf("answers after conversion (-want +got):\n%s", diff)
	}
	// It goes on taking ingests.
	load(t, db, billing.BillingPeriod{Source: "cur:111111111111", Month: day("2024-02-01")}, item("2024-02-01", "S3", "1", nil))
}

// TestIngestLowersMemoryLimitForItsDuration checks that DuckDB's memory
// limit is ingestMemoryLimit while a writer is open and the store's own
// after it commits or aborts.
func TestIngestLowersMemoryLimitForItsDuration(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "tally.duckdb"), Options{MemoryLimit: "1GB"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	limit := func() string {
		var s string
		if err := db.h().QueryRow(`SELECT current_setting('memory_limit')`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := limit()
	for _, commit := range []bool{true, false} {
		w, err := db.NewWriter(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := limit(); got != "256.0 MiB" {
			t.Errorf("memory limit during an ingest: %s, want 256.0 MiB", got)
		}
		p := billing.BillingPeriod{Source: "cur:111111111111", Month: day("2024-01-01")}
		if err := w.Append(p, item("2024-01-02", "S3", "1", nil)); err != nil {
			t.Fatal(err)
		}
		if commit {
			err = w.Commit(ctx, nil)
		} else {
			err = w.Abort()
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := limit(); got != before {
			t.Errorf("memory limit after an ingest (commit %v): %s, want %s as before", commit, got, before)
		}
	}
}
