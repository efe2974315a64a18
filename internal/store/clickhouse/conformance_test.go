package clickhouse

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tallyhq/tally/internal/store"
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
