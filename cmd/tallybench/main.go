// Command tallybench runs Tally's benchmark suite (`make bench`): it
// generates a synthetic CUR 2.0 export, measures `tally ingest` and a fixed
// set of Cost Explorer requests through `tally serve`, times DuckDB over the
// same Parquet files beside them, and writes results.json and results.md.
// See bench/README.md.
//
// It is a separate command rather than a `tally` subcommand so that the
// tally binary stays free of the AWS SDK client and of benchmark code, and
// so that what is measured is the tally binary exactly as shipped, run as
// child processes whose peak memory the benchmark can read.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/tallyhq/tally/internal/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tallybench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tallybench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg bench.Config
	fs.StringVar(&cfg.Tally, "tally", "./tally", "path of the tally binary to measure")
	fs.StringVar(&cfg.Out, "out", "bench-out", "folder for results, logs, generated data and the data directory")
	fs.Int64Var(&cfg.Rows, "rows", bench.DefaultRows, fmt.Sprintf("approximate number of line items to generate (at most %d)", bench.MaxRows))
	fs.Int64Var(&cfg.Seed, "seed", bench.DefaultSeed, "seed of the generated organisation")
	fs.IntVar(&cfg.Runs, "runs", bench.DefaultRuns, "timed runs of each request through Tally")
	fs.IntVar(&cfg.RawRuns, "raw-runs", bench.DefaultRawRuns, "timed runs of each request's SQL through DuckDB")
	fs.IntVar(&cfg.Threads, "threads", 0, "threads of DuckDB over the raw files (default: one per CPU)")
	fs.Float64Var(&cfg.LoadSeconds, "load-seconds", bench.DefaultLoadSeconds, "seconds of the throughput benchmark per request and concurrency (negative: skip it)")
	fs.IntVar(&cfg.ServeThreads, "serve-threads", 0, "DuckDB threads of tally serve (--db-threads; default: its own, one per CPU)")
	fs.BoolVar(&cfg.ReuseStore, "reuse-store", false, "skip the ingest if the previous run's data directory holds the same data set")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	cfg.Progress = stderr
	res, err := bench.Run(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, res.Markdown())
	fmt.Fprintf(stdout, "results written to %s/results.json and %s/results.md\n", cfg.Out, cfg.Out)
	return nil
}
