package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/tallyhq/tally/internal/store"
)

var _ store.TagLines = (*DB)(nil)

// TagUses returns every (payer, key, billing month) with stored lines.
func (db *DB) TagUses(ctx context.Context) ([]store.TagUse, error) {
	rows, err := db.h().QueryContext(ctx, `SELECT DISTINCT c.payer, ts.key, r.month FROM rollup_month r
		JOIN combos c ON c.id = r.combo JOIN tag_sets ts ON ts.id = r.tag_set
		WHERE `+activeGens+` AND c.payer <> '' ORDER BY 1, 2, 3`)
	if err != nil {
		return nil, fmt.Errorf("duckdb: tag uses: %w", db.recoverFrom(err))
	}
	defer rows.Close()
	var out []store.TagUse
	for rows.Next() {
		var u store.TagUse
		if err := rows.Scan(&u.Payer, &u.Key, &u.Month); err != nil {
			return nil, fmt.Errorf("duckdb: tag uses: %w", err)
		}
		u.Month = u.Month.UTC()
		out = append(out, u)
	}
	return out, rows.Err()
}

// AccountTagKeys returns the tag keys on lines of a usage account.
func (db *DB) AccountTagKeys(ctx context.Context, account string) ([]string, error) {
	rows, err := db.h().QueryContext(ctx, `SELECT DISTINCT ts.key FROM rollup_month r JOIN combos c ON c.id = r.combo
		JOIN tag_sets ts ON ts.id = r.tag_set WHERE `+activeGens+` AND c.account = ? ORDER BY 1`, account)
	if err != nil {
		return nil, fmt.Errorf("duckdb: tag keys of %s: %w", account, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// ReplaceTagStatuses gives the listed keys and months the statuses of rows,
// for a store whose tag statuses are kept elsewhere (store.TagLines).
// Months the store has no row for get one, as ingest would have made.
func (db *DB) ReplaceTagStatuses(ctx context.Context, rows []store.TagStatusRow) error {
	db.tagsMu.Lock()
	defer db.tagsMu.Unlock()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS tag_replace (payer VARCHAR, key VARCHAR,
			month DATE, active BOOLEAN)`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM tag_replace`); err != nil {
			return err
		}
		for len(rows) > 0 {
			n := min(len(rows), 500)
			var q strings.Builder
			q.WriteString(`INSERT INTO tag_replace VALUES `)
			args := make([]any, 0, 4*n)
			for i, r := range rows[:n] {
				if i > 0 {
					q.WriteString(", ")
				}
				q.WriteString("(?, ?, ?, ?)")
				var month any
				if !r.Month.IsZero() {
					month = r.Month.UTC()
				}
				args = append(args, r.Payer, r.Key, month, r.Active)
			}
			if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
				return err
			}
			rows = rows[n:]
		}
		for _, q := range []string{
			`UPDATE tag_keys SET status = CASE WHEN x.active THEN 'Active' ELSE 'Inactive' END FROM tag_replace x
				WHERE x.month IS NULL AND tag_keys.payer = x.payer AND tag_keys.key = x.key`,
			`UPDATE tag_status SET active = x.active FROM tag_replace x
				WHERE x.month IS NOT NULL AND tag_status.payer = x.payer AND tag_status.key = x.key AND tag_status.month = x.month`,
			`INSERT INTO tag_status SELECT x.key, x.month, x.active, x.payer FROM tag_replace x
				WHERE x.month IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tag_status t
				WHERE t.payer = x.payer AND t.key = x.key AND t.month = x.month)`,
			`DELETE FROM tag_replace`,
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("duckdb: replace tag statuses: %w", err)
	}
	db.changed()
	return nil
}
