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
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/s3sync"
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

// watch polls the sources until ctx ends: at once, then every interval.
func (c *watchConfig) watch(ctx context.Context, sources []*s3sync.Source, a watchSink, log *slog.Logger) {
	if len(sources) == 0 {
		return
	}
	t := time.NewTicker(c.interval)
	defer t.Stop()
	for {
		for _, src := range sources {
			if err := syncSource(ctx, a, src, log); err != nil && ctx.Err() == nil {
				log.Error("watch: sync failed", "source", src.String(), "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// syncSource ingests a source's pending deliveries in one ingest, then
// records them, so a failure or a restart retries them. A source that
// cannot be read shows on the web UI's Data page like a failed ingest.
func syncSource(ctx context.Context, a watchSink, src *s3sync.Source, log *slog.Logger) error {
	start := time.Now()
	failed := func(err error) error {
		a.record(a.now(), []string{src.String()}, nil, err)
		return err
	}
	pending, waiting, err := src.Pending(ctx)
	if err != nil {
		return failed(err)
	}
	for _, w := range waiting {
		log.Info("watch: incomplete delivery, not ingested yet", "manifest", w)
	}
	if len(pending) == 0 {
		return nil
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
		return fmt.Errorf("ingest %s: %w", strings.Join(paths, ", "), err)
	}
	for _, d := range pending {
		if err := src.Done(d); err != nil {
			return err
		}
	}
	log.Info("watch: ingested", "deliveries", len(pending), "periods", len(rep.Periods), "rows", rep.Rows, "took", time.Since(start).Round(time.Millisecond))
	return nil
}
