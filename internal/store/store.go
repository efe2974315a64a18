// Package store declares what Tally needs from a storage backend: billing
// line items and the questions asked of them (CostStore, written through a
// Writer), and the metadata repositories (BudgetStore, TagStore,
// BackfillStore, Outbox), with their value types. It imports only billing
// and query, so consumers depend on the contracts and not on a backend or a
// file parser. Backends live in subpackages (store/duckdb) and all pass the
// conformance suite in store/storetest.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
)

// ErrUnavailable marks a failure because a server of the backend (a
// ClickHouse shard, PostgreSQL) did not answer: nothing was answered or
// changed, and retrying later may succeed. The error's text names the
// backend.
var ErrUnavailable = errors.New("store backend unavailable")

// CostStore keeps billing line items and answers aggregate questions over
// them. Every method MUST be safe for concurrent use, and every read MUST see
// a consistent snapshot: a billing period replaced by a concurrent ingest is
// seen either entirely old or entirely new.
type CostStore interface {
	// NewWriter starts an ingest. The caller MUST end it with Commit or
	// Abort; nothing it appends is visible before Commit.
	NewWriter(ctx context.Context) (Writer, error)

	// Aggregate returns one row per non-empty (bucket, group) of q, ordered
	// by bucket and then by keys.
	Aggregate(ctx context.Context, q *query.Aggregate) ([]query.Row, error)

	// DimensionValues returns the values of a dimension with cost or usage
	// in the period, in value order unless q.SortBy says otherwise.
	DimensionValues(ctx context.Context, q *query.DimensionValues) ([]query.DimensionValue, error)

	// Tags returns tag keys (q.Key == "") or the values of one key, ordered.
	// Only keys active in a line's billing month count; a value list
	// includes "" when some lines in scope lack the key.
	Tags(ctx context.Context, q *query.Tags) ([]string, error)

	// Periods lists the stored billing periods.
	Periods(ctx context.Context) ([]PeriodStatus, error)

	// Version changes whenever an answer may change (an ingest committed,
	// tag statuses changed), so answers may be cached under it.
	Version() int64

	// Close releases the store.
	Close() error
}

// PeriodStatus describes one stored billing period of one source.
type PeriodStatus struct {
	Period     billing.BillingPeriod
	Format     string
	Final      bool
	InvoiceID  string
	Rows       int64
	Files      []string
	IngestedAt time.Time
	// Currency is the billing currency of the period's lines.
	Currency string
}
