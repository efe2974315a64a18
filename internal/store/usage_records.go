package store

import (
	"context"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
)

// UsageRecordCounter counts the usage records Cost Explorer's hourly and
// resource-level data would hold (GetApproximateUsageRecords). Its method
// MUST be safe for concurrent use and read one consistent snapshot.
type UsageRecordCounter interface {
	// UsageRecords returns, per SERVICE value, the number of records of
	// q.Period: distinct (time bucket, dimension combination) pairs, and
	// with q.Resources distinct (time bucket, dimension combination,
	// resource id) triples. Services that have no records are absent.
	UsageRecords(ctx context.Context, q UsageRecordsQuery) (map[string]int64, error)
}

// UsageRecordsQuery asks UsageRecordCounter for a count.
type UsageRecordsQuery struct {
	Period billing.Period
	// Hourly cuts records by the hour, otherwise by the day.
	Hourly bool
	// Resources counts each resource apart.
	Resources bool
	// Services limits the count to these SERVICE values; nil means all.
	Services []string
	Scope    query.Scope
}
