package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tallyhq/tally/internal/store"
)

// CostCategories returns the versions of payer's categories, or of every
// payer's when payer is "", ordered by ARN and Start.
func (db *DB) CostCategories(ctx context.Context, payer string) ([]store.CostCategoryVersion, error) {
	rows, err := db.pool.Query(ctx, `SELECT arn, payer, name, start_month, end_month, doc FROM cost_categories
		WHERE $1 = '' OR payer = $1 ORDER BY arn COLLATE "C", start_month`, payer)
	if err != nil {
		return nil, db.fail("read cost categories", err)
	}
	out, err := collect(rows, func(r pgx.CollectableRow) (store.CostCategoryVersion, error) {
		var v store.CostCategoryVersion
		var end *time.Time
		err := r.Scan(&v.ARN, &v.Payer, &v.Name, &v.Start, &end, &v.Doc)
		v.Start, v.End = v.Start.UTC(), fromNull(end)
		return v, err
	})
	return out, db.fail("read cost categories", err)
}

// PutCostCategory makes v the version of v.ARN from v.Start on, in one
// transaction.
func (db *DB) PutCostCategory(ctx context.Context, v store.CostCategoryVersion) error {
	if !v.End.IsZero() {
		return rulef("postgres: put cost category %s: a new version must be open-ended", v.ARN)
	}
	start := v.Start.UTC()
	return db.tx(ctx, "put cost category "+v.ARN, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM cost_categories WHERE arn = $1 FOR UPDATE`, v.ARN); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM cost_categories WHERE arn = $1 AND start_month >= $2`, v.ARN, start); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE cost_categories SET end_month = $2
			WHERE arn = $1 AND (end_month IS NULL OR end_month > $2)`, v.ARN, start); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO cost_categories VALUES ($1, $2, $3, $4, NULL, $5)`,
			v.ARN, v.Payer, v.Name, start, v.Doc); err != nil {
			return err
		}
		return bump(ctx, tx)
	})
}

// DeleteCostCategory ends a category at end and removes its resource tags,
// in one transaction; it reports whether the category had a current
// version.
func (db *DB) DeleteCostCategory(ctx context.Context, arn string, end time.Time) (bool, error) {
	end = end.UTC()
	var current bool
	err := db.tx(ctx, "delete cost category "+arn, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cost_categories WHERE arn = $1 AND end_month IS NULL)`,
			arn).Scan(&current); err != nil || !current {
			return err
		}
		for _, q := range []string{
			`DELETE FROM cost_categories WHERE arn = $1 AND start_month >= $2`,
			`UPDATE cost_categories SET end_month = $2 WHERE arn = $1 AND end_month IS NULL`,
		} {
			if _, err := tx.Exec(ctx, q, arn, end); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM resource_tags WHERE arn = $1`, arn); err != nil {
			return err
		}
		return bump(ctx, tx)
	})
	return current, err
}

// ResourceTags returns the tags of a resource ordered by key.
func (db *DB) ResourceTags(ctx context.Context, arn string) ([]store.ResourceTag, error) {
	rows, err := db.pool.Query(ctx, `SELECT key, value FROM resource_tags WHERE arn = $1 ORDER BY key COLLATE "C"`, arn)
	if err != nil {
		return nil, db.fail("read resource tags", err)
	}
	out, err := collect(rows, func(r pgx.CollectableRow) (store.ResourceTag, error) {
		var t store.ResourceTag
		return t, r.Scan(&t.Key, &t.Value)
	})
	return out, db.fail("read resource tags", err)
}

// SetResourceTags replaces the tags of a resource.
func (db *DB) SetResourceTags(ctx context.Context, arn string, tags []store.ResourceTag) error {
	return db.tx(ctx, "set tags of "+arn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM resource_tags WHERE arn = $1`, arn); err != nil {
			return err
		}
		for _, t := range tags {
			if _, err := tx.Exec(ctx, `INSERT INTO resource_tags VALUES ($1, $2, $3)`, arn, t.Key, t.Value); err != nil {
				return err
			}
		}
		return nil
	})
}

// AnomalyObjects returns the objects of kind of account, or of every
// account when account is "", ordered by ARN.
func (db *DB) AnomalyObjects(ctx context.Context, kind, account string) ([]store.AnomalyObject, error) {
	rows, err := db.pool.Query(ctx, `SELECT arn, kind, account, doc FROM anomaly_objects
		WHERE kind = $1 AND ($2 = '' OR account = $2) ORDER BY arn COLLATE "C"`, kind, account)
	if err != nil {
		return nil, db.fail("read anomaly objects", err)
	}
	out, err := collect(rows, func(r pgx.CollectableRow) (store.AnomalyObject, error) {
		var o store.AnomalyObject
		return o, r.Scan(&o.ARN, &o.Kind, &o.Account, &o.Doc)
	})
	return out, db.fail("read anomaly objects", err)
}

// PutAnomalyObject adds o or replaces the object with its ARN.
func (db *DB) PutAnomalyObject(ctx context.Context, o store.AnomalyObject) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO anomaly_objects VALUES ($1, $2, $3, $4) ON CONFLICT (arn)
		DO UPDATE SET kind = excluded.kind, account = excluded.account, doc = excluded.doc`, o.ARN, o.Kind, o.Account, o.Doc)
	return db.fail("put anomaly object "+o.ARN, err)
}

// DeleteAnomalyObject removes an object and its resource tags, in one
// transaction.
func (db *DB) DeleteAnomalyObject(ctx context.Context, arn string) (bool, error) {
	var found bool
	err := db.tx(ctx, "delete anomaly object "+arn, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM anomaly_objects WHERE arn = $1`, arn)
		if err != nil {
			return err
		}
		found = tag.RowsAffected() > 0
		_, err = tx.Exec(ctx, `DELETE FROM resource_tags WHERE arn = $1`, arn)
		return err
	})
	return found, err
}
