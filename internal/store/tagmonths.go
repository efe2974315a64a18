package store

import (
	"context"
	"time"
)

// TagMonth is one tag key of one payer in one billing month.
type TagMonth struct {
	Payer string
	Key   string
	// Month is the first day of the billing month, UTC.
	Month time.Time
}

// TagMonths is what a cost store kept apart from the tag statuses (the
// ClickHouse store, with the statuses in PostgreSQL) needs of them: ingest
// reports the keys it saw, and queries read in which months each key is
// active. A store that keeps both together (DuckDB) does not use it. Every
// method MUST be safe for concurrent use.
type TagMonths interface {
	// RecordTagMonths gives every key seen a status for each payer and
	// billing month it appears in, as the TagStore contract says of keys
	// discovered by ingest: the payer's current status, Active for a key
	// the payer has not had before; months that have a status keep it.
	RecordTagMonths(ctx context.Context, seen []TagMonth) error

	// ActiveTagMonths lists every payer, key and billing month in which the
	// key is active.
	ActiveTagMonths(ctx context.Context) ([]TagMonth, error)
}
