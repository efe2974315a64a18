package store

import (
	"context"
	"errors"
	"time"
)

// UnavailableError is the failure of a backend that cannot be reached (a
// server down, a connection refused or cut): retryable, and never the
// outcome of a partial write. The protocol layer answers it with AWS's
// retryable ServiceUnavailable; it finds it through the Unavailable
// method, so that it needs no import of this package.
type UnavailableError struct {
	// Backend names what is down, such as "PostgreSQL".
	Backend string
	Err     error
}

func (e *UnavailableError) Error() string {
	return e.Backend + " is unavailable: " + e.Err.Error()
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// Unavailable returns the backend's name.
func (e *UnavailableError) Unavailable() string { return e.Backend }

// ErrLeased is the failure of taking a job another node holds an unexpired
// lease on: the caller leaves the job to that node.
var ErrLeased = errors.New("leased by another node")

// ErrBackfillInProgress is the failure of CreateBackfill in a store shared
// by several nodes when one of the payer's requests is PROCESSING already:
// another node accepted one since the caller looked.
var ErrBackfillInProgress = errors.New("a backfill of the payer is processing")

// TagUse is a tag key on a payer's lines of a billing month.
type TagUse struct {
	Payer, Key string
	Month      time.Time
}

// TagStatusRow is the status of a payer's key in one billing month, or its
// current status when Month is zero.
type TagStatusRow struct {
	Payer, Key string
	Month      time.Time
	Active     bool
}

// TagLines is what a TagStore kept apart from the cost data (PostgreSQL)
// needs from the CostStore whose queries honour the statuses: the keys its
// lines carry and the questions about who pays for what, and a way to give
// it the statuses its queries must apply. Every method MUST be safe for
// concurrent use.
type TagLines interface {
	// TagUses returns every (payer, key, billing month) with lines.
	TagUses(ctx context.Context) ([]TagUse, error)
	// AccountTagKeys returns the keys on lines of a usage account, ordered.
	AccountTagKeys(ctx context.Context, account string) ([]string, error)
	// TagPayer and FirstPayer answer TagStore's questions of the same names.
	TagPayer(ctx context.Context, account string) (payer string, isPayer bool, err error)
	FirstPayer(ctx context.Context) (string, error)
	// ReplaceTagStatuses makes rows the statuses the store's questions
	// apply, in one transaction: rows with a zero Month are keys' current
	// statuses, the others their statuses by month. Keys and months it
	// does not list keep what they have.
	ReplaceTagStatuses(ctx context.Context, rows []TagStatusRow) error
}
