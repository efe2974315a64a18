package duckdb

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
)

// An aborted ingest leaves no trace: the tag sets and combos it interned
// are not remembered as stored, so the next ingest of the same lines stores
// them.
func TestAbortForgetsInternedSets(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p := billing.BillingPeriod{Source: "cur:111111111111", Month: day("2024-01-01")}
	li := item("2024-01-02", "Amazon Neptune", "3", map[string]string{"Team": "graph"})
	w, err := db.NewWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Append(p, li); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	load(t, db, p, li)
	got := total(t, db, &query.Aggregate{Period: billing.Period{Start: day("2024-01-01"), End: day("2024-02-01")},
		Granularity: query.Monthly, Metrics: []billing.Metric{billing.UnblendedCost},
		GroupBy: []query.GroupKey{{Kind: query.KindTag, Key: "Team"}, {Kind: query.KindDimension, Key: string(billing.DimService)}}})
	if diff := cmp.Diff(map[string]string{"2024-01-01|graph|Amazon Neptune": "3 USD"}, got); diff != "" {
		t.Errorf("after an aborted ingest (-want +got):\n%s", diff)
	}
}

// Commitment rollup rows written out during an ingest that then fails are
// deleted with it.
func TestAbortRemovesSpilledCommitments(t *testing.T) {
	defer func(n int) { maxCommitCells = n }(maxCommitCells)
	maxCommitCells = 1
	ctx := context.Background()
	db, err := Open(ctx, "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p := billing.BillingPeriod{Source: "cur:111111111111", Month: day("2024-01-01")}
	w, err := db.NewWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"2024-01-02", "2024-01-03"} {
		li := item(d, "Amazon Elastic Compute Cloud", "1", nil)
		li.LineItemType = "DiscountedUsage"
		li.Commitment.ReservationARN = "arn:aws:ec2:us-east-1:111111111111:reserved-instances/ri-1"
		if err := w.Append(p, li); err != nil {
			t.Fatal(err)
		}
	}
	count := func() (n int) {
		if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM rollup_commitment`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n == 0 {
		t.Fatal("no commitment rollup row was written during the ingest")
	}
	w.Abort()
	if n := count(); n != 0 {
		t.Errorf("%d commitment rollup rows left after the ingest was aborted", n)
	}
}
