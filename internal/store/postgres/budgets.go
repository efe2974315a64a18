package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/tallyhq/tally/internal/store"
)

// BudgetDocs returns the documents of account's budgets, or of every
// account's when account is "", ordered by account and name.
func (db *DB) BudgetDocs(ctx context.Context, account string) ([][]byte, error) {
	rows, err := db.pool.Query(ctx, `SELECT doc FROM budgets WHERE $1 = '' OR account = $1 ORDER BY account COLLATE "C", name COLLATE "C"`, account)
	if err != nil {
		return nil, db.fail("read budgets", err)
	}
	docs, err := collect(rows, pgx.RowTo[[]byte])
	return docs, db.fail("read budgets", err)
}

// BudgetDoc returns one budget's document, or nil when there is none.
func (db *DB) BudgetDoc(ctx context.Context, account, name string) ([]byte, error) {
	var doc []byte
	err := db.pool.QueryRow(ctx, `SELECT doc FROM budgets WHERE account = $1 AND name = $2`, account, name).Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return doc, db.fail("read budget", err)
}

// PutBudget stores a budget's document and enqueues msgs, in one
// transaction.
func (db *DB) PutBudget(ctx context.Context, account, name string, doc []byte, msgs []store.Message) error {
	return db.PutBudgetEvents(ctx, account, name, doc, msgs, nil)
}

// PutBudgetEvents does what PutBudget does and appends events to the
// histories of the budget's actions, in one transaction.
func (db *DB) PutBudgetEvents(ctx context.Context, account, name string, doc []byte, msgs []store.Message, events []store.ActionEvent) error {
	return db.tx(ctx, "store budget "+account+"/"+name, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO budgets (account, name, doc) VALUES ($1, $2, $3)
			ON CONFLICT (account, name) DO UPDATE SET doc = excluded.doc, updated_at = now()`, account, name, doc); err != nil {
			return err
		}
		for _, e := range events {
			if _, err := tx.Exec(ctx, `INSERT INTO budget_action_events VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT DO NOTHING`, account, name, e.Action, e.Seq, utc(e.At), e.Doc); err != nil {
				return err
			}
		}
		return enqueue(ctx, tx, msgs)
	})
}

// ActionEvents returns the history of one action of a budget, by Seq.
func (db *DB) ActionEvents(ctx context.Context, account, budget, action string) ([]store.ActionEvent, error) {
	rows, err := db.pool.Query(ctx, `SELECT seq, at, doc FROM budget_action_events
		WHERE account = $1 AND budget = $2 AND action = $3 ORDER BY seq`, account, budget, action)
	if err != nil {
		return nil, db.fail("read action events", err)
	}
	out, err := collect(rows, func(r pgx.CollectableRow) (store.ActionEvent, error) {
		e := store.ActionEvent{Action: action}
		err := r.Scan(&e.Seq, &e.At, &e.Doc)
		e.At = e.At.UTC()
		return e, err
	})
	return out, db.fail("read action events", err)
}

// DeleteBudget removes a budget and the histories of its actions.
func (db *DB) DeleteBudget(ctx context.Context, account, name string) (bool, error) {
	var found bool
	err := db.tx(ctx, "delete budget "+account+"/"+name, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM budget_action_events WHERE account = $1 AND budget = $2`, account, name); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM action_runs WHERE account = $1 AND budget = $2`, account, name); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM budgets WHERE account = $1 AND name = $2`, account, name)
		found = tag.RowsAffected() > 0
		return err
	})
	return found, err
}

// budgetsLock is the advisory lock key of LockBudgets.
const budgetsLock = 0x7a11_b0d6

var _ store.BudgetLocker = (*DB)(nil)

// LockBudgets takes a session-level advisory lock on a connection of its
// own: every node's budget writers take turns, and a node that dies gives
// the lock back with its session.
func (db *DB) LockBudgets(ctx context.Context) (func(), error) {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return nil, db.fail("lock budgets", err)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, budgetsLock); err != nil {
		conn.Release()
		return nil, db.fail("lock budgets", err)
	}
	return func() {
		// A failed unlock (the connection cut) ends the session, which
		// gives the lock back: drop the connection then.
		if _, err := conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, budgetsLock); err != nil {
			conn.Hijack().Close(context.Background())
			return
		}
		conn.Release()
	}, nil
}
