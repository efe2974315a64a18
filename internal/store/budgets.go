package store

import (
	"context"
	"time"
)

// BudgetStore keeps budget documents. A document is opaque to the store
// (the budgets package encodes it); it is addressed by account and budget
// name. Every method MUST be safe for concurrent use and MUST persist what
// it changes before returning. Callers serialise writes of one budget, so a
// BudgetStore need not guard against concurrent writes of one budget.
type BudgetStore interface {
	// BudgetDocs returns the documents of account's budgets, or of every
	// account's when account is "", ordered by account and name.
	BudgetDocs(ctx context.Context, account string) ([][]byte, error)
	// BudgetDoc returns one budget's document, or nil when there is none.
	BudgetDoc(ctx context.Context, account, name string) ([]byte, error)
	// PutBudget stores a budget's document, replacing the one it had, and
	// enqueues msgs in the alert outbox in the same transaction: a budget
	// state that calls for alerts is never stored without them.
	PutBudget(ctx context.Context, account, name string, doc []byte, msgs []Message) error
	// PutBudgetEvents does what PutBudget does and, in the same
	// transaction, appends events to the histories of the budget's actions:
	// an action's status is never stored without the events that led to
	// it. An event whose action and Seq are stored already is left alone.
	PutBudgetEvents(ctx context.Context, account, name string, doc []byte, msgs []Message, events []ActionEvent) error
	// ActionEvents returns the history of one action of a budget, ordered
	// by Seq; none when there is none.
	ActionEvents(ctx context.Context, account, budget, action string) ([]ActionEvent, error)
	// DeleteBudget removes a budget, with the histories of its actions, and
	// reports whether it existed. Messages it already queued are still
	// delivered.
	DeleteBudget(ctx context.Context, account, name string) (bool, error)
}

// ActionEvent is one event in the history of a budget action. Doc is
// opaque to the store (the budgets package encodes it).
type ActionEvent struct {
	Action string
	// Seq numbers the events of an action from 1.
	Seq int
	At  time.Time
	Doc []byte
}

// BudgetLocker is implemented by a BudgetStore that several processes
// share (PostgreSQL): a budget is read, changed and written back whole, so
// the writers of every process must take turns, as those of one process do
// under its own lock.
type BudgetLocker interface {
	// LockBudgets waits until no other process holds the lock, takes it,
	// and returns the function that gives it back. A process that dies
	// holding it gives it back.
	LockBudgets(ctx context.Context) (unlock func(), err error)
}

// ActionRun names one run (an execution, a reversal or a reset) of a
// budget action: Run is the number of the history event at which it began,
// greater for each later run of the action.
type ActionRun struct {
	Account, Budget, Action string
	Run                     int
}

// ActionRuns leases an action's runs to the process that makes their AWS
// calls, so that a run begun once is carried out by one process at a time
// even when several share the store, and a process that dies mid-run is
// replaced once its lease has run out. Leases are kept by the store's own
// clock (PostgreSQL's), not the caller's.
type ActionRuns interface {
	// ClaimActionRun leases run r to owner for ttl and reports whether it
	// did. It does when nobody holds a lease on r's action, when owner
	// holds it (then the lease is renewed), when the lease has run out, or
	// when the lease is on an earlier run of the action (a run is begun
	// only once the one before has its outcome stored). It does not when
	// another owner holds an unexpired lease on r or a later run.
	ClaimActionRun(ctx context.Context, r ActionRun, owner string, ttl time.Duration) (bool, error)
	// ReleaseActionRun gives back owner's lease on r; it does nothing when
	// owner does not hold it.
	ReleaseActionRun(ctx context.Context, r ActionRun, owner string) error
}
