package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// ingestMemoryLimit is DuckDB's memory limit while an ingest runs. An
// ingest streams: the appender writes row groups out as it goes and the
// rollups aggregate into a few hundred thousand groups, so DuckDB needs
// little; left at the store's limit, its buffer pool keeps every block it
// wrote and re-read up to that limit, so the process grew with the data
// (peak RSS 1.16 GiB at 10M line items). Lowered, DuckDB's buffer pool stays
// within this limit at any size (peak RSS 0.68 GiB at 10M).
const ingestMemoryLimit = 256 << 20

// lowerMemoryLimit lowers DuckDB's memory limit (a database-wide setting) to
// ingestMemoryLimit for the duration of an ingest; it reports whether it did.
// An in-memory store keeps all its data in that memory, so its limit stays.
func (db *DB) lowerMemoryLimit(ctx context.Context, conn *sql.Conn) bool {
	if db.dsn == "" {
		return false
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`SET GLOBAL memory_limit = '%dB'`, ingestMemoryLimit)); err != nil {
		db.log.Warn("ingest: lowering DuckDB's memory limit failed", "err", err)
		return false
	}
	return true
}

// restoreMemoryLimit sets DuckDB's memory limit back to the store's after an
// ingest.
func (db *DB) restoreMemoryLimit(conn *sql.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	set := `RESET GLOBAL memory_limit`
	if db.memoryLimit != "" {
		set = `SET GLOBAL memory_limit = '` + strings.ReplaceAll(db.memoryLimit, "'", "''") + `'`
	}
	if _, err := conn.ExecContext(ctx, set); err != nil {
		db.log.Warn("ingest: restoring DuckDB's memory limit failed", "limit", db.memoryLimit, "err", err)
	}
}
