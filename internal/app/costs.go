package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/tallyhq/tally/internal/store"
	"github.com/tallyhq/tally/internal/store/clickhouse"
	"github.com/tallyhq/tally/internal/store/duckdb"
)

// CostData is what the App needs of the cost data, whichever store keeps
// it: the questions (Reserved Instance and Savings Plans ones included),
// the tag lines the metadata store asks about, usage record counts, and the
// account names the web UI shows.
type CostData interface {
	store.CostStore
	store.CommitmentStore
	store.TagLines
	store.UsageRecordCounter
	AccountNames(ctx context.Context) (map[string]string, error)
}

var (
	_ CostData = (*duckdb.DB)(nil)
	_ CostData = (*clickhouse.Store)(nil)
)

// openCosts opens the cost store: the DuckDB file in cfg.Data by default,
// ClickHouse when cfg.Store names it. db is nil for ClickHouse.
func openCosts(ctx context.Context, cfg Config) (db *duckdb.DB, costs CostData, err error) {
	switch {
	case cfg.Store == "" || cfg.Store == "duckdb":
		// DuckDB's buffer memory is capped so that ingesting a file of any
		// size stays within a bounded footprint; DuckDB spills to disk
		// beyond it.
		threads := cfg.DBThreads
		if threads <= 0 {
			threads = runtime.NumCPU()
		}
		db, err := duckdb.Open(ctx, filepath.Join(cfg.Data, "tally.duckdb"), duckdb.Options{
			Threads: threads, MemoryLimit: "1GB", Now: cfg.Now, Logger: cfg.Logger})
		if err != nil {
			return nil, nil, err
		}
		return db, db, nil
	case strings.HasPrefix(cfg.Store, "clickhouse://"):
		if cfg.Meta == "" {
			return nil, nil, errors.New("--store clickhouse://… needs --meta postgres://…: the metadata and the active generations of the cost data live in PostgreSQL")
		}
		chs, err := clickhouse.Open(ctx, cfg.Store, clickhouse.Options{Meta: cfg.Meta, Now: cfg.Now, Logger: cfg.Logger})
		if err != nil {
			return nil, nil, fmt.Errorf("cost store: %w", err)
		}
		return nil, chs, nil
	}
	return nil, nil, fmt.Errorf("--store %q: want clickhouse://HOST:PORT[,HOST:PORT…]/DB[?cluster=NAME], or nothing for the DuckDB file in --data", cfg.Store)
}
