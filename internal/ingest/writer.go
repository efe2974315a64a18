package ingest

import (
	"context"

	"github.com/tallyhq/tally/internal/billing"
)

// Writer receives the canonical rows of one ingest call. Implementations make
// all periods visible at once on Commit, replacing what was stored for those
// billing periods; Abort discards everything appended.
type Writer interface {
	Append(p billing.BillingPeriod, li *billing.LineItem) error // li is only valid during the call
	Commit(ctx context.Context, periods []PeriodInfo) error
	Abort() error
}

// Format names a billing export format.
type Format string

// PeriodInfo describes one billing period of one source in an ingest call.
type PeriodInfo struct {
	Period    billing.BillingPeriod
	Format    Format
	Final     bool
	InvoiceID string
	Files     []string
	Rows      int64
}
