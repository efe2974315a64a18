package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/tallyhq/tally/internal/store"
)

// Outbox is the alert outbox kept in the store's file.
type Outbox struct{ db *DB }

var _ store.Outbox = (*Outbox)(nil)

// Outbox returns the store's alert outbox.
func (db *DB) Outbox() *Outbox { return &Outbox{db: db} }

const (
	statusPending = "pending"
	statusSent    = "sent"
	statusFailed  = "failed"
)

// Enqueue adds messages; an ID already in the outbox is left alone.
func (o *Outbox) Enqueue(ctx context.Context, msgs ...store.Message) error {
	return o.db.budgetTx(ctx, "enqueue messages", func(tx *sql.Tx) error { return enqueue(ctx, tx, msgs) })
}

func enqueue(ctx context.Context, tx *sql.Tx, msgs []store.Message) error {
	for _, m := range msgs {
		_, err := tx.ExecContext(ctx, `INSERT INTO notify_outbox
			SELECT ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ''
			WHERE NOT EXISTS (SELECT 1 FROM notify_outbox WHERE id = ?)`,
			m.ID, string(m.Kind), m.Address, m.Subject, m.Body, m.Ref, m.Created.UTC(), statusPending, m.Created.UTC(), m.ID)
		if err != nil {
			return fmt.Errorf("enqueue %s: %w", m.ID, err)
		}
	}
	return nil
}

// Due returns up to limit pending messages whose next attempt is at or
// before t, oldest first.
func (o *Outbox) Due(ctx context.Context, t time.Time, limit int) ([]store.Pending, error) {
	rows, err := o.db.h().QueryContext(ctx, `SELECT id, kind, address, subject, body, ref, created, attempts
		FROM notify_outbox WHERE status = ? AND next_attempt <= ? ORDER BY created, id LIMIT ?`,
		statusPending, t.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("duckdb: due messages: %w", err)
	}
	defer rows.Close()
	var out []store.Pending
	for rows.Next() {
		var p store.Pending
		var kind string
		if err := rows.Scan(&p.ID, &kind, &p.Address, &p.Subject, &p.Body, &p.Ref, &p.Created, &p.Attempts); err != nil {
			return nil, fmt.Errorf("duckdb: due messages: %w", err)
		}
		p.Kind, p.Created = store.MessageKind(kind), p.Created.UTC()
		out = append(out, p)
	}
	return out, rows.Err()
}

// Record stores the outcome of an attempt and logs it, in one transaction.
// An attempt of a message that is no longer pending changes nothing.
func (o *Outbox) Record(ctx context.Context, a store.Attempt) error {
	status, next := statusPending, a.Next.UTC()
	switch a.Outcome {
	case store.Sent:
		status, next = statusSent, a.At.UTC()
	case store.Failed:
		status, next = statusFailed, a.At.UTC()
	}
	var logNext any
	if a.Outcome == store.Retry {
		logNext = next
	}
	return o.db.budgetTx(ctx, "record attempt of "+a.ID, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE notify_outbox SET status = ?, attempts = ?, next_attempt = ?, last_error = ?
			WHERE id = ? AND status = ?`, status, a.Number, next, a.Error, a.ID, statusPending)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO notify_log VALUES (?, ?, ?, ?, ?, ?)`,
			a.ID, a.Number, a.At.UTC(), string(a.Outcome), a.Error, logNext)
		return err
	})
}

// Log returns the delivery log, oldest attempt first.
func (o *Outbox) Log(ctx context.Context) ([]store.LogEntry, error) {
	rows, err := o.db.h().QueryContext(ctx, `SELECT l.id, l.attempt, l.attempted_at, l.outcome, l.error, l.next_attempt,
		o.kind, o.address, o.ref, o.subject
		FROM notify_log l JOIN notify_outbox o ON o.id = l.id ORDER BY l.attempted_at, l.id, l.attempt`)
	if err != nil {
		return nil, fmt.Errorf("duckdb: delivery log: %w", err)
	}
	defer rows.Close()
	var out []store.LogEntry
	for rows.Next() {
		var e store.LogEntry
		var outcome, kind string
		var next sql.NullTime
		if err := rows.Scan(&e.ID, &e.Number, &e.At, &outcome, &e.Error, &next, &kind, &e.Address, &e.Ref, &e.Subject); err != nil {
			return nil, fmt.Errorf("duckdb: delivery log: %w", err)
		}
		e.At, e.Outcome, e.Kind = e.At.UTC(), store.Outcome(outcome), store.MessageKind(kind)
		if next.Valid {
			e.Next = next.Time.UTC()
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
