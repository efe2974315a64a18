package duckdb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tallyhq/tally/internal/store"
)

// BudgetDocs returns the documents of account's budgets, or of every
// account's when account is "", ordered by account and name.
func (db *DB) BudgetDocs(ctx context.Context, account string) ([][]byte, error) {
	db.budgetsMu.RLock()
	defer db.budgetsMu.RUnlock()
	q, args := `SELECT doc FROM budgets ORDER BY account, name`, []any{}
	if account != "" {
		q, args = `SELECT doc FROM budgets WHERE account = ? ORDER BY name`, []any{account}
	}
	rows, err := db.h().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("duckdb: read budgets: %w", err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, fmt.Errorf("duckdb: read budgets: %w", err)
		}
		out = append(out, []byte(doc))
	}
	return out, rows.Err()
}

// BudgetDoc returns the document of one budget, or nil when there is none.
func (db *DB) BudgetDoc(ctx context.Context, account, name string) ([]byte, error) {
	db.budgetsMu.RLock()
	defer db.budgetsMu.RUnlock()
	var doc string
	err := db.h().QueryRowContext(ctx, `SELECT doc FROM budgets WHERE account = ? AND name = ?`, account, name).Scan(&doc)
	if errNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("duckdb: read budget %s/%s: %w", account, name, err)
	}
	return []byte(doc), nil
}

// PutBudget stores the document of a budget, replacing the one it had, and
// enqueues msgs in the same transaction: a budget state that calls for
// alerts is never stored without them.
func (db *DB) PutBudget(ctx context.Context, account, name string, doc []byte, msgs []store.Message) error {
	return db.PutBudgetEvents(ctx, account, name, doc, msgs, nil)
}

// PutBudgetEvents does what PutBudget does and appends events to the
// histories of the budget's actions in the same transaction; an event
// already stored is left alone.
func (db *DB) PutBudgetEvents(ctx context.Context, account, name string, doc []byte, msgs []store.Message, events []store.ActionEvent) error {
	db.budgetsMu.Lock()
	defer db.budgetsMu.Unlock()
	return db.budgetTx(ctx, "put budget "+account+"/"+name, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM budgets WHERE account = ? AND name = ?`, account, name); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO budgets VALUES (?, ?, ?, ?)`, account, name, string(doc), db.now().UTC()); err != nil {
			return err
		}
		for _, e := range events {
			if _, err := tx.ExecContext(ctx, `INSERT INTO budget_action_events SELECT ?, ?, ?, ?, ?, ?
				WHERE NOT EXISTS (SELECT 1 FROM budget_action_events WHERE account = ? AND budget = ? AND action = ? AND seq = ?)`,
				account, name, e.Action, e.Seq, e.At.UTC(), string(e.Doc), account, name, e.Action, e.Seq); err != nil {
				return err
			}
		}
		return enqueue(ctx, tx, msgs)
	})
}

// ActionEvents returns the history of one budget action, ordered by Seq.
func (db *DB) ActionEvents(ctx context.Context, account, budget, action string) ([]store.ActionEvent, error) {
	db.budgetsMu.RLock()
	defer db.budgetsMu.RUnlock()
	rows, err := db.h().QueryContext(ctx, `SELECT seq, event_time, doc FROM budget_action_events
		WHERE account = ? AND budget = ? AND action = ? ORDER BY seq`, account, budget, action)
	if err != nil {
		return nil, fmt.Errorf("duckdb: read action history: %w", err)
	}
	defer rows.Close()
	var out []store.ActionEvent
	for rows.Next() {
		e := store.ActionEvent{Action: action}
		var doc string
		if err := rows.Scan(&e.Seq, &e.At, &doc); err != nil {
			return nil, fmt.Errorf("duckdb: read action history: %w", err)
		}
		e.At, e.Doc = e.At.UTC(), []byte(doc)
		out = append(out, e)
	}
	return out, rows.Err()
}

// DeleteBudget removes a budget with the histories of its actions and
// reports whether it existed. Messages it already queued are still
// delivered.
func (db *DB) DeleteBudget(ctx context.Context, account, name string) (bool, error) {
	db.budgetsMu.Lock()
	defer db.budgetsMu.Unlock()
	var n int64
	err := db.budgetTx(ctx, "delete budget "+account+"/"+name, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM budget_action_events WHERE account = ? AND budget = ?`, account, name); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM budgets WHERE account = ? AND name = ?`, account, name)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n > 0, err
}

// budgetTx runs fn in a transaction (inTx: committed, retried on write
// conflicts) and names what failed.
func (db *DB) budgetTx(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	if err := db.inTx(ctx, fn); err != nil {
		return fmt.Errorf("duckdb: %s: %w", what, err)
	}
	return nil
}
