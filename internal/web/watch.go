package web

import (
	"time"

	"github.com/tallyhq/tally/internal/billing"
)

// Outcomes of a watched source's last poll (WatchSource.Outcome).
const (
	WatchIngested  = "ingested"    // new or restated periods were ingested
	WatchNothing   = "nothing new" // no complete delivery that was not stored
	WatchFailed    = "failed"      // the source could not be read or ingested
	WatchNotPolled = "not polled"  // the first poll has not ended yet
)

// WatchSource is what `tally serve --watch` knows of one watched bucket
// prefix or folder, for the Data page.
type WatchSource struct {
	// Source is s3://BUCKET/PREFIX or the folder.
	Source string
	// LastSync is when the last poll ended; zero before the first.
	LastSync time.Time
	// Outcome is the last poll's: WatchIngested, WatchNothing, WatchFailed
	// or WatchNotPolled.
	Outcome string
	// LastIngest is when a poll last ingested something, and Periods and
	// Rows what it ingested (polls that find nothing new keep them).
	LastIngest time.Time
	Periods    []billing.BillingPeriod
	Rows       int64
	// Waiting counts the deliveries whose manifest lists files that are not
	// there yet.
	Waiting int
	// Err is the last poll's failure.
	Err string
	// NextPoll is when the next poll starts.
	NextPoll time.Time
	// Delivered are the billing sources (BillingPeriod.Source) this watch
	// has ingested since the server started; their payers see the watch.
	Delivered []string
}

// watchJSON is one watched source as the Data page shows it.
type watchJSON struct {
	Source   string     `json:"source"`
	LastSync *time.Time `json:"lastSync,omitempty"`
	Outcome  string     `json:"outcome"`
	// LastIngest, Periods and Rows: the last poll that ingested.
	LastIngest *time.Time `json:"lastIngest,omitempty"`
	Periods    []string   `json:"periods"`
	Rows       int64      `json:"rows,omitempty"`
	Waiting    int        `json:"waiting,omitempty"`
	Error      string     `json:"error,omitempty"`
	NextPoll   time.Time  `json:"nextPoll"`
}

// visibleWatches applies the Data page's account rules to watched sources:
// the operator (see visibleData) sees every one with its errors; an account
// sees the watches that have delivered a source it pays for, with those
// sources' periods only and without the text of a failure, which names
// server paths.
func visibleWatches(pays func(string) bool, operator bool, watches []WatchSource) []watchJSON {
	out := []watchJSON{}
	for _, w := range watches {
		mine := false
		for _, s := range w.Delivered {
			mine = mine || pays(s)
		}
		if !operator && !mine {
			continue
		}
		wj := watchJSON{Source: w.Source, Outcome: w.Outcome, Periods: []string{}, Rows: w.Rows, Waiting: w.Waiting,
			NextPoll: w.NextPoll.UTC()}
		wj.LastSync, wj.LastIngest = timeOrNil(w.LastSync), timeOrNil(w.LastIngest)
		all := true
		for _, p := range w.Periods {
			if pays(p.Source) {
				wj.Periods = append(wj.Periods, p.String())
			} else {
				all = false
			}
		}
		if !all {
			wj.Rows = 0 // the count would include other payers' lines
		}
		if operator {
			wj.Error = w.Err
		}
		out = append(out, wj)
	}
	return out
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}
