package duckdb

import (
	"context"
	"database/sql"
	"fmt"
)

// tagSchema holds the tables of cost allocation tag management beyond
// tag_keys and tag_status (which ingest maintains). Every one belongs to a
// payer (management) account, as these settings do in AWS:
//   - tag_status_log records every status change UpdateCostAllocationTagsStatus
//     made; a payer's highest seq is its tag status version, which a backfill
//     compares with the one of the payer's last successful backfill.
//   - tag_backfills holds StartCostAllocationTagBackfill's requests and
//     their state, so that a restart resumes a job left PROCESSING.
//   - tag_backfill_keys holds, per request, the status every key of its payer
//     had when the request was made: the statuses the job applies.
func tagSchema() []string {
	return []string{
		`CREATE TABLE IF NOT EXISTS tag_status_log (seq BIGINT NOT NULL, key VARCHAR NOT NULL,
			active BOOLEAN NOT NULL, changed_at TIMESTAMP NOT NULL, from_month DATE NOT NULL, payer VARCHAR NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS tag_backfills (id BIGINT NOT NULL, backfill_from DATE NOT NULL,
			requested_at TIMESTAMP NOT NULL, completed_at TIMESTAMP, last_updated_at TIMESTAMP NOT NULL,
			status VARCHAR NOT NULL, reason VARCHAR NOT NULL, version BIGINT NOT NULL, attempts INTEGER NOT NULL,
			payer VARCHAR NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS tag_backfill_keys (backfill BIGINT NOT NULL, key VARCHAR NOT NULL, active BOOLEAN NOT NULL)`,
	}
}

// payerTagTables are the tag tables that gained a payer column.
var payerTagTables = []string{"tag_keys", "tag_status", "tag_status_log", "tag_backfills"}

// migrateTagPayers brings a store written when tag statuses were global to
// per-payer statuses: every payer whose lines carry a key gets the key's
// status of every month, and the status log and backfills go to the first
// payer ingested (the one the test identity acts as).
func (db *DB) migrateTagPayers(ctx context.Context) error {
	var missing []string
	for _, t := range payerTagTables {
		var n int
		if err := db.h().QueryRowContext(ctx, `SELECT count(*) FROM duckdb_columns()
			WHERE schema_name = 'main' AND table_name = ? AND column_name = 'payer'`, t).Scan(&n); err != nil {
			return fmt.Errorf("duckdb: read schema: %w", err)
		}
		if n == 0 {
			missing = append(missing, t)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	first, err := db.FirstPayer(ctx)
	if err != nil {
		return err
	}
	seen := `(SELECT DISTINCT c.payer, ts.key, r.month FROM rollup_month r JOIN combos c ON c.id = r.combo
		JOIN tag_sets ts ON ts.id = r.tag_set WHERE ` + activeGens + `)`
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		for _, t := range missing {
			if _, err := tx.ExecContext(ctx, `ALTER TABLE `+t+` ADD COLUMN payer VARCHAR DEFAULT ''`); err != nil {
				return err
			}
		}
		for _, q := range []string{
			`INSERT INTO tag_keys SELECT DISTINCT k.key, k.status, k.type, k.last_updated, k.last_used, s.payer
				FROM tag_keys k JOIN ` + seen + ` s ON s.key = k.key WHERE k.payer = ''`,
			`DELETE FROM tag_keys WHERE payer = ''`,
			`INSERT INTO tag_status SELECT t.key, t.month, t.active, s.payer
				FROM tag_status t JOIN ` + seen + ` s ON s.key = t.key AND s.month = t.month WHERE t.payer = ''`,
			`DELETE FROM tag_status WHERE payer = ''`,
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		for _, t := range []string{"tag_status_log", "tag_backfills"} {
			if _, err := tx.ExecContext(ctx, `UPDATE `+t+` SET payer = ? WHERE payer = ''`, first); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("duckdb: give tag statuses a payer: %w", err)
	}
	return nil
}

// FirstPayer returns the payer account of the first billing period ingested
// that is still stored, "" when there is none.
func (db *DB) FirstPayer(ctx context.Context) (string, error) {
	var payer string
	err := db.h().QueryRowContext(ctx, `SELECT c.payer FROM rollup_month r JOIN combos c ON c.id = r.combo
		WHERE `+activeGens+` AND c.payer <> '' ORDER BY r.gen, c.payer LIMIT 1`).Scan(&payer)
	if errNoRows(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("duckdb: first payer: %w", err)
	}
	return payer, nil
}
