package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/store"
)

// CreateBackfill records a PROCESSING backfill request of payer from the
// month from, with the current status of every key of payer and payer's tag
// status version.
func (db *DB) CreateBackfill(ctx context.Context, payer string, from, requestedAt time.Time) (store.Backfill, error) {
	db.tagsMu.Lock()
	defer db.tagsMu.Unlock()
	req := store.Backfill{Payer: payer, From: billing.MonthStart(from), RequestedAt: requestedAt.UTC(),
		LastUpdatedAt: requestedAt.UTC(), Status: store.BackfillProcessing}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM tag_backfills`).Scan(&req.ID); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM tag_status_log WHERE payer = ?`, payer).Scan(&req.Version); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO tag_backfills VALUES (?, ?, ?, NULL, ?, ?, '', ?, 0, ?)`,
			req.ID, req.From, req.RequestedAt, req.LastUpdatedAt, string(req.Status), req.Version, payer); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO tag_backfill_keys SELECT ?, key, status = 'Active' FROM tag_keys WHERE payer = ?`, req.ID, payer)
		return err
	})
	if err != nil {
		return store.Backfill{}, fmt.Errorf("duckdb: create backfill: %w", err)
	}
	return req, nil
}

// Backfills lists every payer's backfill requests, newest first.
func (db *DB) Backfills(ctx context.Context) ([]store.Backfill, error) {
	db.tagsMu.RLock()
	defer db.tagsMu.RUnlock()
	rows, err := db.h().QueryContext(ctx, `SELECT id, backfill_from, requested_at, completed_at, last_updated_at,
		status, reason, version, attempts, payer FROM tag_backfills ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("duckdb: backfills: %w", err)
	}
	defer rows.Close()
	var out []store.Backfill
	for rows.Next() {
		var r store.Backfill
		var status string
		var completed sql.NullTime
		if err := rows.Scan(&r.ID, &r.From, &r.RequestedAt, &completed, &r.LastUpdatedAt, &status,
			&r.Reason, &r.Version, &r.Attempts, &r.Payer); err != nil {
			return nil, fmt.Errorf("duckdb: backfills: %w", err)
		}
		r.Status = store.BackfillStatus(status)
		r.From, r.RequestedAt, r.LastUpdatedAt = r.From.UTC(), r.RequestedAt.UTC(), r.LastUpdatedAt.UTC()
		if completed.Valid {
			r.CompletedAt = completed.Time.UTC()
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// BeginBackfill counts one more attempt at a PROCESSING request.
func (db *DB) BeginBackfill(ctx context.Context, id int64) (int, error) {
	db.tagsMu.Lock()
	defer db.tagsMu.Unlock()
	var n int
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `UPDATE tag_backfills SET attempts = attempts + 1
			WHERE id = ? AND status = 'PROCESSING' RETURNING attempts`, id).Scan(&n)
	})
	if errNoRows(err) {
		return 0, fmt.Errorf("duckdb: backfill %d is not processing", id)
	}
	if err != nil {
		return 0, fmt.Errorf("duckdb: begin backfill %d: %w", id, err)
	}
	return n, nil
}

// ApplyBackfill re-applies the statuses recorded with request id to its
// payer's lines in the billing months from its From up to the month it was requested in, and
// marks it SUCCEEDED, in one transaction. Rollups need no change: they hold
// tag set ids, and queries join tag_status per row's billing month.
func (db *DB) ApplyBackfill(ctx context.Context, id int64, done time.Time) error {
	db.tagsMu.Lock()
	defer db.tagsMu.Unlock()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var from, requested time.Time
		var status, payer string
		if err := tx.QueryRowContext(ctx, `SELECT backfill_from, requested_at, status, payer FROM tag_backfills WHERE id = ?`, id).
			Scan(&from, &requested, &status, &payer); err != nil {
			return err
		}
		if status != string(store.BackfillProcessing) {
			return fmt.Errorf("the request is %s, not PROCESSING", status)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tag_status SET active = b.active FROM tag_backfill_keys b
			WHERE b.backfill = ? AND tag_status.payer = ? AND tag_status.key = b.key AND tag_status.month >= ?
			AND tag_status.month < ? AND tag_status.active <> b.active`, id, payer, from.UTC(), billing.MonthStart(requested)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE tag_backfills SET status = 'SUCCEEDED', completed_at = ?, last_updated_at = ?
			WHERE id = ?`, done.UTC(), done.UTC(), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("duckdb: apply backfill %d: %w", id, err)
	}
	db.changed()
	return nil
}

// FailBackfill marks a PROCESSING request FAILED with a reason.
func (db *DB) FailBackfill(ctx context.Context, id int64, reason string, done time.Time) error {
	db.tagsMu.Lock()
	defer db.tagsMu.Unlock()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE tag_backfills SET status = 'FAILED', reason = ?, completed_at = ?,
			last_updated_at = ? WHERE id = ? AND status = 'PROCESSING'`, reason, done.UTC(), done.UTC(), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("duckdb: fail backfill %d: %w", id, err)
	}
	return nil
}
