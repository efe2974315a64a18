package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/store"
)

// CreateBackfill records a PROCESSING request of payer from the month of
// from, with the current status of every key of payer and payer's tag
// status version, in one transaction. It fails with
// store.ErrBackfillInProgress when payer has a PROCESSING request already,
// which another node may have accepted a moment ago.
func (db *DB) CreateBackfill(ctx context.Context, payer string, from, requestedAt time.Time) (store.Backfill, error) {
	req := store.Backfill{Payer: payer, From: billing.MonthStart(from), RequestedAt: requestedAt.UTC(),
		LastUpdatedAt: requestedAt.UTC(), Status: store.BackfillProcessing}
	err := db.tx(ctx, "create backfill", func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM tag_status_log WHERE payer = $1`, payer).Scan(&req.Version); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `INSERT INTO backfills (payer, backfill_from, requested_at, last_updated_at, status, version)
			VALUES ($1, $2, $3, $3, 'PROCESSING', $4) RETURNING id`, payer, req.From, req.RequestedAt, req.Version).Scan(&req.ID)
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == "backfills_one_processing" {
			return store.ErrBackfillInProgress
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO backfill_keys SELECT $1, key, active FROM tag_keys WHERE payer = $2`, req.ID, payer)
		return err
	})
	if err != nil {
		return store.Backfill{}, err
	}
	return req, nil
}

// Backfills lists every payer's requests, newest first.
func (db *DB) Backfills(ctx context.Context) ([]store.Backfill, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, payer, backfill_from, requested_at, completed_at, last_updated_at,
		status, reason, version, attempts FROM backfills ORDER BY id DESC`)
	if err != nil {
		return nil, db.fail("backfills", err)
	}
	out, err := collect(rows, func(r pgx.CollectableRow) (store.Backfill, error) {
		var b store.Backfill
		var status string
		var completed *time.Time
		err := r.Scan(&b.ID, &b.Payer, &b.From, &b.RequestedAt, &completed, &b.LastUpdatedAt, &status, &b.Reason, &b.Version, &b.Attempts)
		b.From, b.RequestedAt, b.LastUpdatedAt, b.CompletedAt = b.From.UTC(), b.RequestedAt.UTC(), b.LastUpdatedAt.UTC(), fromNull(completed)
		b.Status = store.BackfillStatus(status)
		return b, err
	})
	return out, db.fail("backfills", err)
}

// BeginBackfill counts one more attempt at a PROCESSING request and leases
// the job to this node. A job another node holds an unexpired lease on
// fails with store.ErrLeased: that node runs it, or, killed, leaves it to
// the first node that begins it after the lease has run out.
func (db *DB) BeginBackfill(ctx context.Context, id int64) (int, error) {
	var n int
	err := db.tx(ctx, fmt.Sprintf("begin backfill %d", id), func(tx pgx.Tx) error {
		var status string
		var mine bool
		err := tx.QueryRow(ctx, `SELECT status, `+free+` FROM backfills WHERE id = @id FOR UPDATE`,
			pgx.NamedArgs{"id": id, "node": db.node}).Scan(&status, &mine)
		if errors.Is(err, pgx.ErrNoRows) {
			return rulef("postgres: no backfill %d", id)
		}
		if err != nil {
			return err
		}
		if status != string(store.BackfillProcessing) {
			return db.backfillNotProcessing(id, status)
		}
		if !mine {
			return fmt.Errorf("postgres: backfill %d: %w", id, store.ErrLeased)
		}
		return tx.QueryRow(ctx, `UPDATE backfills SET attempts = attempts + 1, lease_owner = @node,
			lease_until = clock_timestamp() + @lease WHERE id = @id RETURNING attempts`,
			pgx.NamedArgs{"id": id, "node": db.node, "lease": db.lease}).Scan(&n)
	})
	return n, err
}

// holding locks a PROCESSING request that this node may finish (no other
// node's lease) and returns its From, RequestedAt and payer.
func (db *DB) holding(ctx context.Context, tx pgx.Tx, id int64) (from, requested time.Time, payer string, err error) {
	var status string
	var mine bool
	err = tx.QueryRow(ctx, `SELECT backfill_from, requested_at, payer, status, `+free+` FROM backfills WHERE id = @id FOR UPDATE`,
		pgx.NamedArgs{"id": id, "node": db.node}).Scan(&from, &requested, &payer, &status, &mine)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		err = rulef("postgres: no backfill %d", id)
	case err != nil:
	case status != string(store.BackfillProcessing):
		err = db.backfillNotProcessing(id, status)
	case !mine:
		err = fmt.Errorf("postgres: backfill %d: %w", id, store.ErrLeased)
	}
	return from.UTC(), requested.UTC(), payer, err
}

// ApplyBackfill gives every key of the request's payer the status recorded
// with the request in each billing month from its From up to the month of
// its RequestedAt, and marks it SUCCEEDED, in one transaction.
func (db *DB) ApplyBackfill(ctx context.Context, id int64, done time.Time) error {
	return db.tx(ctx, fmt.Sprintf("apply backfill %d", id), func(tx pgx.Tx) error {
		from, requested, payer, err := db.holding(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE tag_status t SET active = b.active FROM backfill_keys b
			WHERE b.backfill = $1 AND t.payer = $2 AND t.key = b.key AND t.month >= $3 AND t.month < $4
			AND t.active <> b.active`, id, payer, from, billing.MonthStart(requested)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE backfills SET status = 'SUCCEEDED', completed_at = $2, last_updated_at = $2,
			lease_owner = NULL, lease_until = NULL WHERE id = $1`, id, done.UTC()); err != nil {
			return err
		}
		return bump(ctx, tx)
	})
}

// FailBackfill marks a PROCESSING request FAILED at done with a reason.
func (db *DB) FailBackfill(ctx context.Context, id int64, reason string, done time.Time) error {
	_, err := db.pool.Exec(ctx, `UPDATE backfills SET status = 'FAILED', reason = @reason, completed_at = @done,
		last_updated_at = @done, lease_owner = NULL, lease_until = NULL WHERE id = @id AND status = 'PROCESSING' AND `+free,
		pgx.NamedArgs{"id": id, "reason": reason, "done": done.UTC(), "node": db.node})
	return db.fail(fmt.Sprintf("fail backfill %d", id), err)
}
