package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// migrations are the schema's versions in order: migration i brings the
// schema to version i+1. Append to change the schema; never edit one that
// was released. Each runs in a transaction with its schema_version row, so
// a database is at one version or the next, and nodes starting together
// serialise on an advisory lock.
var migrations = []string{
	// 1: every metadata repository.
	`CREATE TABLE budgets (account text NOT NULL, name text NOT NULL, doc bytea NOT NULL,
		updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (account, name));
	CREATE TABLE budget_action_events (account text NOT NULL, budget text NOT NULL, action text NOT NULL,
		seq integer NOT NULL, at timestamptz NOT NULL, doc bytea NOT NULL, PRIMARY KEY (account, budget, action, seq));

	CREATE TABLE outbox (id text PRIMARY KEY, kind text NOT NULL, address text NOT NULL, subject text NOT NULL,
		body text NOT NULL, ref text NOT NULL, created timestamptz NOT NULL, status text NOT NULL,
		attempts integer NOT NULL DEFAULT 0, next_attempt timestamptz NOT NULL, last_error text NOT NULL DEFAULT '',
		lease_owner text, lease_until timestamptz);
	CREATE INDEX outbox_due ON outbox (next_attempt) WHERE status = 'pending';
	CREATE TABLE outbox_log (n bigserial PRIMARY KEY, id text NOT NULL REFERENCES outbox (id), attempt integer NOT NULL,
		at timestamptz NOT NULL, outcome text NOT NULL, error text NOT NULL, next_attempt timestamptz, node text NOT NULL);

	CREATE TABLE tag_keys (payer text NOT NULL, key text NOT NULL, active boolean NOT NULL,
		last_updated timestamptz, last_used date, PRIMARY KEY (payer, key));
	CREATE TABLE tag_status (payer text NOT NULL, key text NOT NULL, month date NOT NULL, active boolean NOT NULL,
		PRIMARY KEY (payer, key, month));
	CREATE TABLE tag_status_log (seq bigserial PRIMARY KEY, payer text NOT NULL, key text NOT NULL,
		active boolean NOT NULL, changed_at timestamptz NOT NULL, from_month date NOT NULL);
	-- meta_version grows with every change of tag statuses or cost
	-- categories, which change cost answers: nodes then hand the statuses
	-- to their cost backend and drop cached answers.
	CREATE TABLE meta_version (one boolean PRIMARY KEY DEFAULT true CHECK (one), version bigint NOT NULL);
	INSERT INTO meta_version VALUES (true, 0);
	CREATE TABLE backfills (id bigserial PRIMARY KEY, payer text NOT NULL, backfill_from date NOT NULL,
		requested_at timestamptz NOT NULL, completed_at timestamptz, last_updated_at timestamptz NOT NULL,
		status text NOT NULL, reason text NOT NULL DEFAULT '', version bigint NOT NULL, attempts integer NOT NULL DEFAULT 0,
		lease_owner text, lease_until timestamptz);
	CREATE TABLE backfill_keys (backfill bigint NOT NULL REFERENCES backfills (id), key text NOT NULL,
		active boolean NOT NULL, PRIMARY KEY (backfill, key));

	CREATE TABLE cost_categories (arn text NOT NULL, payer text NOT NULL, name text NOT NULL,
		start_month date NOT NULL, end_month date, doc bytea NOT NULL, PRIMARY KEY (arn, start_month));
	CREATE TABLE resource_tags (arn text NOT NULL, key text NOT NULL, value text NOT NULL, PRIMARY KEY (arn, key));
	CREATE TABLE anomaly_objects (arn text PRIMARY KEY, kind text NOT NULL, account text NOT NULL, doc bytea NOT NULL);

	CREATE TABLE settings (name text PRIMARY KEY, value bytea NOT NULL);`,

	// 2: one PROCESSING backfill per payer, also when two nodes accept
	// one at the same moment.
	`CREATE UNIQUE INDEX backfills_one_processing ON backfills (payer) WHERE status = 'PROCESSING';`,

	// 3: detected anomalies, and the feedback on them kept apart so that it
	// survives re-detection.
	`CREATE TABLE anomalies (id text PRIMARY KEY, monitor text NOT NULL, account text NOT NULL,
		end_date text NOT NULL, doc bytea NOT NULL);
	CREATE INDEX anomalies_monitor ON anomalies (monitor);
	CREATE TABLE anomaly_feedback (id text PRIMARY KEY, feedback text NOT NULL);`,

	// 4: the leases of budget action runs: the node that holds one makes
	// the run's AWS calls (store.ActionRuns).
	`CREATE TABLE action_runs (account text NOT NULL, budget text NOT NULL, action text NOT NULL,
		run integer NOT NULL, owner text NOT NULL, lease_until timestamptz NOT NULL,
		PRIMARY KEY (account, budget, action));`,
}

// migrateLock is the advisory lock key nodes take while migrating.
const migrateLock = 0x7a11_7001

// migrate brings the schema to len(migrations).
func (db *DB) migrate(ctx context.Context) error {
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY,
			applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return err
		}
		var v int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&v); err != nil {
			return err
		}
		if v > len(migrations) {
			return rulef("the database is at schema version %d, newer than this tally's %d", v, len(migrations))
		}
		for i := v; i < len(migrations); i++ {
			if _, err := tx.Exec(ctx, migrations[i]); err != nil {
				return fmt.Errorf("migration %d: %w", i+1, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_version (version) VALUES ($1)`, i+1); err != nil {
				return err
			}
		}
		return nil
	})
	return db.fail("migrate schema", err)
}

// SchemaVersion returns the version the database's schema is at.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&v)
	return v, db.fail("schema version", err)
}
