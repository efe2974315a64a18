package synth

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// Stats describes what Generate wrote.
type Stats struct {
	// LineItems is the number of line items written.
	LineItems int64
	// LineItemsByType counts line items per CUR line item type (Usage,
	// DiscountedUsage, RIFee, ...); FOCUS rows are counted by the CUR type
	// they were made from.
	LineItemsByType map[string]int64
	// Periods is the number of billing periods (months) written.
	Periods int
	// Files lists every file written, data files and manifests, as paths
	// relative to Config.Out with forward slashes, in writing order.
	Files []string
	// Bytes is the total size of Files.
	Bytes int64
}

// sink writes the lines of one billing period in one export format.
type sink interface {
	// write writes the rows of one line and says how many (FOCUS folds
	// some lines into others and splits some in two).
	write(l *line) (rows int, err error)
	// close finishes the data files and then writes the manifest.
	close() (files []string, bytes int64, err error)
	// abort removes whatever the period wrote.
	abort()
}

type monthResult struct {
	files  []string
	bytes  int64
	byType [numLineTypes]int64
	labels []int64 // cost added by each injected anomaly
	err    error
}

// Generate writes the export cfg describes and reports what it wrote. Each
// billing period's data files are written before its manifest, which is
// renamed into place last; a period that fails leaves neither.
func Generate(ctx context.Context, cfg Config) (*Stats, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return nil, fmt.Errorf("create output folder: %w", err)
	}
	o := buildOrg(cfg)
	months := o.planMonths()
	results := make([]monthResult, len(months))
	workers := cfg.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for i, m := range months {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			results[i] = o.runMonth(ctx, m)
			if results[i].err != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	st := &Stats{LineItemsByType: map[string]int64{}, Periods: len(months)}
	var errs []error
	for i, r := range results {
		if r.err != nil && !errors.Is(r.err, context.Canceled) {
			errs = append(errs, fmt.Errorf("billing period %s: %w", o.periodName(months[i]), r.err))
		}
		st.Files = append(st.Files, r.files...)
		st.Bytes += r.bytes
		for t, n := range r.byType {
			if n > 0 {
				st.LineItemsByType[lineTypeNames[t]] += n
				st.LineItems += n
			}
		}
	}
	if len(errs) > 0 {
		return st, errs[0]
	}
	if err := ctx.Err(); err != nil {
		return st, err
	}
	if cfg.Anomalies {
		impact := make([]int64, len(o.labels))
		for _, r := range results {
			for i, v := range r.labels {
				impact[i] += v
			}
		}
		if err := o.writeLabels(impact); err != nil {
			return st, fmt.Errorf("write anomalies.csv: %w", err)
		}
		st.Files = append(st.Files, "anomalies.csv")
	}
	return st, nil
}

func (o *org) periodName(m *monthPlan) string { return unixUTC(m.start).Format("2006-01") }

// runMonth generates one billing period into a new sink.
func (o *org) runMonth(ctx context.Context, m *monthPlan) monthResult {
	var r monthResult
	s, err := o.newSink(m)
	if err != nil {
		r.err = err
		return r
	}
	n := 0
	err = o.generateMonth(m, &r.labels, func(l *line) error {
		if n++; n&0xffff == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rows, err := s.write(l)
		r.byType[l.typ] += int64(rows)
		return err
	})
	if err == nil {
		r.files, r.bytes, err = s.close()
	}
	if err != nil {
		s.abort()
		r = monthResult{err: err}
	}
	return r
}

func (o *org) newSink(m *monthPlan) (sink, error) {
	switch o.cfg.Format {
	case FormatCUR:
		return o.newCURSink(m)
	case FormatFOCUS, FormatFOCUS13:
		return o.newFOCUSSink(m)
	}
	return o.newCUR2Sink(m)
}

// outFiles tracks the files of one period so that a failure can remove them.
type outFiles struct {
	root    string
	created []string // absolute paths, including temporary ones
	rel     []string
	bytes   int64
}

// create opens a new file under root (rel uses forward slashes).
func (f *outFiles) create(rel string) (*os.File, error) {
	p := filepath.Join(f.root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, err
	}
	fh, err := os.Create(p)
	if err != nil {
		return nil, err
	}
	f.created = append(f.created, p)
	f.rel = append(f.rel, rel)
	return fh, nil
}

// writeAtomic writes data to rel through a temporary file and a rename, so
// a reader never sees a half-written manifest.
func (f *outFiles) writeAtomic(rel string, data []byte) error {
	p := filepath.Join(f.root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	tmp := p + ".tmp"
	f.created = append(f.created, tmp)
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, p); err != nil {
		return err
	}
	f.created = append(f.created, p)
	f.rel = append(f.rel, rel)
	f.bytes += int64(len(data))
	return nil
}

func (f *outFiles) abort() {
	for i := len(f.created) - 1; i >= 0; i-- {
		os.Remove(f.created[i])
	}
}
