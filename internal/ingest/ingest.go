package ingest

import (
	"context"
	"log/slog"

	"github.com/tallyhq/tally/internal/store"
)

// The formats Load understands, as detected from a file's content.
const (
	FormatCURCSV       store.Format = "cur-csv"
	FormatCURParquet   store.Format = "cur-parquet"
	FormatCUR2CSV      store.Format = "cur2-csv"
	FormatCUR2Parquet  store.Format = "cur2-parquet"
	FormatFOCUSCSV     store.Format = "focus-csv"
	FormatFOCUSParquet store.Format = "focus-parquet"
)

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
	Format store.Format
	Rows   int64
}

// Report summarizes a successful Load.
type Report struct {
	Periods []store.PeriodInfo // sorted by source, then month
	Files   []FileReport       // in the order they were read
	// Stale lists files that a manifest's scope covers but that the manifest
	// does not name (older assemblies or report versions); they were skipped.
	Stale []string
	Rows  int64
}

// Load discovers the deliveries under paths (files or folders), honouring
// manifests, parses every file and streams rows to w; any error aborts w and
// nothing is stored. Errors about a file's content are *FileError.
func Load(ctx context.Context, paths []string, w store.Writer, opt Options) (*Report, error) {
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
