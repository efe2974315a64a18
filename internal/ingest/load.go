package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/store"
)

// periodState accumulates what one ingest call delivers for a period.
type periodState struct {
	info     store.PeriodInfo
	manifest string // the manifest that delivered it, "" for files given as is
}

// loader carries the state of one Load call.
type loader struct {
	ctx     context.Context
	w       store.Writer
	log     *slog.Logger
	periods map[billing.BillingPeriod]*periodState
	report  Report
	names   map[string]string // Options.AccountNames
}

func load(ctx context.Context, paths []string, w store.Writer, log *slog.Logger, names map[string]string) (*Report, []store.PeriodInfo, error) {
	jobs, stale, err := discover(paths)
	if err != nil {
		return nil, nil, err
	}
	l := &loader{ctx: ctx, w: w, log: log, periods: map[billing.BillingPeriod]*periodState{}, names: names}
	l.report.Stale = stale
	for _, s := range stale {
		log.Info("ingest: skipping stale file", "path", s)
	}
	if len(jobs) == 0 {
		return nil, nil, errors.New("ingest: no billing files found")
	}
	for _, j := range jobs {
		if err := l.loadFile(j); err != nil {
			return nil, nil, err
		}
	}
	infos := make([]store.PeriodInfo, 0, len(l.periods))
	for _, ps := range l.periods {
		infos = append(infos, ps.info)
	}
	sort.Slice(infos, func(i, j int) bool {
		a, b := infos[i].Period, infos[j].Period
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		return a.Month.Before(b.Month)
	})
	l.report.Periods = infos
	return &l.report, infos, nil
}

// loadFile streams one file to the writer. One goroutine decodes and maps
// the rows (see decode) while this one hands them to the writer in file
// order, so that the two halves of the work use two cores; the writer is
// only ever called from here.
func (l *loader) loadFile(j job) error {
	src, format, mapper, err := openBilling(j.path)
	if err != nil {
		var fe *FileError
		if errors.As(err, &fe) {
			return err
		}
		return &FileError{File: j.path, Err: err}
	}
	defer src.close()
	d := newDecoder(l.ctx, j.path, src, mapper)
	defer d.stop()
	var (
		row     int64
		lastP   billing.BillingPeriod
		lastSt  *periodState
		reached = false
	)
	for b := range d.full {
		for i := range b.rows {
			r := &b.rows[i]
			row++
			p, li := r.p, &r.li
			if !reached || p.Source != lastP.Source || !p.Month.Equal(lastP.Month) {
				st, err := l.period(p, format, j)
				if err != nil {
					return &FileError{File: j.path, Row: row, Err: err}
				}
				lastP, lastSt, reached = p, st, true
			}
			lastSt.info.Rows++
			if l.names != nil {
				if li.UsageAccountName == "" {
					li.UsageAccountName = l.names[li.UsageAccountID]
				}
				if li.PayerAccountName == "" {
					li.PayerAccountName = l.names[li.PayerAccountID]
				}
			}
			if r.invoice != "" && lastSt.info.InvoiceID == "" {
				lastSt.info.InvoiceID = strings.Clone(r.invoice)
				lastSt.info.Final = true
			}
			if err := l.w.Append(p, li); err != nil {
				return fmt.Errorf("ingest: %s row %d: %w", filepath.Base(j.path), row, err)
			}
		}
		if b.err != nil {
			return b.err
		}
		d.recycle(b)
	}
	l.report.Files = append(l.report.Files, FileReport{Path: j.path, Format: format, Rows: row})
	l.report.Rows += row
	l.log.Info("ingest: read file", "path", j.path, "format", format, "rows", row)
	return nil
}

// period returns the state of a billing period, registering the file with
// it. One period must come from one delivery: files of one format and, when
// a manifest is involved, of one manifest.
func (l *loader) period(p billing.BillingPeriod, format store.Format, j job) (*periodState, error) {
	st, ok := l.periods[p]
	if !ok {
		st = &periodState{info: store.PeriodInfo{Period: p, Format: format}, manifest: j.manifest}
		l.periods[p] = st
	}
	if st.info.Format != format {
		return nil, fmt.Errorf("billing period %s also comes from %s, a %s file; load one delivery per period", p, filepath.Base(st.info.Files[0]), st.info.Format)
	}
	if st.manifest != j.manifest {
		return nil, fmt.Errorf("billing period %s is delivered twice (%s and %s); load one delivery per period", p, describeDelivery(st.manifest, st.info.Files[0]), describeDelivery(j.manifest, j.path))
	}
	if len(st.info.Files) == 0 || st.info.Files[len(st.info.Files)-1] != j.path {
		st.info.Files = append(st.info.Files, j.path)
	}
	if j.final {
		st.info.Final = true
	}
	return st, nil
}

func describeDelivery(manifest, file string) string {
	if manifest != "" {
		return "manifest " + manifest
	}
	return "file " + file
}
