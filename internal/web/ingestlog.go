package web

import (
	"sync"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/ingest"
)

// DefaultIngestLogSize is how many ingests an IngestLog of size zero keeps.
const DefaultIngestLogSize = 50

// IngestLog remembers the outcome of the most recent ingests the server ran,
// so that the Data page can show when data arrived and what failed. It keeps
// them in memory only: a restart forgets them (the stored periods remain).
// It is safe for concurrent use.
type IngestLog struct {
	mu      sync.Mutex
	size    int
	entries []IngestEntry // oldest first
}

// IngestEntry is the outcome of one ingest.
type IngestEntry struct {
	// At is when the ingest finished.
	At time.Time
	// Paths are the files or folders given to the ingest.
	Paths []string
	// Periods are the billing periods it replaced; none when it failed.
	Periods []billing.BillingPeriod
	// Rows is the number of line items it stored.
	Rows int64
	// Err is the failure, "" when the ingest succeeded.
	Err string
}

// NewIngestLog returns a log that keeps the last size ingests
// (DefaultIngestLogSize when size is zero or negative).
func NewIngestLog(size int) *IngestLog {
	if size <= 0 {
		size = DefaultIngestLogSize
	}
	return &IngestLog{size: size}
}

// Record notes the outcome of one ingest of paths that finished at at: its
// report when it succeeded, its error otherwise.
func (l *IngestLog) Record(at time.Time, paths []string, rep *ingest.Report, err error) {
	e := IngestEntry{At: at.UTC(), Paths: append([]string(nil), paths...)}
	switch {
	case err != nil:
		e.Err = err.Error()
	case rep != nil:
		e.Rows = rep.Rows
		for _, p := range rep.Periods {
			e.Periods = append(e.Periods, p.Period)
		}
	}
	l.Add(e)
}

// Add keeps an entry made elsewhere, such as by the ingest `tally demo` runs
// before it serves.
func (l *IngestLog) Add(e IngestEntry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, e)
	if over := len(l.entries) - l.size; over > 0 {
		l.entries = append(l.entries[:0:0], l.entries[over:]...)
	}
}

// Recent returns the kept entries, newest first.
func (l *IngestLog) Recent() []IngestEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]IngestEntry, len(l.entries))
	for i, e := range l.entries {
		out[len(out)-1-i] = e
	}
	return out
}
