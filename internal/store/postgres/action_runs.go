package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tallyhq/tally/internal/store"
)

var _ store.ActionRuns = (*DB)(nil)

// ClaimActionRun leases run r to owner for ttl (see store.ActionRuns). The
// lease is one row per action, written by one conditional upsert: of two
// nodes claiming at once, the second finds the first's row (it waits for
// its row lock) and its condition fails. Expiry is PostgreSQL's clock.
func (db *DB) ClaimActionRun(ctx context.Context, r store.ActionRun, owner string, ttl time.Duration) (bool, error) {
	var ok bool
	err := db.pool.QueryRow(ctx, `INSERT INTO action_runs AS l (account, budget, action, run, owner, lease_until)
		VALUES (@account, @budget, @action, @run, @owner, clock_timestamp() + make_interval(secs => @ttl))
		ON CONFLICT (account, budget, action) DO UPDATE
			SET run = excluded.run, owner = excluded.owner, lease_until = excluded.lease_until
			WHERE l.owner = excluded.owner OR l.lease_until < clock_timestamp() OR l.run < excluded.run
		RETURNING true`,
		pgx.NamedArgs{"account": r.Account, "budget": r.Budget, "action": r.Action, "run": r.Run, "owner": owner,
			"ttl": ttl.Seconds()}).Scan(&ok)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return ok, db.fail(fmt.Sprintf("claim run %d of action %s", r.Run, r.Action), err)
}

// ReleaseActionRun gives back owner's lease on r.
func (db *DB) ReleaseActionRun(ctx context.Context, r store.ActionRun, owner string) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM action_runs
		WHERE account = $1 AND budget = $2 AND action = $3 AND run = $4 AND owner = $5`,
		r.Account, r.Budget, r.Action, r.Run, owner)
	return db.fail(fmt.Sprintf("release run %d of action %s", r.Run, r.Action), err)
}
