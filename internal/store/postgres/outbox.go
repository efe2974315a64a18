package postgres

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tallyhq/tally/internal/store"
)

// Outbox is the alert outbox in PostgreSQL, shared by every node. Due
// leases the messages it returns to this node: another node's Due skips
// them until the lease expires, and another node's Record of them changes
// nothing, so that each message is sent by one node.
type Outbox struct{ db *DB }

// Outbox returns the database's alert outbox.
func (db *DB) Outbox() *Outbox { return &Outbox{db: db} }

const (
	statusPending = "pending"
	statusSent    = "sent"
	statusFailed  = "failed"
)

// free is the condition on a row's lease that lets this node (@node) take
// it: no lease, its own, or an expired one (by the database's clock, which
// every node shares).
const free = `(lease_owner IS NULL OR lease_owner = @node OR lease_until < clock_timestamp())`

// Enqueue adds messages; an ID already in the outbox is left alone.
func (o *Outbox) Enqueue(ctx context.Context, msgs ...store.Message) error {
	return o.db.tx(ctx, "enqueue messages", func(tx pgx.Tx) error { return enqueue(ctx, tx, msgs) })
}

func enqueue(ctx context.Context, tx pgx.Tx, msgs []store.Message) error {
	for _, m := range msgs {
		if _, err := tx.Exec(ctx, `INSERT INTO outbox (id, kind, address, subject, body, ref, created, status, next_attempt)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $7) ON CONFLICT (id) DO NOTHING`,
			m.ID, string(m.Kind), m.Address, m.Subject, m.Body, m.Ref, utc(m.Created)); err != nil {
			return err
		}
	}
	return nil
}

// Due returns up to limit (and at most Options.DueBatch) pending messages
// whose next attempt is at or before t, oldest first, and leases them to
// this node. Messages another node holds are skipped, also while that
// node's transaction still has them locked.
func (o *Outbox) Due(ctx context.Context, t time.Time, limit int) ([]store.Pending, error) {
	limit = min(limit, o.db.batch)
	var out []store.Pending
	err := o.db.tx(ctx, "due messages", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `WITH due AS (SELECT id FROM outbox
				WHERE status = 'pending' AND next_attempt <= @t AND `+free+`
				ORDER BY created, id COLLATE "C" LIMIT @limit FOR UPDATE SKIP LOCKED)
			UPDATE outbox o SET lease_owner = @node, lease_until = clock_timestamp() + @lease FROM due WHERE o.id = due.id
			RETURNING o.id, o.kind, o.address, o.subject, o.body, o.ref, o.created, o.attempts`,
			pgx.NamedArgs{"t": utc(t), "limit": limit, "node": o.db.node, "lease": o.db.lease})
		if err != nil {
			return err
		}
		out, err = collect(rows, func(r pgx.CollectableRow) (store.Pending, error) {
			var p store.Pending
			var kind string
			err := r.Scan(&p.ID, &kind, &p.Address, &p.Subject, &p.Body, &p.Ref, &p.Created, &p.Attempts)
			p.Kind, p.Created = store.MessageKind(kind), p.Created.UTC()
			return p, err
		})
		return err
	})
	slices.SortFunc(out, func(a, b store.Pending) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return compareStrings(a.ID, b.ID)
	})
	return out, err
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Record stores the outcome of an attempt, ends this node's lease of the
// message and logs the attempt, in one transaction. An attempt of a
// message that is no longer pending, or that another node holds, changes
// nothing.
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
	return o.db.tx(ctx, "record attempt of "+a.ID, func(tx pgx.Tx) error {
		var id string
		err := tx.QueryRow(ctx, `UPDATE outbox SET status = @status, attempts = @n, next_attempt = @next, last_error = @error,
			lease_owner = NULL, lease_until = NULL WHERE id = @id AND status = 'pending' AND `+free+` RETURNING id`,
			pgx.NamedArgs{"status": status, "n": a.Number, "next": next, "error": a.Error, "id": a.ID, "node": o.db.node}).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO outbox_log (id, attempt, at, outcome, error, next_attempt, node)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, a.ID, a.Number, a.At.UTC(), string(a.Outcome), a.Error, logNext, o.db.node)
		return err
	})
}

// Log returns the delivery log, oldest attempt first.
func (o *Outbox) Log(ctx context.Context) ([]store.LogEntry, error) {
	rows, err := o.db.pool.Query(ctx, `SELECT l.id, l.attempt, l.at, l.outcome, l.error, l.next_attempt,
		o.kind, o.address, o.ref, o.subject
		FROM outbox_log l JOIN outbox o ON o.id = l.id ORDER BY l.at, l.id COLLATE "C", l.attempt`)
	if err != nil {
		return nil, o.db.fail("delivery log", err)
	}
	out, err := collect(rows, func(r pgx.CollectableRow) (store.LogEntry, error) {
		var e store.LogEntry
		var outcome, kind string
		var next *time.Time
		err := r.Scan(&e.ID, &e.Number, &e.At, &outcome, &e.Error, &next, &kind, &e.Address, &e.Ref, &e.Subject)
		e.At, e.Outcome, e.Kind, e.Next = e.At.UTC(), store.Outcome(outcome), store.MessageKind(kind), fromNull(next)
		return e, err
	})
	return out, o.db.fail("delivery log", err)
}
