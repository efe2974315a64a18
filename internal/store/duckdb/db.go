// Package duckdb is Tally's embedded store: one DuckDB file holding line
// items, their hourly, daily and monthly rollups, and the metadata of each
// billing period. Queries read the rollups; ingest replaces a billing period
// by writing a new generation of rows and switching to it in one transaction.
package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" driver

	"github.com/tallyhq/tally/internal/store"
)

// DB implements every repository of the store package.
var (
	_ store.CostStore     = (*DB)(nil)
	_ store.BudgetStore   = (*DB)(nil)
	_ store.TagStore      = (*DB)(nil)
	_ store.BackfillStore = (*DB)(nil)
)

// Options configure a DB.
type Options struct {
	// Threads DuckDB may use; 0 lets DuckDB decide.
	Threads int
	// MemoryLimit such as "1GB"; "" lets DuckDB decide.
	MemoryLimit string
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// DB is a DuckDB-backed store. It is safe for concurrent use; ingests are
// serialised.
type DB struct {
	// handle is the open database; recovery from a fatal error replaces it
	// (see h and reopen).
	handle atomic.Pointer[sql.DB]
	dsn    string
	// memoryLimit is Options.MemoryLimit, which ingests restore.
	memoryLimit string
	// reopenMu serialises reopen.
	reopenMu sync.Mutex
	now      func() time.Time
	log      *slog.Logger
	ingest   sync.Mutex // one writer at a time

	mu      sync.Mutex // guards nextGen and the set dictionaries
	nextGen int64
	sets    map[string]*setDict // "tag_sets", "cc_sets"
	combos  *comboDict
	commits *commitDict
	version atomic.Int64 // see Version
	// periodCache is guarded by mu.
	periodCache periodCache
	// months answers the plainest small questions (monthcols.go); guarded
	// by mu. monthsBuild lets one question build them while the others of
	// that moment wait for it.
	months      *monthCols
	monthsBuild sync.Mutex
	// budgetsMu keeps reads of the budgets table from overlapping a write:
	// under DuckDB 1.5 a scan of it during a concurrent DELETE and INSERT
	// of a row could return a corrupted document (seen as "D").
	budgetsMu sync.RWMutex
	// tagsMu does the same for the tag management tables (tag_keys,
	// tag_backfills and their companions), which are updated in place.
	tagsMu sync.RWMutex
	// categoriesMu does the same for cost_categories and resource_tags.
	categoriesMu sync.RWMutex
	// runs are the leases of budget action runs (see action_runs.go).
	runs actionRunLeases
	// background runs the removal of inactive generations (see
	// purgeInBackground); Close cancels it and waits.
	background struct {
		ctx    context.Context
		cancel context.CancelFunc
		wg     sync.WaitGroup
	}
}

// Version changes whenever an answer may change: after an ingest commits
// and after tag statuses change. Callers may cache answers under it.
func (db *DB) Version() int64 { return db.version.Load() }

// changed records that answers may have changed.
func (db *DB) changed() { db.version.Add(1) }

// Open opens or creates the store file at path ("" for in-memory).
func Open(ctx context.Context, path string, opt Options) (*DB, error) {
	q := url.Values{}
	if opt.Threads > 0 {
		q.Set("threads", fmt.Sprint(opt.Threads))
	}
	if opt.MemoryLimit != "" {
		q.Set("memory_limit", opt.MemoryLimit)
	}
	dsn := path
	if len(q) > 0 {
		dsn += "?" + q.Encode()
	}
	sdb, err := sql.Open("duckdb", dsn)
	if err != nil {
		return nil, fmt.Errorf("duckdb: open %s: %w", path, err)
	}
	db := &DB{dsn: dsn, now: opt.Now, log: opt.Logger, memoryLimit: opt.MemoryLimit}
	db.handle.Store(sdb)
	db.background.ctx, db.background.cancel = context.WithCancel(context.Background())
	if path == "" {
		db.dsn = ""
	}
	if db.now == nil {
		db.now = time.Now
	}
	if db.log == nil {
		db.log = slog.New(slog.DiscardHandler)
	}
	if err := db.init(ctx); err != nil {
		db.background.cancel()
		sdb.Close()
		return nil, err
	}
	// The first ingest must not start before the leftovers are gone: its
	// generation numbers may be theirs (a crashed ingest left rows under
	// numbers it never recorded in generations).
	db.ingest.Lock()
	db.purgeInBackground(true)
	return db, nil
}

// schemaVersion numbers the layout of the tables; a store written with
// another layout is refused rather than misread. Derived values count as
// layout: 2 stores Cost Explorer's no-value spellings (NoRegion) and
// usage type groups where 1 stored ""; 3 adds the commitment rollup
// (rollup_commitment, commitments); 4 stores line item costs as 64-bit
// DECIMAL(18,10) (line_items) and those that do not fit in line_items_wide.
// A layout 3 store is converted in place when opened (migrateLineMoney).
const schemaVersion = 4

// ErrSchema reports a store file written by a Tally with another layout.
var ErrSchema = errors.New("the store was written by another version of tally")

func (db *DB) init(ctx context.Context) error {
	version, err := db.checkSchema(ctx)
	if err != nil {
		return err
	}
	for _, s := range schemaSQL() {
		if _, err := db.h().ExecContext(ctx, s); err != nil {
			return fmt.Errorf("duckdb: create schema: %w", err)
		}
	}
	if err := db.migrateTagPayers(ctx); err != nil {
		return err
	}
	if err := db.migrateLineMoney(ctx, version); err != nil {
		return err
	}
	// A reopened store keeps counting from where it was: the generations
	// of the ingest that failed may still have rows.
	var next int64
	if err := db.h().QueryRowContext(ctx, `SELECT coalesce(max(gen), 0) + 1 FROM generations`).Scan(&next); err != nil {
		return fmt.Errorf("duckdb: read generations: %w", err)
	}
	db.nextGen = max(db.nextGen, next)
	if db.combos, err = loadComboDict(ctx, db.h()); err != nil {
		return err
	}
	if db.commits, err = loadCommitDict(ctx, db.h()); err != nil {
		return err
	}
	db.sets = map[string]*setDict{}
	for _, table := range []string{"tag_sets", "cc_sets"} {
		d, err := loadSetDict(ctx, db.h(), table)
		if err != nil {
			return err
		}
		db.sets[table] = d
	}
	return nil
}

// checkSchema records the schema version in a new store and refuses a store
// of another version, except one that init converts; it returns the stored
// version.
func (db *DB) checkSchema(ctx context.Context) (int, error) {
	var tables int
	if err := db.h().QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main'`).Scan(&tables); err != nil {
		return 0, fmt.Errorf("duckdb: read schema: %w", err)
	}
	if _, err := db.h().ExecContext(ctx, `CREATE TABLE IF NOT EXISTS tally_schema (version INTEGER NOT NULL)`); err != nil {
		return 0, fmt.Errorf("duckdb: create schema: %w", err)
	}
	var version int
	err := db.h().QueryRowContext(ctx, `SELECT version FROM tally_schema`).Scan(&version)
	switch {
	case errNoRows(err) && tables == 0:
		_, err = db.h().ExecContext(ctx, `INSERT INTO tally_schema VALUES (?)`, schemaVersion)
		return schemaVersion, err
	case errNoRows(err):
		version = 0
	case err != nil:
		return 0, fmt.Errorf("duckdb: read schema version: %w", err)
	}
	if version != schemaVersion && version != 3 {
		return 0, fmt.Errorf("%w (layout %d, this tally reads layout %d): ingest your billing files into a new --data directory", ErrSchema, version, schemaVersion)
	}
	return version, nil
}

// purgeInBackground removes the rows of inactive generations on its own
// goroutine, so that start-up does no work proportional to the data. Leftover
// rows are invisible to readers, so the store serves while they go. Ingests
// wait: the removal holds the ingest lock, which the caller already holds
// when locked is true, and otherwise is taken once the running ingest ends.
// A reopen calls it with db.mu held, which Close takes to stop it.
func (db *DB) purgeInBackground(locked bool) {
	ctx := db.background.ctx
	if ctx.Err() != nil { // closed
		if locked {
			db.ingest.Unlock()
		}
		return
	}
	db.background.wg.Add(1)
	go func() {
		defer db.background.wg.Done()
		if !locked {
			db.ingest.Lock()
		}
		defer db.ingest.Unlock()
		began := time.Now()
		if err := db.purgeInactive(ctx); err != nil {
			if ctx.Err() == nil {
				// A store that cannot be written (a full disk) still
				// serves what it holds.
				db.log.Warn("removing leftovers of replaced or failed ingests failed; the store serves its data and retries on the next start", "err", err)
			}
			return
		}
		db.log.Debug("removed leftovers of replaced or failed ingests", "took", time.Since(began))
	}()
}

// purgeInactive removes rows of generations that are not active: leftovers
// of an ingest that crashed or of a period replaced just before a crash.
// A cancelled ctx stops it between statements, never inside one: Close
// waits for the statement under way rather than interrupting DuckDB in the
// middle of a DELETE.
func (db *DB) purgeInactive(ctx context.Context) error {
	live := `SELECT gen FROM generations WHERE gen IN (` + activeGenerations + `)`
	for _, t := range append(slices.Clone(lineTables), rollupTables...) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := db.h().ExecContext(context.WithoutCancel(ctx), `DELETE FROM `+t+` WHERE gen NOT IN (`+live+`)`); err != nil {
			return fmt.Errorf("duckdb: purge %s: %w", t, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := db.h().ExecContext(context.WithoutCancel(ctx), `DELETE FROM generations WHERE gen NOT IN (`+activeGenerations+`)`); err != nil {
		return fmt.Errorf("duckdb: purge generations: %w", err)
	}
	return nil
}

// Close stops the background removal of leftovers and closes the database
// file.
func (db *DB) Close() error {
	db.mu.Lock()
	db.background.cancel()
	db.mu.Unlock()
	db.background.wg.Wait()
	return db.h().Close()
}

// h returns the open database.
func (db *DB) h() *sql.DB { return db.handle.Load() }

// SQL exposes the underlying handle to the backend's own tests and tools.
func (db *DB) SQL() *sql.DB { return db.h() }

// errNoRows reports whether err is sql.ErrNoRows.
func errNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
