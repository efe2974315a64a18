package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// A failed write can leave DuckDB unusable: when a checkpoint cannot be
// written (a full disk) the database is invalidated and every later
// statement fails with "database has been invalidated" until it is opened
// again. The store notices such an error, reopens the file and goes on
// serving the committed data; Health tells whether it can.

// fatal reports whether err means DuckDB invalidated the database.
func fatal(err error) bool {
	if err == nil {
		return false
	}
	var de *duckdb.Error
	if errors.As(err, &de) && de.Type == duckdb.ErrorTypeFatal {
		return true
	}
	return strings.Contains(err.Error(), "database has been invalidated")
}

// Health reports whether the store answers queries. When DuckDB has
// invalidated the database it reopens it first, so a probe also heals.
func (db *DB) Health(ctx context.Context) error {
	err := db.probe(ctx)
	if fatal(err) {
		err = db.reopen(ctx)
		if err == nil {
			err = db.probe(ctx)
		}
	}
	if err != nil {
		return fmt.Errorf("duckdb: store unavailable: %w", err)
	}
	return nil
}

func (db *DB) probe(ctx context.Context) error {
	var n int64
	return db.h().QueryRowContext(ctx, `SELECT count(*) FROM generations`).Scan(&n)
}

// recoverFrom reopens the database when DuckDB invalidated it, so that the
// next call works; it returns err unchanged. err alone does not always tell
// (an appender reports an invalidating checkpoint failure in its own words),
// so after any error a probe does.
func (db *DB) recoverFrom(err error) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if fatal(err) || fatal(db.probe(ctx)) {
		if rerr := db.reopen(ctx); rerr != nil {
			db.log.Error("reopening the store after a fatal error failed", "err", rerr)
		}
	}
	return err
}

// reopen replaces an invalidated database with a freshly opened one, and
// does nothing when the database works or another reopen is under way (also
// one that recovery during its own start-up would re-enter). A statement
// running on the old database fails, as it would have anyway.
func (db *DB) reopen(ctx context.Context) error {
	if !db.reopenMu.TryLock() {
		return nil
	}
	defer db.reopenMu.Unlock()
	if err := db.probe(ctx); !fatal(err) {
		return nil
	}
	if db.dsn == "" {
		return errors.New("duckdb: an in-memory store cannot be reopened")
	}
	db.log.Warn("the store was invalidated by a failed write (is the disk full?); reopening it")
	old := db.h()
	old.Close()
	sdb, err := sql.Open("duckdb", db.dsn)
	if err != nil {
		return fmt.Errorf("duckdb: reopen: %w", err)
	}
	db.handle.Store(sdb)
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := db.init(ctx); err != nil {
		return fmt.Errorf("duckdb: reopen: %w", err)
	}
	db.periodCache = periodCache{}
	db.changed()
	db.purgeInBackground(false)
	db.log.Info("the store was reopened and serves its committed data")
	return nil
}
