// Package postgres keeps Tally's metadata in PostgreSQL, so that several
// Tally nodes share it (DESIGN.md §9): budgets and their action histories,
// the alert outbox, cost allocation tag statuses and backfill requests,
// cost category definitions, anomaly monitors and subscriptions, and the
// key that signs page tokens. It implements the metadata repositories of
// package store and passes store/storetest's RunRepositories.
//
// Exactly once across nodes: a message the outbox hands out (Due) and a
// backfill job a node begins (BeginBackfill) are leased to that node
// (SELECT … FOR UPDATE SKIP LOCKED, then owner and expiry written in the
// same transaction). Another node skips them until the lease expires, so
// two nodes never deliver one alert or run one job at the same time, and a
// node killed mid-job is replaced once its lease has run out.
//
// Tag statuses decide what the cost queries see, and those run in the cost
// backend: Costs wraps the CostStore so that the keys ingest discovers
// reach PostgreSQL, and PostgreSQL's statuses reach the cost backend before
// it answers (see Costs).
//
// A PostgreSQL that cannot be reached fails every call with a
// *store.UnavailableError naming it; every write is one transaction, so an
// outage never leaves half of one.
package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tallyhq/tally/internal/store"
)

// Backend is the name errors give PostgreSQL.
const Backend = "PostgreSQL"

// DefaultLease is how long a node holds a message or job it took before
// another node may take it over.
const DefaultLease = 2 * time.Minute

// Options configure a DB.
type Options struct {
	// Node names this process in leases; "" draws a random name.
	Node string
	// Lease is how long a lease lasts; 0 means DefaultLease.
	Lease time.Duration
	// DueBatch is the most messages Outbox.Due leases at once; 0 means
	// DefaultDueBatch. A node sends what it took one after another, so
	// the lease must outlast sending all of them.
	DueBatch int
}

// DefaultDueBatch is Options.DueBatch's default: four sends of at most 30
// seconds each (notify's timeouts) fit in DefaultLease. The dispatcher
// polls every second, so a node still sends four messages a second.
const DefaultDueBatch = 4

// DB is the metadata of Tally in one PostgreSQL database.
type DB struct {
	pool  *pgxpool.Pool
	node  string
	lease time.Duration
	batch int
	// lines answers the tag questions about lines (see Costs).
	lines atomic.Pointer[store.TagLines]
}

var (
	_ store.BudgetStore       = (*DB)(nil)
	_ store.TagStore          = (*DB)(nil)
	_ store.BackfillStore     = (*DB)(nil)
	_ store.CostCategoryStore = (*DB)(nil)
	_ store.AnomalyStore      = (*DB)(nil)
	_ store.Outbox            = (*Outbox)(nil)
)

// Open connects to the database of dsn (a postgres:// URL or key=value
// string) and brings its schema to the current version.
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		// pgxpool's default (4 on a small machine) is few for a server
		// whose every request may query: a node's budget lock holds one.
		cfg.MaxConns = max(cfg.MaxConns, 16)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db := &DB{pool: pool, node: opts.Node, lease: opts.Lease, batch: opts.DueBatch}
	if db.node == "" {
		b := make([]byte, 8)
		rand.Read(b)
		db.node = hex.EncodeToString(b)
	}
	if db.lease <= 0 {
		db.lease = DefaultLease
	}
	if db.batch <= 0 {
		db.batch = DefaultDueBatch
	}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// Node returns the name this DB writes in leases.
func (db *DB) Node() string { return db.node }

// Close closes the connections.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	return db.fail("ping", db.pool.Ping(ctx))
}

// fail wraps err with what was being done, as a *store.UnavailableError
// when the server could not be reached.
func (db *DB) fail(what string, err error) error {
	if err == nil {
		return nil
	}
	if unreachable(err) {
		// The pool's other connections are likely cut too: drop them all,
		// so that once the server is back the next call connects afresh
		// instead of failing on a dead connection.
		db.pool.Reset()
		return &store.UnavailableError{Backend: Backend, Err: fmt.Errorf("%s: %w", what, err)}
	}
	return fmt.Errorf("postgres: %s: %w", what, err)
}

// unreachable tells a failure to reach or keep the server (retryable)
// from one of the statement (a bug or a rule of ours).
func unreachable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, pgx.ErrNoRows) || errors.Is(err, store.ErrLeased) ||
		errors.Is(err, store.ErrBackfillInProgress) {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08: connection exception; 57P0x: the server shutting
		// down or starting; 53: insufficient resources.
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "57P") || strings.HasPrefix(pe.Code, "53")
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) || pgconn.Timeout(err) || pgconn.SafeToRetry(err) {
		return true
	}
	// What is left comes from the connection (reset, EOF, closed) rather
	// than from the server's answer.
	var rule *ruleError
	return !errors.As(err, &rule)
}

// ruleError is a failure of a store rule (a request not PROCESSING, say),
// never an outage.
type ruleError struct{ msg string }

func (e *ruleError) Error() string { return e.msg }

func rulef(format string, args ...any) error { return &ruleError{fmt.Sprintf(format, args...)} }

// tx runs fn in a transaction and commits it. A failure rolls back all of
// it: nothing of a write is stored unless everything is.
func (db *DB) tx(ctx context.Context, what string, fn func(tx pgx.Tx) error) error {
	err := pgx.BeginFunc(ctx, db.pool, fn)
	return db.fail(what, err)
}

func utc(t time.Time) time.Time { return t.UTC() }

func fromNull(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// collect is pgx.CollectRows with nil for no rows, as the contracts'
// comparisons expect.
func collect[T any](rows pgx.Rows, fn pgx.RowToFunc[T]) ([]T, error) {
	out, err := pgx.CollectRows(rows, fn)
	if len(out) == 0 {
		out = nil
	}
	return out, err
}

// PageTokenKey returns the key that signs page tokens, made once per
// database: every node of one database signs with it, so a token from one
// is good on all.
func (db *DB) PageTokenKey(ctx context.Context) ([]byte, error) {
	fresh := make([]byte, 32)
	rand.Read(fresh)
	var key []byte
	err := db.tx(ctx, "page token key", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO settings VALUES ('page-token-key', $1) ON CONFLICT DO NOTHING`, fresh); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT value FROM settings WHERE name = 'page-token-key'`).Scan(&key)
	})
	return key, err
}
