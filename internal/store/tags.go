package store

import (
	"context"
	"time"
)

// TagKey is a cost allocation tag key and its current status.
type TagKey struct {
	Key string
	// AWSGenerated marks keys with the aws: prefix; the others are user
	// defined.
	AWSGenerated bool
	Active       bool
	// LastUpdated is when the status last changed; zero if it never did.
	LastUpdated time.Time
	// LastUsed is the first day of the last billing month with a line
	// carrying the key; zero if unknown.
	LastUsed time.Time
}

// TagChange sets the status of one key.
type TagChange struct {
	Key    string
	Active bool
}

// TagStore keeps the status of cost allocation tag keys. Tag statuses
// belong to a payer (management) account, as in AWS (DESIGN.md §3): a key
// has a current status per payer and a status per payer and billing month
// (DESIGN.md §6); tag questions of CostStore count, on each line, the keys
// its payer had active in the line's billing month. Keys are discovered by
// ingest: a key seen for the first time is active, and every key seen in a
// billing month gets its payer's current status for that month. Every
// method MUST be safe for concurrent use and MUST persist what it changes
// before returning.
type TagStore interface {
	// TagKeys lists payer's tag keys ordered by key; a non-empty account
	// keeps those on lines of that usage account.
	TagKeys(ctx context.Context, payer, account string) ([]TagKey, error)

	// SetTagStatus changes payer's current status of keys and their status
	// on payer's lines in the billing month of at and every later month;
	// earlier months and other payers keep theirs. Setting the status a key
	// has does nothing. It MUST apply all the changes or none, and returns,
	// in order, the keys payer does not have.
	SetTagStatus(ctx context.Context, payer string, changes []TagChange, at time.Time) (unknown []string, err error)

	// TagPayer returns the payer whose tag settings govern account: account
	// itself when it pays for lines (isPayer), else the payer of its latest
	// lines, else "".
	TagPayer(ctx context.Context, account string) (payer string, isPayer bool, err error)

	// FirstPayer returns the payer of the first billing period ingested, ""
	// without data.
	FirstPayer(ctx context.Context) (string, error)
}

// BackfillStatus is the state of a backfill request, with AWS's names.
type BackfillStatus string

// The states of a backfill request.
const (
	BackfillProcessing BackfillStatus = "PROCESSING"
	BackfillSucceeded  BackfillStatus = "SUCCEEDED"
	BackfillFailed     BackfillStatus = "FAILED"
)

// Backfill is one cost allocation tag backfill request and its outcome.
type Backfill struct {
	ID int64
	// Payer is the management account that made the request: tag statuses,
	// backfills, their quota and history belong to a payer, as in AWS.
	Payer string
	// From is the first billing month the request re-applies statuses to.
	From time.Time
	// RequestedAt is when it was accepted; the statuses it applies are those
	// of that moment, and it covers the months before RequestedAt's month
	// (from that month on, every key already has its current status).
	RequestedAt time.Time
	// CompletedAt is when it ended; zero while it is processing.
	CompletedAt time.Time
	// LastUpdatedAt is when its status last changed.
	LastUpdatedAt time.Time
	Status        BackfillStatus
	// Reason says why a request failed.
	Reason string
	// Version is the tag status version (see TagStatusVersion) the request
	// applies.
	Version int64
	// Attempts counts how many times a runner started the job.
	Attempts int
}

// BackfillStore keeps backfill requests: a backfill re-applies the
// statuses every key had when it was requested to the billing months from
// its From on. Every method MUST be safe for concurrent use and MUST
// persist what it changes before returning, so that a restart finds it.
type BackfillStore interface {
	// TagStatusVersion returns a number that grows with every status change
	// SetTagStatus makes for payer, and only then.
	TagStatusVersion(ctx context.Context, payer string) (int64, error)

	// CreateBackfill records a PROCESSING request of payer from the month of
	// from, together with the current status of every key of payer and
	// payer's current TagStatusVersion, all in one transaction.
	CreateBackfill(ctx context.Context, payer string, from, requestedAt time.Time) (Backfill, error)

	// Backfills lists every payer's requests, newest first.
	Backfills(ctx context.Context) ([]Backfill, error)

	// BeginBackfill counts one more attempt at a PROCESSING request and
	// returns the count; it fails for a request that is not PROCESSING.
	BeginBackfill(ctx context.Context, id int64) (int, error)

	// ApplyBackfill gives every key of the request's payer the status
	// recorded with request id in each billing month from its From up to
	// (not including) the month of its RequestedAt, and marks the request
	// SUCCEEDED at done, in one transaction: readers see all months before
	// or all months after.
	ApplyBackfill(ctx context.Context, id int64, done time.Time) error

	// FailBackfill marks a PROCESSING request FAILED at done with a reason.
	FailBackfill(ctx context.Context, id int64, reason string, done time.Time) error
}
