package duckdb

import (
	"context"
	"sync"
	"time"

	"github.com/tallyhq/tally/internal/store"
)

// Leases of budget action runs. One process at a time opens a DuckDB
// file, so the leases are kept in memory: a process that restarts after a
// crash finds none and resumes the runs it had begun at once, as before
// leases existed. They still follow the contract (store.ActionRuns), so
// that several Services on one DB in one process take turns.

var _ store.ActionRuns = (*DB)(nil)

type actionRunLeases struct {
	mu sync.Mutex
	m  map[actionKey]actionLease
}

type actionKey struct{ account, budget, action string }

type actionLease struct {
	run   int
	owner string
	until time.Time
}

// ClaimActionRun leases run r to owner for ttl (see store.ActionRuns).
func (db *DB) ClaimActionRun(_ context.Context, r store.ActionRun, owner string, ttl time.Duration) (bool, error) {
	l := &db.runs
	l.mu.Lock()
	defer l.mu.Unlock()
	k := actionKey{r.Account, r.Budget, r.Action}
	now := time.Now()
	if old, ok := l.m[k]; ok && old.owner != owner && !now.After(old.until) && old.run >= r.Run {
		return false, nil
	}
	if l.m == nil {
		l.m = map[actionKey]actionLease{}
	}
	l.m[k] = actionLease{run: r.Run, owner: owner, until: now.Add(ttl)}
	return true, nil
}

// ReleaseActionRun gives back owner's lease on r.
func (db *DB) ReleaseActionRun(_ context.Context, r store.ActionRun, owner string) error {
	l := &db.runs
	l.mu.Lock()
	defer l.mu.Unlock()
	k := actionKey{r.Account, r.Budget, r.Action}
	if old, ok := l.m[k]; ok && old.owner == owner && old.run == r.Run {
		delete(l.m, k)
	}
	return nil
}
