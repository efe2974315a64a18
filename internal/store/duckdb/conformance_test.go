package duckdb

import (
	"context"
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
