package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/store"
)

// conflictRetries is how often a tag transaction is retried when DuckDB
// reports a write conflict with a concurrent one (an ingest recording
// tag_keys.last_used, say).
const conflictRetries = 5

// inTx runs fn in a transaction and commits it, retrying on write
// conflicts.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := db.tryTx(ctx, fn)
		var de *duckdb.Error
		if err == nil || attempt == conflictRetries || !errors.As(err, &de) || de.Type != duckdb.ErrorTypeTransaction {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 10 * time.Millisecond):
		}
	}
}

func (db *DB) tryTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// payerKeys selects the tag keys on active lines paid by the account given
// as parameter.
var payerKeys = `SELECT DISTINCT ts.key FROM rollup_month r JOIN combos c ON c.id = r.combo
	JOIN tag_sets ts ON ts.id = r.tag_set WHERE ` + activeGens + ` AND c.payer = ?`

// TagKeys lists the cost allocation tag keys ordered by key: every key seen
// in the data when payer is "", else the keys on lines paid by payer.
func (db *DB) TagKeys(ctx context.Context, payer string) ([]store.TagKey, error) {
	db.tagsMu.RLock()
	defer db.tagsMu.RUnlock()
	q := `SELECT key, status, type, last_updated, last_used FROM tag_keys`
	var args []any
	if payer != "" {
		q += ` WHERE key IN (` + payerKeys + `)`
		args = append(args, payer)
	}
	rows, err := db.sql.QueryContext(ctx, q+` ORDER BY key`, args...)
	if err != nil {
		return nil, fmt.Errorf("duckdb: tag keys: %w", err)
	}
	defer rows.Close()
	var out []store.TagKey
	for rows.Next() {
		var k store.TagKey
		var status, typ string
		var updated, used sql.NullTime
		if err := rows.Scan(&k.Key, &status, &typ, &updated, &used); err != nil {
			return nil, fmt.Errorf("duckdb: tag keys: %w", err)
		}
		k.Active, k.AWSGenerated = status == "Active", typ == "AWSGenerated"
		if updated.Valid {
			k.LastUpdated = updated.Time.UTC()
		}
		if used.Valid {
			k.LastUsed = used.Time.UTC()
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// SetTagStatus applies status changes at the moment at: each key's current
// status, and its status in the billing month of at and every later month,
// while earlier months keep theirs. A change to the status a key already
// has does nothing. It returns, in order, the keys it does not know.
func (db *DB) SetTagStatus(ctx context.Context, changes []store.TagChange, at time.Time) ([]string, error) {
	db.tagsMu.Lock()
	defer db.tagsMu.Unlock()
	var unknown []string
	at = at.UTC()
	month := billing.MonthStart(at)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		unknown = nil
		for _, c := range changes {
			var status string
			err := tx.QueryRowContext(ctx, `SELECT status FROM tag_keys WHERE key = ? LIMIT 1`, c.Key).Scan(&status)
			if errNoRows(err) {
				unknown = append(unknown, c.Key)
				continue
			}
			if err != nil {
				return err
			}
			want := statusName(c.Active)
			if status == want {
				continue
			}
			stmts := []struct {
				q    string
				args []any
			}{
				{`UPDATE tag_keys SET status = ?, last_updated = ? WHERE key = ?`, []any{want, at, c.Key}},
				{`UPDATE tag_status SET active = ? WHERE key = ? AND month >= ?`, []any{c.Active, c.Key, month}},
				{`INSERT INTO tag_status_log SELECT coalesce(max(seq), 0) + 1, ?, ?, ?, ? FROM tag_status_log`,
					[]any{c.Key, c.Active, at, month}},
			}
			for _, s := range stmts {
				if _, err := tx.ExecContext(ctx, s.q, s.args...); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("duckdb: set tag status: %w", err)
	}
	db.changed()
	return unknown, nil
}

func statusName(active bool) string {
	if active {
		return "Active"
	}
	return "Inactive"
}

// LinkedOnly reports whether account appears in the data only as a linked
// account of other payers: an AWS Organizations member, which has no access
// to cost allocation tags.
func (db *DB) LinkedOnly(ctx context.Context, account string) (bool, error) {
	lines := `SELECT 1 FROM rollup_month r JOIN combos c ON c.id = r.combo WHERE ` + activeGens
	var linked bool
	err := db.sql.QueryRowContext(ctx, `SELECT EXISTS (`+lines+` AND c.account = ? AND c.payer <> ?)
		AND NOT EXISTS (`+lines+` AND c.payer = ?)`, account, account, account).Scan(&linked)
	if err != nil {
		return false, fmt.Errorf("duckdb: account role: %w", err)
	}
	return linked, nil
}

// TagStatusVersion returns the number of status changes SetTagStatus made.
func (db *DB) TagStatusVersion(ctx context.Context) (int64, error) {
	db.tagsMu.RLock()
	defer db.tagsMu.RUnlock()
	var v int64
	if err := db.sql.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM tag_status_log`).Scan(&v); err != nil {
		return 0, fmt.Errorf("duckdb: tag status version: %w", err)
	}
	return v, nil
}
