package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/s3sync"
	"github.com/tallyhq/tally/internal/web"
)

// watchConfig is `tally serve --watch`: folders or bucket prefixes polled
// for new and restated billing exports.
type watchConfig struct {
	targets  watchTargets
	interval time.Duration
}

type watchTargets []string

func (w *watchTargets) String() string { return strings.Join(*w, ",") }
func (w *watchTargets) Set(v string) error {
	*w = append(*w, v)
	return nil
}

func (c *watchConfig) register(fs *flag.FlagSet) {
	fs.Var(&c.targets, "watch", "`s3://BUCKET/PREFIX or FOLDER` to poll for new and restated billing exports; each complete delivery is ingested once (repeatable)")
	fs.DurationVar(&c.interval, "watch-interval", 5*time.Minute, "how often --watch polls")
}

// sources opens the watched targets; state and S3 downloads live under
// DATA/s3.
func (c *watchConfig) sources(ctx context.Context, data string) ([]*s3sync.Source, error) {
	var out []*s3sync.Source
	for _, t := range c.targets {
		if strings.HasPrefix(t, "s3://") {
			src, err := s3Source(ctx, data, t)
			if err != nil {
				return nil, err
			}
			out = append(out, src)
			continue
		}
		abs, err := filepath.Abs(t)
		if err != nil {
			return nil, err
		}
		if st, err := os.Stat(abs); err != nil || !st.IsDir() {
			return nil, usagef("--watch %s: not an s3:// URL or a folder", t)
		}
		h := sha256.Sum256([]byte(abs))
		out = append(out, &s3sync.Source{Client: s3sync.Folder{Root: abs}, Bucket: "folder-" + hex.EncodeToString(h[:6]),
			Dir: filepath.Join(data, "s3")})
	}
	return out, nil
}

// watchSink is where watched deliveries go: the app's ingest, and its
// record of ingest outcomes for the web UI's Data page.
type watchSink struct {
	ingest func(ctx context.Context, paths []string) (*ingest.Report, error)
	record func(at time.Time, paths []string, rep *ingest.Report, err error)
	now    func() time.Time
}

// watch polls the sources until ctx ends: at once, then interval after the
// start of the previous poll (at once when a poll took longer). status,
// when not nil, keeps each source's last poll for the Data page.
func (c *watchConfig) watch(ctx context.Context, sources []*s3sync.Source, a watchSink, status *watchStatus, log *slog.Logger) {
	if len(sources) == 0 {
		return
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		next := time.Now().Add(c.interval)
		for i, src := range sources {
			rep, waiting, err := syncSource(ctx, a, src, log)
			if err != nil && ctx.Err() == nil {
				log.Error("watch: sync failed", "source", src.String(), "err", err)
			}
			if ctx.Err() != nil {
				return
			}
			status.record(i, a.now(), rep, waiting, err)
		}
		wait := max(time.Until(next), 0)
		status.scheduled(a.now().Add(wait))
		timer.Reset(wait)
	}
}

// syncSource ingests a source's pending deliveries in one ingest, then
// records them, so a failure or a restart retries them. It returns the
// ingest's report (nil when there was nothing new) and how many deliveries
// wait for their files. A source that cannot be read shows on the web UI's
// Data page like a failed ingest.
func syncSource(ctx context.Context, a watchSink, src *s3sync.Source, log *slog.Logger) (*ingest.Report, int, error) {
	start := time.Now()
	failed := func(err error) (*ingest.Report, int, error) {
		a.record(a.now(), []string{src.String()}, nil, err)
		return nil, 0, err
	}
	pending, waiting, err := src.Pending(ctx)
	if err != nil {
		return failed(err)
	}
	for _, w := range waiting {
		log.Info("watch: incomplete delivery, not ingested yet", "manifest", w)
	}
	if len(pending) == 0 {
		return nil, len(waiting), nil
	}
	var paths []string
	for _, d := range pending {
		p, err := src.Fetch(ctx, d)
		if err != nil {
			return failed(err)
		}
		paths = append(paths, p)
	}
	rep, err := a.ingest(ctx, paths)
	if err != nil {
		return nil, len(waiting), fmt.Errorf("ingest %s: %w", strings.Join(paths, ", "), err)
	}
	for _, d := range pending {
		if err := src.Done(d); err != nil {
			return nil, len(waiting), err
		}
	}
	log.Info("watch: ingested", "deliveries", len(pending), "periods", len(rep.Periods), "rows", rep.Rows, "took", time.Since(start).Round(time.Millisecond))
	return rep, len(waiting), nil
}

// watchStatus keeps the last poll of each watched source for the web UI's
// Data page. It is safe for concurrent use; a nil *watchStatus keeps
// nothing.
type watchStatus struct {
	mu      sync.Mutex
	sources []web.WatchSource
}

func newWatchStatus(sources []*s3sync.Source, now time.Time) *watchStatus {
	s := &watchStatus{}
	for _, src := range sources {
		s.sources = append(s.sources, web.WatchSource{Source: src.String(), Outcome: web.WatchNotPolled, NextPoll: now})
	}
	return s
}

// record notes the outcome of a poll of source i that ended at at.
func (s *watchStatus) record(i int, at time.Time, rep *ingest.Report, waiting int, err error) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w := &s.sources[i]
	w.LastSync, w.Waiting, w.Err = at, waiting, ""
	switch {
	case err != nil:
		w.Outcome, w.Err = web.WatchFailed, err.Error()
	case rep != nil:
		w.Outcome, w.LastIngest, w.Rows, w.Periods = web.WatchIngested, at, rep.Rows, nil
		for _, p := range rep.Periods {
			w.Periods = append(w.Periods, p.Period)
			if !slices.Contains(w.Delivered, p.Period.Source) {
				w.Delivered = append(w.Delivered, p.Period.Source)
			}
		}
	default:
		w.Outcome = web.WatchNothing
	}
}

// scheduled notes when the next poll of every source starts.
func (s *watchStatus) scheduled(next time.Time) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.sources {
		s.sources[i].NextPoll = next
	}
}

// list returns a copy of the sources' state.
func (s *watchStatus) list() []web.WatchSource {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]web.WatchSource, len(s.sources))
	for i, w := range s.sources {
		w.Periods, w.Delivered = slices.Clone(w.Periods), slices.Clone(w.Delivered)
		out[i] = w
	}
	return out
}
