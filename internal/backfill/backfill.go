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

import "errors"

// ErrInProgress is a request made while another one is processing.
var ErrInProgress = errors.New("a backfill request is already in progress")

// ErrTooSoon is a request made less than the minimum interval after the
// previous one.
var ErrTooSoon = errors.New("backfill requested too soon after the previous one")

// MaxAttempts is how many times a job is started before it is marked
// FAILED: a job that keeps being interrupted (a crash it causes itself, say)
// must not stay PROCESSING forever.
const MaxAttempts = 3
