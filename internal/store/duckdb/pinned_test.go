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
		Granularity: query.Monthly, Metrics: []billing.Metric{billing.UnblendedCost}}
	load(t, db, p, item("2024-01-05", "AmazonEC2", "1.5", nil))
	if diff := cmp.Diff(map[string]string{"2024-01-01": "1.5 USD"}, total(t, db, q)); diff != "" {
		t.Fatalf("first load (-want +got):\n%s", diff)
	}
	db.mu.Lock()
	stale := db.periodCache // pins the first generation
	db.mu.Unlock()
	if !stale.valid || stale.gens == "" {
		t.Fatalf("no generations cached: %+v", stale)
	}
	load(t, db, p, item("2024-01-05", "AmazonEC2", "2.25", nil)) // replaces the first, whose rows are removed
	want := map[string]string{"2024-01-01": "2.25 USD"}
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
