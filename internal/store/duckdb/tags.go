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
		err := db.recoverFrom(db.tryTx(ctx, fn))
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
	tx, err := db.h().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// TagKeys lists payer's cost allocation tag keys ordered by key, with their
// status for payer; payer "" lists every payer's keys, each once, Active
// when it is active for some payer. A non-empty account keeps the keys on
// lines of that usage account only (what an AWS Organizations member sees of
// its payer's keys).
func (db *DB) TagKeys(ctx context.Context, payer, account string) ([]store.TagKey, error) {
	db.tagsMu.RLock()
	defer db.tagsMu.RUnlock()
	q := `SELECT key, status, type, last_updated, last_used FROM tag_keys WHERE payer = ?`
	args := []any{payer}
	if payer == "" {
		q = `SELECT key, CASE WHEN bool_or(status = 'Active') THEN 'Active' ELSE 'Inactive' END, min(type),
			max(last_updated), max(last_used) FROM tag_keys WHERE TRUE`
		args = nil
	}
	if account != "" {
		q += ` AND key IN (SELECT DISTINCT ts.key FROM rollup_month r JOIN combos c ON c.id = r.combo
			JOIN tag_sets ts ON ts.id = r.tag_set WHERE ` + activeGens + ` AND c.account = ?)`
		args = append(args, account)
	}
	if payer == "" {
		q += ` GROUP BY key`
	}
	rows, err := db.h().QueryContext(ctx, q+` ORDER BY key`, args...)
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

// SetTagStatus applies payer's status changes at the moment at: each key's
// current status for payer, and its status in the billing month of at and
// every later month on payer's lines, while earlier months keep theirs.
// Other payers' statuses of the same keys do not change. A change to the
// status a key already has does nothing. It returns, in order, the keys
// payer does not have.
func (db *DB) SetTagStatus(ctx context.Context, payer string, changes []store.TagChange, at time.Time) ([]string, error) {
	db.tagsMu.Lock()
	defer db.tagsMu.Unlock()
	var unknown []string
	at = at.UTC()
	month := billing.MonthStart(at)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		unknown = nil
		for _, c := range changes {
			var status string
			err := tx.QueryRowContext(ctx, `SELECT status FROM tag_keys WHERE payer = ? AND key = ? LIMIT 1`, payer, c.Key).Scan(&status)
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
				{`UPDATE tag_keys SET status = ?, last_updated = ? WHERE payer = ? AND key = ?`, []any{want, at, payer, c.Key}},
				{`UPDATE tag_status SET active = ? WHERE payer = ? AND key = ? AND month >= ?`, []any{c.Active, payer, c.Key, month}},
				{`INSERT INTO tag_status_log SELECT coalesce(max(seq), 0) + 1, ?, ?, ?, ?, ? FROM tag_status_log`,
					[]any{c.Key, c.Active, at, month, payer}},
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

// TagPayer returns the payer (management) account whose cost allocation tag
// settings govern account: account itself when it pays for stored lines
// (isPayer), else the payer of its latest lines, as for an AWS
// Organizations member; "" when account appears nowhere in the data.
func (db *DB) TagPayer(ctx context.Context, account string) (payer string, isPayer bool, err error) {
	lines := `FROM rollup_month r JOIN combos c ON c.id = r.combo WHERE ` + activeGens
	err = db.h().QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 `+lines+` AND c.payer = ?)`, account).Scan(&isPayer)
	if err != nil {
		return "", false, fmt.Errorf("duckdb: account role: %w", err)
	}
	if isPayer {
		return account, true, nil
	}
	err = db.h().QueryRowContext(ctx, `SELECT c.payer `+lines+` AND c.account = ? ORDER BY r.month DESC, c.payer LIMIT 1`,
		account).Scan(&payer)
	if err != nil && !errNoRows(err) {
		return "", false, fmt.Errorf("duckdb: account role: %w", err)
	}
	return payer, false, nil
}

// TagStatusVersion returns the sequence number of payer's latest status
// change, 0 when it made none.
func (db *DB) TagStatusVersion(ctx context.Context, payer string) (int64, error) {
	db.tagsMu.RLock()
	defer db.tagsMu.RUnlock()
	var v int64
	if err := db.h().QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM tag_status_log WHERE payer = ?`, payer).Scan(&v); err != nil {
		return 0, fmt.Errorf("duckdb: tag status version: %w", err)
	}
	return v, nil
}
