package duckdb

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
)

// Start-up leaves the removal of leftovers to a background job, which
// finishes before the next ingest starts: the ingest neither reuses the
// numbers of a crashed ingest's rows nor finds them in its totals.
func TestLeftoversGoBeforeTheNextIngest(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tally.duckdb")
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	jan := billing.BillingPeriod{Source: "cur:111111111111", Month: day("2024-01-01")}
	load(t, db, jan, item("2024-01-02", "Amazon S3", "5", nil))
	load(t, db, jan, item("2024-01-02", "Amazon S3", "6", nil)) // replaces the first
	// A crashed ingest's rows, under the number the next ingest would take
	// were they not removed first.
	var next int64
	if err := db.SQL().QueryRowContext(ctx, `SELECT max(gen) + 1 FROM generations`).Scan(&next); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().ExecContext(ctx, `INSERT INTO line_items SELECT ?, * EXCLUDE (gen) FROM line_items`, next); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	if db, err = Open(ctx, path, Options{}); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	feb := billing.BillingPeriod{Source: "cur:111111111111", Month: day("2024-02-01")}
	load(t, db, feb, item("2024-02-02", "Amazon S3", "7", nil))
	var gens, lines int
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(DISTINCT gen), count(*) FROM line_items`).Scan(&gens, &lines); err != nil {
		t.Fatal(err)
	}
	if gens != 2 || lines != 2 {
		t.Errorf("line_items holds %d rows of %d generations, want the 2 rows of the 2 active ones", lines, gens)
	}
	q := &query.Aggregate{Period: billing.Period{Start: day("2024-01-01"), End: day("2024-03-01")},
		Granularity: query.Monthly, Metrics: []billing.Metric{billing.UnblendedCost}}
	want := map[string]string{"2024-01-01": "6 USD", "2024-02-01": "7 USD"}
	if diff := cmp.Diff(want, total(t, db, q)); diff != "" {
		t.Errorf("totals (-want +got):\n%s", diff)
	}
}
