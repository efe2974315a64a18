package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/tallyhq/tally/internal/synth"
)

// runGenerate is `tally generate`: it writes the billing exports of a
// synthetic organisation. now is the billing clock (which months are closed,
// where the current month ends); nil means time.Now.
func runGenerate(ctx context.Context, args []string, stdout, stderr io.Writer, now func() time.Time) error {
	if now == nil {
		now = time.Now
	}
	fs := newFlagSet("generate", stderr)
	var (
		cfg        synth.Config
		format     string
		start, end string
	)
	fs.StringVar(&cfg.Out, "out", "", "folder to write the export under, standing for the S3 bucket (required)")
	fs.StringVar(&format, "format", string(synth.FormatCUR2), "export format: cur2 (CUR 2.0 Parquet), cur (legacy CUR CSV.gz), focus (FOCUS 1.2 CSV.gz) or focus13 (FOCUS 1.3 CSV.gz)")
	fs.Int64Var(&cfg.Rows, "rows", 0, "approximate number of line items (default: sized by --accounts and --months)")
	fs.IntVar(&cfg.Accounts, "accounts", synth.DefaultAccounts, "number of linked accounts besides the payer")
	fs.IntVar(&cfg.Months, "months", synth.DefaultMonths, "whole months before the current one to cover when --start is not set")
	fs.Int64Var(&cfg.Seed, "seed", 1, "seed: the same seed and flags give the same bytes")
	fs.StringVar(&start, "start", "", "first day of usage, YYYY-MM-DD (default: the first day of the month --months months ago)")
	fs.StringVar(&end, "end", "", "day after the last day of usage, YYYY-MM-DD (default: now, so the current month is to date)")
	fs.StringVar(&cfg.ExportName, "name", synth.DefaultExportName, "export (or legacy report) name")
	fs.StringVar(&cfg.Bucket, "bucket", synth.DefaultBucket, "S3 bucket the manifests name")
	fs.Int64Var(&cfg.RowsPerFile, "rows-per-file", synth.DefaultRowsPerFile, "line items per data file; bigger months are split")
	fs.IntVar(&cfg.Workers, "workers", 0, "months generated in parallel (default: one per CPU)")
	fs.BoolVar(&cfg.Anomalies, "anomalies", false, "inject labelled cost anomalies and write anomalies.csv beside the bill")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("generate takes no arguments, got %q", fs.Args())
	}
	if cfg.Out == "" {
		return usagef("generate needs --out")
	}
	cfg.Format = synth.Format(format)
	var err error
	if cfg.Start, err = parseDay("start", start); err != nil {
		return err
	}
	if cfg.End, err = parseDay("end", end); err != nil {
		return err
	}
	// Zero means "use the default" to synth.Config; on the command line
	// it is an explicit value to refuse.
	switch {
	case cfg.Accounts <= 0:
		return usagef("--accounts must be positive, got %d", cfg.Accounts)
	case cfg.Months <= 0:
		return usagef("--months must be positive, got %d", cfg.Months)
	case cfg.RowsPerFile <= 0:
		return usagef("--rows-per-file must be positive, got %d", cfg.RowsPerFile)
	}
	cfg.Now = now()
	if err := cfg.Validate(); err != nil {
		return usageError{err.Error()}
	}
	began := time.Now()
	st, err := synth.Generate(ctx, cfg)
	if err != nil {
		return err
	}
	elapsed := time.Since(began)
	rate := float64(st.LineItems) / max(elapsed.Seconds(), 1e-9)
	fmt.Fprintf(stdout, "wrote %d line items in %d files (%s) to %s in %s, %.0f line items/s\n",
		st.LineItems, len(st.Files), byteSize(st.Bytes), cfg.Out, elapsed.Round(time.Millisecond), rate)
	return nil
}

// parseDay parses a YYYY-MM-DD flag as midnight UTC; empty is the zero
// time.
func parseDay(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, usagef("--%s %q is not a date (YYYY-MM-DD)", flag, s)
	}
	return t, nil
}

// byteSize renders a size in binary units.
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
