package clickhouse

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tallyhq/tally/internal/store"
	"github.com/tallyhq/tally/internal/store/postgres"
	"github.com/tallyhq/tally/internal/store/storetest"
	"github.com/tallyhq/tally/internal/testenv"
)

// backends are the servers of one test: two ClickHouse shards and one
// PostgreSQL, shared by the stores it opens, each in databases of its own.
type backends struct {
	ch   *testenv.ClickHouseCluster
	pg   string
	pgsv *testenv.PostgresServer
	n    atomic.Int64
}

func startBackends(t *testing.T) *backends {
	t.Helper()
	pg := testenv.StartPostgres(t)
	return &backends{ch: testenv.ClickHouse(t, 2), pg: pg.DSN, pgsv: pg}
}

// fresh returns the addresses of a new, empty store: a ClickHouse database
// and a PostgreSQL database of its own.
func (b *backends) fresh(t *testing.T) (chAddr, pgAddr string) {
	t.Helper()
	name := fmt.Sprintf("t%d", b.n.Add(1))
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, b.pg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	return b.ch.DSN(name), strings.Replace(b.pg, "/postgres?", "/"+name+"?", 1)
}

func (b *backends) open(t *testing.T) *Store {
	t.Helper()
	chAddr, pgAddr := b.fresh(t)
	s, err := Open(context.Background(), chAddr, Options{Meta: pgAddr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	b := startBackends(t)
	storetest.Run(t, "../storetest/testdata", func(t *testing.T) store.CostStore { return b.open(t) })
}

// TestRepositories runs the metadata conformance suite with the metadata in
// PostgreSQL (package postgres) and the cost data, through which ingest
// discovers tag keys and whose questions apply their statuses, in
// ClickHouse. Reopening a case opens both again on the same databases.
func TestRepositories(t *testing.T) {
	b := startBackends(t)
	var mu sync.Mutex
	addrs := map[string][2]string{}
	storetest.RunRepositories(t, func(t *testing.T, dir string) storetest.Repositories {
		ctx := context.Background()
		mu.Lock()
		a, ok := addrs[dir]
		if !ok {
			chAddr, pgAddr := b.fresh(t)
			a = [2]string{chAddr, pgAddr}
			addrs[dir] = a
		}
		mu.Unlock()
		cost, err := Open(ctx, a[0], Options{Meta: a[1]})
		if err != nil {
			t.Fatal(err)
		}
		meta, err := postgres.Open(ctx, a[1], postgres.Options{})
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
