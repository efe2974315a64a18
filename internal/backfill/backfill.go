// Package backfill keeps what Tally knows about cost allocation tag
// activation over time and runs StartCostAllocationTagBackfill's background
// jobs.
//
// A tag key has a status per billing month (DESIGN.md §6). Changing a key's
// status applies to the current month and later; a backfill re-applies the
// statuses every key had when it was requested to the earlier months from
// its BackfillFrom on. The Runner owns those jobs: it accepts a request under
// AWS's seed rules, runs it in a goroutine, and on start resumes a job that a
// crash or a restart interrupted.
package backfill

import (
	"context"
	"errors"
	"time"
)

// Status is the state of a backfill request, with AWS's names.
type Status string

// The states of a backfill request.
const (
	Processing Status = "PROCESSING"
	Succeeded  Status = "SUCCEEDED"
	Failed     Status = "FAILED"
)

// Request is one backfill request and its outcome.
type Request struct {
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
	Status        Status
	// Reason says why a request failed.
	Reason string
	// Version is the tag status version (see Store.TagStatusVersion) the
	// request applies.
	Version int64
	// Attempts counts how many times a runner started the job.
	Attempts int
}

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

// Change sets the status of one key.
type Change struct {
	Key    string
	Active bool
}

// Store keeps tag statuses and backfill requests. Every method MUST be safe
// for concurrent use and MUST persist what it changes before returning, so
// that a restart finds it.
type Store interface {
	// TagStatusVersion returns a number that grows with every status change
	// UpdateCostAllocationTagsStatus makes for payer, and only then.
	TagStatusVersion(ctx context.Context, payer string) (int64, error)

	// CreateBackfill records a PROCESSING request of payer from the month
	// from, together with the current status of every key of payer and
	// payer's current TagStatusVersion, all in one transaction.
	CreateBackfill(ctx context.Context, payer string, from, requestedAt time.Time) (Request, error)

	// Backfills lists every payer's requests, newest first.
	Backfills(ctx context.Context) ([]Request, error)

	// BeginBackfill counts one more attempt at a PROCESSING request and
	// returns the count.
	BeginBackfill(ctx context.Context, id int64) (int, error)

	// ApplyBackfill gives every key of the request's payer the status
	// recorded with request id in each billing month from its From up to (not including) the month of
	// its RequestedAt, and marks the request SUCCEEDED at done, in one
	// transaction: readers see all months before or all months after.
	ApplyBackfill(ctx context.Context, id int64, done time.Time) error

	// FailBackfill marks a PROCESSING request FAILED at done with a reason.
	FailBackfill(ctx context.Context, id int64, reason string, done time.Time) error
}

// ErrInProgress is a request made while another one is processing.
var ErrInProgress = errors.New("a backfill request is already in progress")

// ErrTooSoon is a request made less than the minimum interval after the
// previous one.
var ErrTooSoon = errors.New("backfill requested too soon after the previous one")

// MaxAttempts is how many times a job is started before it is marked
// FAILED: a job that keeps being interrupted (a crash it causes itself, say)
// must not stay PROCESSING forever.
const MaxAttempts = 3
