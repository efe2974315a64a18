package postgres_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tallyhq/tally/internal/store/duckdb"
	"github.com/tallyhq/tally/internal/store/postgres"
	"github.com/tallyhq/tally/internal/store/storetest"
	"github.com/tallyhq/tally/internal/testenv"
)

// TestRepositories runs the metadata conformance suite on PostgreSQL, with
// DuckDB for the cost data. Every case gets a database of its own on one
// cluster; reopening opens a new pool on the same database.
func TestRepositories(t *testing.T) {
	dsn := testenv.Postgres(t)
	var mu sync.Mutex
	dbs := map[string]string{}
	storetest.RunRepositories(t, func(t *testing.T, dir string) storetest.Repositories {
		ctx := context.Background()
		mu.Lock()
		caseDSN, ok := dbs[dir]
		if !ok {
			caseDSN = newDatabase(t, dsn)
			dbs[dir] = caseDSN
		}
		mu.Unlock()
		cost, err := duckdb.Open(ctx, filepath.Join(dir, "tally.duckdb"), duckdb.Options{Threads: 1})
		if err != nil {
			t.Fatal(err)
		}
		meta, err := postgres.Open(ctx, caseDSN, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		costs, err := meta.Costs(ctx, cost)
		if err != nil {
			t.Fatal(err)
		}
		return storetest.Repositories{Costs: closer{costs, meta}, Budgets: meta, Tags: meta, Backfills: meta,
			Outbox: meta.Outbox(), Categories: meta, Anomalies: meta, Detected: meta}
	})
}

// closer closes the metadata with the cost store.
type closer struct {
	*postgres.Costs
	meta *postgres.DB
}

func (c closer) Close() error {
	c.meta.Close()
	return c.Costs.Close()
}
