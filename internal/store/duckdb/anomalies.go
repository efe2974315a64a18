package duckdb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tallyhq/tally/internal/store"
)

var _ store.AnomalyStore = (*DB)(nil)

// anomalySchema holds anomaly monitors and subscriptions, one row each;
// doc is the definition, which the costexplorer package encodes. Their
// tags are in resource_tags.
func anomalySchema() []string {
	return []string{
		`CREATE TABLE IF NOT EXISTS anomaly_objects (arn VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL,
			account VARCHAR NOT NULL, doc VARCHAR NOT NULL)`,
	}
}

// AnomalyObjects returns account's objects of kind (every account's for
// ""), ordered by ARN.
func (db *DB) AnomalyObjects(ctx context.Context, kind, account string) ([]store.AnomalyObject, error) {
	db.categoriesMu.RLock()
	defer db.categoriesMu.RUnlock()
	rows, err := db.h().QueryContext(ctx, `SELECT arn, kind, account, doc FROM anomaly_objects
		WHERE kind = ? AND (? = '' OR account = ?) ORDER BY arn`, kind, account, account)
	if err != nil {
		return nil, fmt.Errorf("duckdb: read anomaly %ss: %w", kind, err)
	}
	defer rows.Close()
	var out []store.AnomalyObject
	for rows.Next() {
		var o store.AnomalyObject
		var doc string
		if err := rows.Scan(&o.ARN, &o.Kind, &o.Account, &doc); err != nil {
			return nil, fmt.Errorf("duckdb: read anomaly %ss: %w", kind, err)
		}
		o.Doc = []byte(doc)
		out = append(out, o)
	}
	return out, rows.Err()
}

// PutAnomalyObject adds o or replaces the object with its ARN.
func (db *DB) PutAnomalyObject(ctx context.Context, o store.AnomalyObject) error {
	db.categoriesMu.Lock()
	defer db.categoriesMu.Unlock()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM anomaly_objects WHERE arn = ?`, o.ARN); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO anomaly_objects VALUES (?, ?, ?, ?)`, o.ARN, o.Kind, o.Account, string(o.Doc))
		return err
	})
	if err != nil {
		return fmt.Errorf("duckdb: put anomaly %s %s: %w", o.Kind, o.ARN, err)
	}
	return nil
}

// DeleteAnomalyObject removes an object and its tags.
func (db *DB) DeleteAnomalyObject(ctx context.Context, arn string) (bool, error) {
	db.categoriesMu.Lock()
	defer db.categoriesMu.Unlock()
	var found bool
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) > 0 FROM anomaly_objects WHERE arn = ?`, arn).Scan(&found); err != nil || !found {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM anomaly_objects WHERE arn = ?`, arn); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM resource_tags WHERE arn = ?`, arn)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("duckdb: delete anomaly object %s: %w", arn, err)
	}
	return found, nil
}

var _ store.DetectedStore = (*DB)(nil)

// detectedSchema holds detected anomalies, replaced per monitor, and the
// feedback on them, kept by anomaly id.
func detectedSchema() []string {
	return []string{
		`CREATE TABLE IF NOT EXISTS anomalies (id VARCHAR PRIMARY KEY, monitor VARCHAR NOT NULL,
			account VARCHAR NOT NULL, end_date VARCHAR NOT NULL, doc VARCHAR NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS anomaly_feedback (id VARCHAR PRIMARY KEY, feedback VARCHAR NOT NULL)`,
	}
}

// ReplaceDetected replaces the anomalies of monitor.
func (db *DB) ReplaceDetected(ctx context.Context, monitor string, list []store.Detected) error {
	db.categoriesMu.Lock()
	defer db.categoriesMu.Unlock()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM anomalies WHERE monitor = ?`, monitor); err != nil {
			return err
		}
		for _, d := range list {
			if _, err := tx.ExecContext(ctx, `INSERT INTO anomalies VALUES (?, ?, ?, ?, ?)`,
				d.ID, monitor, d.Account, d.End, string(d.Doc)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("duckdb: replace anomalies of %s: %w", monitor, err)
	}
	return nil
}

// DetectedAnomalies returns account's anomalies with their feedback.
func (db *DB) DetectedAnomalies(ctx context.Context, account string) ([]store.Detected, error) {
	db.categoriesMu.RLock()
	defer db.categoriesMu.RUnlock()
	rows, err := db.h().QueryContext(ctx, `SELECT a.id, a.monitor, a.account, a.end_date, a.doc, coalesce(f.feedback, '')
		FROM anomalies a LEFT JOIN anomaly_feedback f ON f.id = a.id
		WHERE ? = '' OR a.account = ? ORDER BY a.end_date, a.id`, account, account)
	if err != nil {
		return nil, fmt.Errorf("duckdb: read anomalies: %w", err)
	}
	defer rows.Close()
	var out []store.Detected
	for rows.Next() {
		var d store.Detected
		var doc string
		if err := rows.Scan(&d.ID, &d.Monitor, &d.Account, &d.End, &doc, &d.Feedback); err != nil {
			return nil, fmt.Errorf("duckdb: read anomalies: %w", err)
		}
		d.Doc = []byte(doc)
		out = append(out, d)
	}
	return out, rows.Err()
}

// SetFeedback records feedback on an existing anomaly.
func (db *DB) SetFeedback(ctx context.Context, id, feedback string) (bool, error) {
	db.categoriesMu.Lock()
	defer db.categoriesMu.Unlock()
	var found bool
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) > 0 FROM anomalies WHERE id = ?`, id).Scan(&found); err != nil || !found {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM anomaly_feedback WHERE id = ?`, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO anomaly_feedback VALUES (?, ?)`, id, feedback)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("duckdb: anomaly feedback %s: %w", id, err)
	}
	return found, nil
}
