package postgres

import "context"

// Exec runs a statement on the pool, for tests.
func (db *DB) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	tag, err := db.pool.Exec(ctx, sql, args...)
	return tag.RowsAffected(), err
}
