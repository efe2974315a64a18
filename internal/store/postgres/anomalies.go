package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/tallyhq/tally/internal/store"
)

var _ store.DetectedStore = (*DB)(nil)

// ReplaceDetected replaces the anomalies of monitor in one transaction.
func (db *DB) ReplaceDetected(ctx context.Context, monitor string, list []store.Detected) error {
	return db.tx(ctx, "replace anomalies of "+monitor, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM anomalies WHERE monitor = $1`, monitor); err != nil {
			return err
		}
		for _, d := range list {
			if _, err := tx.Exec(ctx, `INSERT INTO anomalies VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id)
				DO UPDATE SET monitor = excluded.monitor, account = excluded.account, end_date = excluded.end_date, doc = excluded.doc`,
				d.ID, monitor, d.Account, d.End, d.Doc); err != nil {
				return err
			}
		}
		return nil
	})
}

// DetectedAnomalies returns account's anomalies (every account's for "")
// with their feedback, ordered by end date, then ID.
func (db *DB) DetectedAnomalies(ctx context.Context, account string) ([]store.Detected, error) {
	rows, err := db.pool.Query(ctx, `SELECT a.id, a.monitor, a.account, a.end_date, a.doc, coalesce(f.feedback, '')
		FROM anomalies a LEFT JOIN anomaly_feedback f ON f.id = a.id
		WHERE $1 = '' OR a.account = $1 ORDER BY a.end_date COLLATE "C", a.id COLLATE "C"`, account)
	if err != nil {
		return nil, db.fail("read anomalies", err)
	}
	out, err := collect(rows, func(r pgx.CollectableRow) (store.Detected, error) {
		var d store.Detected
		return d, r.Scan(&d.ID, &d.Monitor, &d.Account, &d.End, &d.Doc, &d.Feedback)
	})
	return out, db.fail("read anomalies", err)
}

// SetFeedback records feedback on an existing anomaly; the latest wins.
func (db *DB) SetFeedback(ctx context.Context, id, feedback string) (bool, error) {
	var found bool
	err := db.tx(ctx, "anomaly feedback "+id, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM anomalies WHERE id = $1)`, id).Scan(&found); err != nil || !found {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO anomaly_feedback VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET feedback = excluded.feedback`,
			id, feedback)
		return err
	})
	return found, err
}
