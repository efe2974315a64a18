package store

import (
	"context"

	"github.com/tallyhq/tally/internal/billing"
)

// Writer receives the canonical rows of one ingest. Implementations make
// all periods visible at once on Commit, replacing what was stored for those
// billing periods; Abort discards everything appended.
//
// The caller calls Append for every row, then exactly one of Commit (on
// success) or Abort (on any error, including a failed Append). The LineItem
// and its maps are only valid during the Append call: the caller reuses them
// for the next row, so an implementation that keeps anything must copy it.
type Writer interface {
	Append(p billing.BillingPeriod, li *billing.LineItem) error
	Commit(ctx context.Context, periods []PeriodInfo) error
	Abort() error
}

// Format names a billing export format (ingest defines the ones it
// detects); a backend stores it as given.
type Format string

// PeriodInfo describes one billing period delivered by an ingest.
type PeriodInfo struct {
	Period billing.BillingPeriod
	Format Format
	// Final is set when a row of the period carries an invoice id or the
	// manifest that delivered it says it is finalized. Results that touch a
	// period that is not final are estimated.
	Final     bool
	InvoiceID string
	Files     []string
	Rows      int64
}
