package ingest

import (
	"context"
	"log/slog"

	"github.com/tallyhq/tally/internal/billing"
)

// Writer receives the canonical rows of one ingest call. Implementations make
// all periods visible at once on Commit, replacing what was stored for those
// billing periods; Abort discards everything appended.
//
// Load calls Append for every row, then exactly one of Commit (on success)
// or Abort (on any error, including a failed Append). The LineItem and its
// maps are only valid during the Append call: Load reuses them for the next
// row, so an implementation that keeps anything must copy it.
type Writer interface {
	Append(p billing.BillingPeriod, li *billing.LineItem) error
	Commit(ctx context.Context, periods []PeriodInfo) error
	Abort() error
}

// Format names a billing export format as detected from a file's content.
type Format string

// The formats Load understands.
const (
	FormatCURCSV       Format = "cur-csv"
	FormatCURParquet   Format = "cur-parquet"
	FormatCUR2CSV      Format = "cur2-csv"
	FormatCUR2Parquet  Format = "cur2-parquet"
	FormatFOCUSCSV     Format = "focus-csv"
	FormatFOCUSParquet Format = "focus-parquet"
)

// PeriodInfo describes one billing period delivered by an ingest call.
type PeriodInfo struct {
	Period billing.BillingPeriod
	Format Format
	// Final is set when a row of the period carries an invoice id or the
	// manifest that delivered it says it is finalized. Results that touch a
	// period that is not final are estimated.
	Final     bool
	InvoiceID string
	Files     []string
	Rows      int64
}

// Options tunes Load. The zero value is ready to use.
type Options struct {
	// Logger receives one line per file read and per stale file skipped; nil
	// discards them.
	Logger *slog.Logger
	// AccountNames names accounts by id for lines whose file gives no name
	// (legacy CUR); see ReadAccountNames. Names in the file win.
	AccountNames map[string]string
}

// FileReport says what Load did with one file.
type FileReport struct {
	Path   string
	Format Format
	Rows   int64
}

// Report summarizes a successful Load.
type Report struct {
	Periods []PeriodInfo // sorted by source, then month
	Files   []FileReport // in the order they were read
	// Stale lists files that a manifest's scope covers but that the manifest
	// does not name (older assemblies or report versions); they were skipped.
	Stale []string
	Rows  int64
}

// Load discovers the deliveries under paths (files or folders), honouring
// manifests, parses every file and streams rows to w; any error aborts w and
// nothing is stored. Errors about a file's content are *FileError.
func Load(ctx context.Context, paths []string, w Writer, opt Options) (*Report, error) {
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rep, periods, err := load(ctx, paths, w, log, opt.AccountNames)
	if err != nil {
		if aerr := w.Abort(); aerr != nil {
			log.Error("ingest: abort failed", "err", aerr)
		}
		return nil, err
	}
	if err := w.Commit(ctx, periods); err != nil {
		return nil, err
	}
	return rep, nil
}
