package postgres

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/store"
)

// bump records, in tx, that cost answers may have changed (meta_version).
func bump(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `UPDATE meta_version SET version = version + 1`)
	return err
}

// MetaVersion returns the number meta_version holds.
func (db *DB) MetaVersion(ctx context.Context) (int64, error) {
	var v int64
	err := db.pool.QueryRow(ctx, `SELECT version FROM meta_version`).Scan(&v)
	return v, db.fail("meta version", err)
}

// linesOf returns the cost backend the tag questions about lines go to.
func (db *DB) linesOf() (store.TagLines, error) {
	if l := db.lines.Load(); l != nil {
		return *l, nil
	}
	return nil, errors.New("postgres: no cost store is attached for tag questions (see DB.Costs)")
}

// TagKeys lists payer's tag keys ordered by key; payer "" lists every
// payer's keys, each once, Active when it is active for some payer. A
// non-empty account keeps the keys on lines of that usage account.
func (db *DB) TagKeys(ctx context.Context, payer, account string) ([]store.TagKey, error) {
	var keep []string
	if account != "" {
		lines, err := db.linesOf()
		if err != nil {
			return nil, err
		}
		if keep, err = lines.AccountTagKeys(ctx, account); err != nil {
			return nil, err
		}
	}
	rows, err := db.pool.Query(ctx, `SELECT key, bool_or(active), max(last_updated), max(last_used) FROM tag_keys
		WHERE $1 = '' OR payer = $1 GROUP BY key ORDER BY key COLLATE "C"`, payer)
	if err != nil {
		return nil, db.fail("tag keys", err)
	}
	all, err := collect(rows, func(r pgx.CollectableRow) (store.TagKey, error) {
		var k store.TagKey
		var updated, used *time.Time
		err := r.Scan(&k.Key, &k.Active, &updated, &used)
		k.AWSGenerated, k.LastUpdated, k.LastUsed = strings.HasPrefix(k.Key, "aws:"), fromNull(updated), fromNull(used)
		return k, err
	})
	if err != nil {
		return nil, db.fail("tag keys", err)
	}
	if account == "" {
		return all, nil
	}
	var out []store.TagKey
	for _, k := range all {
		if slices.Contains(keep, k.Key) {
			out = append(out, k)
		}
	}
	return out, nil
}

// SetTagStatus applies payer's status changes at the moment at, in one
// transaction, and returns the keys payer does not have.
func (db *DB) SetTagStatus(ctx context.Context, payer string, changes []store.TagChange, at time.Time) ([]string, error) {
	var unknown []string
	at = at.UTC()
	month := billing.MonthStart(at)
	err := db.tx(ctx, "set tag status", func(tx pgx.Tx) error {
		unknown = nil
		changed := false
		for _, c := range changes {
			var active bool
			err := tx.QueryRow(ctx, `SELECT active FROM tag_keys WHERE payer = $1 AND key = $2 FOR UPDATE`, payer, c.Key).Scan(&active)
			if errors.Is(err, pgx.ErrNoRows) {
				unknown = append(unknown, c.Key)
				continue
			}
			if err != nil {
				return err
			}
			if active == c.Active {
				continue
			}
			for _, s := range []struct {
				q    string
				args []any
			}{
				{`UPDATE tag_keys SET active = $3, last_updated = $4 WHERE payer = $1 AND key = $2`, []any{payer, c.Key, c.Active, at}},
				{`UPDATE tag_status SET active = $3 WHERE payer = $1 AND key = $2 AND month >= $4`, []any{payer, c.Key, c.Active, month}},
				{`INSERT INTO tag_status_log (payer, key, active, changed_at, from_month) VALUES ($1, $2, $3, $4, $5)`,
					[]any{payer, c.Key, c.Active, at, month}},
			} {
				if _, err := tx.Exec(ctx, s.q, s.args...); err != nil {
					return err
				}
			}
			changed = true
		}
		if changed {
			return bump(ctx, tx)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return unknown, nil
}

// TagPayer returns the payer whose tag settings govern account; the cost
// data knows.
func (db *DB) TagPayer(ctx context.Context, account string) (string, bool, error) {
	lines, err := db.linesOf()
	if err != nil {
		return "", false, err
	}
	return lines.TagPayer(ctx, account)
}

// FirstPayer returns the payer of the first billing period ingested; the
// cost data knows.
func (db *DB) FirstPayer(ctx context.Context) (string, error) {
	lines, err := db.linesOf()
	if err != nil {
		return "", err
	}
	return lines.FirstPayer(ctx)
}

// Discover records the keys of uses (the cost data's (payer, key, month)):
// a key new to its payer is active, a month new to a key gets the key's
// current status, and a key's LastUsed is its latest month. It reports
// whether anything changed.
func (db *DB) Discover(ctx context.Context, uses []store.TagUse) (bool, error) {
	if len(uses) == 0 {
		return false, nil
	}
	payers, keys, months := make([]string, len(uses)), make([]string, len(uses)), make([]time.Time, len(uses))
	for i, u := range uses {
		payers[i], keys[i], months[i] = u.Payer, u.Key, u.Month.UTC()
	}
	var changed bool
	err := db.tx(ctx, "record tag keys", func(tx pgx.Tx) error {
		uses := `unnest($1::text[], $2::text[], $3::date[]) AS u (payer, key, month)`
		a, err := tx.Exec(ctx, `INSERT INTO tag_keys (payer, key, active, last_used)
			SELECT payer, key, true, max(month) FROM `+uses+` GROUP BY payer, key
			ON CONFLICT (payer, key) DO UPDATE SET last_used = excluded.last_used
			WHERE tag_keys.last_used IS NULL OR tag_keys.last_used < excluded.last_used`, payers, keys, months)
		if err != nil {
			return err
		}
		b, err := tx.Exec(ctx, `INSERT INTO tag_status (payer, key, month, active)
			SELECT u.payer, u.key, u.month, k.active FROM `+uses+` JOIN tag_keys k ON k.payer = u.payer AND k.key = u.key
			ON CONFLICT DO NOTHING`, payers, keys, months)
		if err != nil {
			return err
		}
		if changed = a.RowsAffected()+b.RowsAffected() > 0; changed {
			return bump(ctx, tx)
		}
		return nil
	})
	return changed, err
}

// TagStatuses returns every key's current status (Month zero) and its
// status by month, with the meta_version they are of.
func (db *DB) TagStatuses(ctx context.Context) ([]store.TagStatusRow, int64, error) {
	var out []store.TagStatusRow
	var version int64
	err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT version FROM meta_version`).Scan(&version); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT payer, key, NULL::date, active FROM tag_keys
			UNION ALL SELECT payer, key, month, active FROM tag_status`)
		if err != nil {
			return err
		}
		out, err = collect(rows, func(r pgx.CollectableRow) (store.TagStatusRow, error) {
			var s store.TagStatusRow
			var month *time.Time
			err := r.Scan(&s.Payer, &s.Key, &month, &s.Active)
			s.Month = fromNull(month)
			return s, err
		})
		return err
	})
	if err != nil {
		return nil, 0, db.fail("read tag statuses", err)
	}
	return out, version, nil
}

// TagStatusVersion returns the sequence number of payer's latest status
// change, 0 when it made none.
func (db *DB) TagStatusVersion(ctx context.Context, payer string) (int64, error) {
	var v int64
	err := db.pool.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM tag_status_log WHERE payer = $1`, payer).Scan(&v)
	return v, db.fail("tag status version", err)
}

func (db *DB) backfillNotProcessing(id int64, status string) error {
	return rulef("postgres: backfill %d is %s, not PROCESSING", id, status)
}
