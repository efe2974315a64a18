package duckdb

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tallyhq/tally/internal/store"
	"github.com/tallyhq/tally/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, "../storetest/testdata", func(t *testing.T) store.CostStore {
		db, err := Open(context.Background(), "", Options{Threads: 2})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

func TestRepositories(t *testing.T) {
	storetest.RunRepositories(t, func(t *testing.T, dir string) storetest.Repositories {
		db, err := Open(context.Background(), filepath.Join(dir, "tally.duckdb"), Options{Threads: 1})
		if err != nil {
			t.Fatal(err)
		}
		return storetest.Repositories{Costs: db, Budgets: db, Tags: db, Backfills: db, Outbox: db.Outbox(), Categories: db, Anomalies: db, Detected: db}
	})
}

// The commitment rollup written out while the lines stream (a cell at a
// time here) answers exactly as one written at commit.
func TestConformanceSpillingCommitments(t *testing.T) {
	defer func(n int) { maxCommitCells = n }(maxCommitCells)
	maxCommitCells = 1
	storetest.Run(t, "../storetest/testdata", func(t *testing.T) store.CostStore {
		db, err := Open(context.Background(), "", Options{Threads: 2})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}
