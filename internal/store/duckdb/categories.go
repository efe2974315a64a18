package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/tallyhq/tally/internal/store"
)

// categorySchema holds cost category definitions and resource tags:
//   - cost_categories: one row per version of a category; end_month is NULL
//     for the current version. doc is the definition, which the
//     costexplorer package encodes.
//   - resource_tags: the tags of Cost Explorer resources by ARN.
func categorySchema() []string {
	return []string{
		`CREATE TABLE IF NOT EXISTS cost_categories (arn VARCHAR NOT NULL, payer VARCHAR NOT NULL,
			name VARCHAR NOT NULL, start_month DATE NOT NULL, end_month DATE, doc VARCHAR NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS resource_tags (arn VARCHAR NOT NULL, key VARCHAR NOT NULL, value VARCHAR NOT NULL)`,
	}
}

// CostCategories returns the versions of payer's categories (every
// payer's for ""), ordered by ARN and start.
func (db *DB) CostCategories(ctx context.Context, payer string) ([]store.CostCategoryVersion, error) {
	db.categoriesMu.RLock()
	defer db.categoriesMu.RUnlock()
	q := `SELECT arn, payer, name, start_month, end_month, doc FROM cost_categories
		WHERE ? = '' OR payer = ? ORDER BY arn, start_month`
	rows, err := db.h().QueryContext(ctx, q, payer, payer)
	if err != nil {
		return nil, fmt.Errorf("duckdb: read cost categories: %w", err)
	}
	defer rows.Close()
	var out []store.CostCategoryVersion
	for rows.Next() {
		var v store.CostCategoryVersion
		var end sql.NullTime
		var doc string
		if err := rows.Scan(&v.ARN, &v.Payer, &v.Name, &v.Start, &end, &doc); err != nil {
			return nil, fmt.Errorf("duckdb: read cost categories: %w", err)
		}
		v.Start = v.Start.UTC()
		if end.Valid {
			v.End = end.Time.UTC()
		}
		v.Doc = []byte(doc)
		out = append(out, v)
	}
	return out, rows.Err()
}

// PutCostCategory makes v the version of its category from v.Start on.
func (db *DB) PutCostCategory(ctx context.Context, v store.CostCategoryVersion) error {
	if !v.End.IsZero() {
		return fmt.Errorf("duckdb: put cost category %s: a new version must be open-ended", v.ARN)
	}
	db.categoriesMu.Lock()
	defer db.categoriesMu.Unlock()
	start := v.Start.UTC()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM cost_categories WHERE arn = ? AND start_month >= ?`, v.ARN, start); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cost_categories SET end_month = ?
			WHERE arn = ? AND (end_month IS NULL OR end_month > ?)`, start, v.ARN, start); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO cost_categories VALUES (?, ?, ?, ?, NULL, ?)`,
			v.ARN, v.Payer, v.Name, start, string(v.Doc))
		return err
	})
	if err != nil {
		return fmt.Errorf("duckdb: put cost category %s: %w", v.ARN, err)
	}
	db.changed()
	return nil
}

// DeleteCostCategory ends a category at end and removes its tags.
func (db *DB) DeleteCostCategory(ctx context.Context, arn string, end time.Time) (bool, error) {
	db.categoriesMu.Lock()
	defer db.categoriesMu.Unlock()
	end = end.UTC()
	var current bool
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT count(*) > 0 FROM cost_categories WHERE arn = ? AND end_month IS NULL`, arn).Scan(&current)
		if err != nil || !current {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM cost_categories WHERE arn = ? AND start_month >= ?`, arn, end); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cost_categories SET end_month = ? WHERE arn = ? AND end_month IS NULL`, end, arn); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM resource_tags WHERE arn = ?`, arn)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("duckdb: delete cost category %s: %w", arn, err)
	}
	if current {
		db.changed()
	}
	return current, nil
}

// ResourceTags returns the tags of a resource ordered by key.
func (db *DB) ResourceTags(ctx context.Context, arn string) ([]store.ResourceTag, error) {
	db.categoriesMu.RLock()
	defer db.categoriesMu.RUnlock()
	rows, err := db.h().QueryContext(ctx, `SELECT key, value FROM resource_tags WHERE arn = ? ORDER BY key`, arn)
	if err != nil {
		return nil, fmt.Errorf("duckdb: read resource tags: %w", err)
	}
	defer rows.Close()
	var out []store.ResourceTag
	for rows.Next() {
		var t store.ResourceTag
		if err := rows.Scan(&t.Key, &t.Value); err != nil {
			return nil, fmt.Errorf("duckdb: read resource tags: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// SetResourceTags replaces the tags of a resource.
func (db *DB) SetResourceTags(ctx context.Context, arn string, tags []store.ResourceTag) error {
	db.categoriesMu.Lock()
	defer db.categoriesMu.Unlock()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM resource_tags WHERE arn = ?`, arn); err != nil {
			return err
		}
		for _, t := range tags {
			if _, err := tx.ExecContext(ctx, `INSERT INTO resource_tags VALUES (?, ?, ?)`, arn, t.Key, t.Value); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("duckdb: set tags of %s: %w", arn, err)
	}
	return nil
}
