package duckdb

import (
	"context"
	"database/sql"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
)

// TestPinnedGenerations: reads pin the active generations the store's
// version knows, and read again finding them in the statement when the
// version moves on while they run, so that a period replaced (and its old
// rows removed) under a running question never gives a partial answer.
func TestPinnedGenerations(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p := billing.BillingPeriod{Source: "cur:111111111111", Month: day("2024-01-01")}
	q := &query.Aggregate{Period: billing.Period{Start: day("2024-01-01"), End: day("2024-02-01")},
		Granularity: query.Daily, Metrics: []billing.Metric{billing.UnblendedCost}} // a statement, not monthCols
	load(t, db, p, item("2024-01-05", "AmazonEC2", "1.5", nil))
	if diff := cmp.Diff(map[string]string{"2024-01-05": "1.5 USD"}, total(t, db, q)); diff != "" {
		t.Fatalf("first load (-want +got):\n%s", diff)
	}
	db.mu.Lock()
	stale := db.periodCache // pins the first generation
	db.mu.Unlock()
	if !stale.valid || stale.gens == "" {
		t.Fatalf("no generations cached: %+v", stale)
	}
	load(t, db, p, item("2024-01-05", "AmazonEC2", "2.25", nil)) // replaces the first, whose rows are removed
	want := map[string]string{"2024-01-05": "2.25 USD"}
	if diff := cmp.Diff(want, total(t, db, q)); diff != "" {
		t.Fatalf("after the replacement (-want +got):\n%s", diff)
	}

	// The stale list passed off as the current version's: the read uses
	// it, and finds the removed generation empty.
	stale.version = db.Version()
	db.mu.Lock()
	db.periodCache = stale
	db.mu.Unlock()
	if got := total(t, db, q); len(got) != 0 {
		t.Fatalf("pinned to a removed generation, got %v; the pinned list is not used", got)
	}

	// The same, but the version moves on while the statement runs: the
	// read starts again finding the active generations itself.
	db.mu.Lock()
	db.periodCache = stale
	db.mu.Unlock()
	calls := 0
	var sum string
	err = db.queryPinned(ctx, `SELECT CAST(sum(r.unblended) AS VARCHAR) FROM rollup_month r WHERE r.gen IN (`+activeGenerations+`)`, nil,
		func(rows *sql.Rows) error {
			calls++
			if calls == 1 {
				db.changed()
			}
			sum = ""
			for rows.Next() {
				var s sql.NullString
				if err := rows.Scan(&s); err != nil {
					return err
				}
				sum = s.String
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 2 || sum != "2.2500000000" {
		t.Fatalf("%d reads, sum %q; want 2 reads (pinned, then unpinned after the version moved) and 2.2500000000", calls, sum)
	}
}

// TestPinnedCurrency: the one currency of a store stands for the unit of
// cost metrics; with two, every group still reports its own or N/A.
func TestPinnedCurrency(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	month := billing.Period{Start: day("2024-01-01"), End: day("2024-02-01")}
	total1 := &query.Aggregate{Period: month, Granularity: query.Monthly, Metrics: []billing.Metric{billing.UnblendedCost}}
	byService := &query.Aggregate{Period: month, Granularity: query.Monthly, Metrics: []billing.Metric{billing.UnblendedCost},
		GroupBy: []query.GroupKey{{Kind: query.KindDimension, Key: string(billing.DimService)}}}
	load(t, db, billing.BillingPeriod{Source: "cur:111111111111", Month: day("2024-01-01")}, item("2024-01-05", "AmazonEC2", "1.5", nil))
	if c, _ := db.loadPeriods(ctx); c.currency != "'USD'" {
		t.Fatalf("one currency pinned as %q, want 'USD'", c.currency)
	}
	if diff := cmp.Diff(map[string]string{"2024-01-01": "1.5 USD"}, total(t, db, total1)); diff != "" {
		t.Fatalf("one currency (-want +got):\n%s", diff)
	}
	eur := item("2024-01-06", "AmazonS3", "2", nil)
	eur.PayerAccountID, eur.Currency = "333333333333", "EUR"
	load(t, db, billing.BillingPeriod{Source: "cur:333333333333", Month: day("2024-01-01")}, eur)
	if c, _ := db.loadPeriods(ctx); c.currency != "" {
		t.Fatalf("two currencies pinned as %q", c.currency)
	}
	if diff := cmp.Diff(map[string]string{"2024-01-01": "3.5 N/A"}, total(t, db, total1)); diff != "" {
		t.Errorf("two currencies in one bucket (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"2024-01-01|AmazonEC2": "1.5 USD", "2024-01-01|AmazonS3": "2 EUR"}, total(t, db, byService)); diff != "" {
		t.Errorf("a currency per group (-want +got):\n%s", diff)
	}
}

func TestWithoutCombos(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"SELECT r.ts AS b, sum(r.unblended), 'USD' FROM rollup_month r JOIN combos c ON c.id = r.combo WHERE r.gen IN (1) GROUP BY b",
			"SELECT r.ts AS b, sum(r.unblended), 'USD' FROM rollup_month r WHERE r.gen IN (1) GROUP BY b"},
		{"SELECT r.ts AS b, c.service AS k0 FROM rollup_month r JOIN combos c ON c.id = r.combo GROUP BY b, k0", ""},
		{"SELECT r.ts FROM rollup_month r JOIN combos c ON c.id = r.combo WHERE (c.payer = ? OR c.account = ?)", ""},
		{"SELECT sum(r.x) FROM rollup_month r JOIN combos c ON c.id = r.combo WHERE coalesce(c.region, '') = 'x'", ""},
		{"SELECT min(nullif(c.usage_unit, '')) FROM rollup_month r JOIN combos c ON c.id = r.combo", ""},
		{"SELECT cc.key FROM rollup_month r JOIN combos c ON c.id = r.combo JOIN cc_sets cc ON cc.id = r.cc_set",
			"SELECT cc.key FROM rollup_month r JOIN cc_sets cc ON cc.id = r.cc_set"},
		{"SELECT 1 FROM rollup_month r JOIN combos c ON c.id = r.combo JOIN x ON (SELECT 1 FROM rollup_day r JOIN combos c ON c.id = r.combo)", ""},
	} {
		want := tc.want
		if want == "" {
			want = tc.in
		}
		if got := withoutCombos(tc.in); got != want {
			t.Errorf("withoutCombos(%q)\n got %q\nwant %q", tc.in, got, want)
		}
	}
}
