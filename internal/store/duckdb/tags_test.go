package duckdb

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store"
)

// loadTagMonths stores October to December 2024, one Team-tagged line a
// month plus an aws:createdBy line in December.
func loadTagMonths(t *testing.T, db *DB) {
	t.Helper()
	for _, m := range []string{"2024-10-01", "2024-11-01", "2024-12-01"} {
		items := []*billing.LineItem{item(m, "AWS Lambda", "1", map[string]string{"Team": "a"})}
		if m == "2024-12-01" {
			items = append(items, item(m, "Amazon S3", "2", map[string]string{"aws:createdBy": "root"}))
		}
		load(t, db, billing.BillingPeriod{Source: "cur:111111111111", Month: day(m)}, items...)
	}
}

// byTeam returns the monthly Lambda cost of October to December grouped by
// Team.
func byTeam(t *testing.T, db *DB) map[string]string {
	t.Helper()
	return total(t, db, &query.Aggregate{Period: billing.Period{Start: day("2024-10-01"), End: day("2025-01-01")},
		Granularity: query.Monthly, Metrics: []billing.Metric{billing.UnblendedCost},
		GroupBy: []query.GroupKey{{Kind: query.KindTag, Key: "Team"}},
		Filter:  &query.Match{Kind: query.KindDimension, Key: string(billing.DimService), Values: []string{"AWS Lambda"}, Op: query.OpEquals}})
}

// TestBackfillIsAtomicForReaders flips Team's status and backfills it over
// and over while a reader queries: October and November, which each backfill
// switches together, must never disagree.
func TestBackfillIsAtomicForReaders(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "tally.duckdb"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	loadTagMonths(t, db)
	stop := make(chan struct{})
	errc := make(chan error, 1)
	reads := 0
	go func() {
		defer close(errc)
		for {
			select {
			case <-stop:
				return
			default:
			}
			rows, err := db.Aggregate(ctx, &query.Aggregate{Period: billing.Period{Start: day("2024-10-01"), End: day("2024-12-01")},
				Granularity: query.Monthly, Metrics: []billing.Metric{billing.UnblendedCost},
				GroupBy: []query.GroupKey{{Kind: query.KindTag, Key: "Team"}}})
			if err != nil {
				errc <- err
				return
			}
			if len(rows) != 2 || rows[0].Keys[0] != rows[1].Keys[0] {
				errc <- fmt.Errorf("a reader saw October and November disagree: %+v", rows)
				return
			}
			reads++
		}
	}()
	at := time.Date(2024, 12, 10, 0, 0, 0, 0, time.UTC)
	rounds := 20
	if testing.Short() {
		rounds = 5
	}
	for i := range rounds {
		at = at.Add(time.Minute)
		if _, err := db.SetTagStatus(ctx, "111111111111", []store.TagChange{{Key: "Team", Active: i%2 == 1}}, at); err != nil {
			t.Fatal(err)
		}
		req, err := db.CreateBackfill(ctx, "111111111111", day("2024-10-01"), at)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.ApplyBackfill(ctx, req.ID, at); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	t.Logf("%d reads during %d backfills", reads, rounds)
}

// TestStatusChangesDuringIngest changes statuses while ingests rewrite the
// same keys' rows: write conflicts are retried, nothing fails.
func TestStatusChangesDuringIngest(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	loadTagMonths(t, db)
	done := make(chan error, 1)
	go func() {
		// Not load: t.Fatal belongs to the test's goroutine.
		p := billing.BillingPeriod{Source: "cur:111111111111", Month: day("2024-11-01")}
		for range 5 {
			w, err := db.NewWriter(ctx)
			if err == nil {
				err = w.Append(p, item("2024-11-02", "AWS Lambda", "1", map[string]string{"Team": "b"}))
			}
			if err == nil {
				err = w.Commit(ctx, []store.PeriodInfo{{Period: p, Format: "test"}})
			}
			if err != nil {
				done <- err
				return
			}
		}
		close(done)
	}()
	at := time.Date(2024, 11, 10, 0, 0, 0, 0, time.UTC)
	for i := 0; ; i++ {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("ingest: %v", err)
			}
			return
		default:
		}
		if _, err := db.SetTagStatus(ctx, "111111111111", []store.TagChange{{Key: "Team", Active: i%2 == 1}}, at); err != nil {
			t.Fatalf("change %d during ingest: %v", i, err)
		}
	}
}

// TestStatusChangeRetriesConflicts holds a concurrent transaction that
// deactivates the key SetTagStatus activates: DuckDB reports a write
// conflict, which SetTagStatus retries instead of failing.
func TestStatusChangeRetriesConflicts(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	loadTagMonths(t, db)
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE tag_keys SET status = 'Inactive', last_used = DATE '2025-01-01' WHERE key = 'Team' AND payer = '111111111111'`); err != nil {
		t.Fatal(err)
	}
	committed := make(chan error, 1)
	go func() {
		time.Sleep(30 * time.Millisecond)
		committed <- tx.Commit()
	}()
	if _, err := db.SetTagStatus(ctx, "111111111111", []store.TagChange{{Key: "Team", Active: true}}, time.Date(2024, 12, 10, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatalf("SetTagStatus beside a concurrent transaction: %v", err)
	}
	if err := <-committed; err != nil {
		t.Fatalf("the concurrent transaction: %v", err)
	}
	keys, err := db.TagKeys(ctx, "111111111111", "")
	if err != nil {
		t.Fatal(err)
	}
	// Either order is a valid serialisation: the retry may come before the
	// other commit (a no-op then) or after it (a change then).
	team := keys[0]
	ours := team.Active && !team.LastUpdated.IsZero()
	theirs := !team.Active && team.LastUpdated.IsZero()
	if !team.LastUsed.Equal(day("2025-01-01")) || !(ours || theirs) {
		t.Errorf("Team = %+v, want both transactions applied in some order", team)
	}
}

// A store written when tag statuses were global gets them per payer on
// open: each payer keeps the statuses its keys had.
func TestMigrateGlobalTagStatuses(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tally.duckdb")
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	loadTagMonths(t, db)
	other := item("2024-12-02", "AWS Lambda", "1", map[string]string{"Team": "b"})
	other.PayerAccountID, other.UsageAccountID = "333333333333", "333333333333"
	load(t, db, billing.BillingPeriod{Source: "cur:333333333333", Month: day("2024-12-01")}, other)
	// Turn the store into the old layout: one global row per key and month,
	// Team inactive in December.
	for _, q := range []string{
		`DELETE FROM tag_keys WHERE payer = '333333333333'`,
		`DELETE FROM tag_status WHERE payer = '333333333333'`,
		`UPDATE tag_keys SET status = 'Inactive' WHERE key = 'Team'`,
		`UPDATE tag_status SET active = false WHERE key = 'Team' AND month = DATE '2024-12-01'`,
		`ALTER TABLE tag_keys DROP COLUMN payer`, `ALTER TABLE tag_status DROP COLUMN payer`,
		`ALTER TABLE tag_status_log DROP COLUMN payer`, `ALTER TABLE tag_backfills DROP COLUMN payer`,
	} {
		if _, err := db.SQL().ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	if db, err = Open(ctx, path, Options{}); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, payer := range []string{"111111111111", "333333333333"} {
		keys, err := db.TagKeys(ctx, payer, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) == 0 || keys[0].Key != "Team" || keys[0].Active {
			t.Errorf("TagKeys(%s) = %+v, want Team inactive", payer, keys)
		}
	}
	// December's Lambda lines of both payers are untagged.
	want := map[string]string{"2024-10-01|a": "1 USD", "2024-11-01|a": "1 USD", "2024-12-01|": "2 USD"}
	if diff := cmp.Diff(want, byTeam(t, db)); diff != "" {
		t.Errorf("after migration (-want +got):\n%s", diff)
	}
}
