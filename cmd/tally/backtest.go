package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/tallyhq/tally/internal/app"
	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/costexplorer"
	"github.com/tallyhq/tally/internal/forecast"
	"github.com/tallyhq/tally/internal/profile"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/recommend"
	"github.com/tallyhq/tally/internal/synth"
)

// runBacktest measures the forecast model on held-out days of a synthetic
// organisation and, when given, of real billing files, next to two
// baselines, and prints the tables (issue: "Forecasts ... backtest").
func runBacktest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("backtest", stderr)
	rows := fs.Int64("rows", 1_000_000, "line items of the synthetic organisation")
	seed := fs.Int64("seed", 1, "seed of the synthetic organisation")
	months := fs.Int("months", 18, "months of synthetic history")
	samples := fs.String("samples", "", "folder of real billing files to backtest too (e.g. ../shared/billing-samples)")
	out := fs.String("out", "", "also write the tables to this Markdown file")
	anomalyRows := fs.Int64("anomaly-rows", 300_000, "line items of each synthetic organisation with labelled anomalies")
	only := fs.String("only", "", "run only one part: forecast (with the commitment recommendations), commitments (the commitment recommendations alone) or anomalies")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *rows <= 0 || *months < 3 {
		return usagef("--rows must be positive and --months at least 3")
	}
	tmp, err := os.MkdirTemp("", "tally-backtest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	var report string
	if *only != "" && *only != "forecast" && *only != "commitments" && *only != "anomalies" {
		return usagef("--only must be forecast, commitments or anomalies")
	}
	if *only != "anomalies" {
		r, err := backtestForecasts(ctx, tmp, *seed, *rows, *months, *samples, *only != "commitments")
		if err != nil {
			return err
		}
		report += r
	}
	if *only == "" || *only == "anomalies" {
		r, err := backtestAnomalies(ctx, tmp, []int64{1, 2, 3, 4, 5}, *anomalyRows, *samples)
		if err != nil {
			return err
		}
		report += "\n" + r
	}
	fmt.Fprint(stdout, report)
	if *out != "" {
		return os.WriteFile(*out, []byte(report), 0o644)
	}
	return nil
}

// backtestForecasts backtests the forecast model and the commitment
// recommendations on a synthetic organisation and, when samples is set, on
// real billing files. Without forecasts only the commitment recommendations
// are backtested.
func backtestForecasts(ctx context.Context, tmp string, seed, rows int64, months int, samples string, forecasts bool) (string, error) {
	// A fixed clock keeps the table reproducible for a given seed.
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	exports := filepath.Join(tmp, "exports")
	if _, err := synth.Generate(ctx, synth.Config{Out: exports, Format: synth.FormatCUR2, Seed: seed, Rows: rows,
		Months: months, Now: now}); err != nil {
		return "", err
	}
	var report string
	// The commitment recommendations are backtested on the same stores
	// (ingested by the forecast backtest, else by the commitment one).
	ingest := []string{exports}
	if forecasts {
		r, err := backtestData(ctx, filepath.Join(tmp, "synthetic"), ingest, now, "synthetic organisation",
			forecast.BacktestConfig{Horizon: 30})
		if err != nil {
			return "", err
		}
		report += r + "\n"
		ingest = nil
	}
	r, err := commitmentBacktest(ctx, filepath.Join(tmp, "synthetic"), ingest, now, "synthetic organisation")
	if err != nil {
		return "", err
	}
	report += r
	if samples != "" {
		// The Workshop CUR files cover October to December 2018.
		ingest := []string{samples}
		if forecasts {
			r, err := backtestData(ctx, filepath.Join(tmp, "samples"), ingest, time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC),
				"Workshop CUR (Oct-Dec 2018)", forecast.BacktestConfig{Horizon: 14, MinHistory: 28, Step: 1})
			if err != nil {
				return "", err
			}
			report += "\n" + r
			ingest = nil
		}
		r, err = commitmentBacktest(ctx, filepath.Join(tmp, "samples"), ingest, time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), "Workshop CUR (Oct-Dec 2018)")
		if err != nil {
			return "", err
		}
		report += "\n" + r
	}
	return report, nil
}

// backtestData ingests paths into a fresh store in dir and backtests the
// daily UnblendedCost of everything in it.
func backtestData(ctx context.Context, dir string, paths []string, now time.Time, name string, cfg forecast.BacktestConfig) (string, error) {
	a, err := app.Open(ctx, app.Config{Data: dir, Profile: profile.Unlimited, Now: func() time.Time { return now }})
	if err != nil {
		return "", err
	}
	defer a.Close()
	if _, err := a.Ingest(ctx, paths); err != nil {
		return "", err
	}
	series, _, err := a.CostExplorer.DailyHistory(ctx, billing.UnblendedCost, nil, query.Scope{}, now)
	if err != nil {
		return "", err
	}
	// Score only closed billing months: an open month has not received all
	// its month-level charges yet, so its days are not the actual spend.
	closed := int(billing.MonthStart(now).Sub(series.Start).Hours() / 24)
	if closed >= 0 && closed < len(series.Values) {
		series.Values = series.Values[:closed]
	}
	cfg.Name = name + ", daily UnblendedCost"
	rep, err := forecast.Backtest(series, cfg)
	if err != nil {
		return "", err
	}
	return rep.Markdown(), nil
}

// commitmentBacktest opens the store in dir (ingesting paths first when
// given) and backtests the commitment recommendations on every closed month
// that has a month of history before it: recommend from the 30 days before
// the month, apply the recommendation to the month's actual usage, and
// compare with the best fixed commitment chosen with hindsight of that month.
func commitmentBacktest(ctx context.Context, dir string, paths []string, now time.Time, name string) (string, error) {
	a, err := app.Open(ctx, app.Config{Data: dir, Profile: profile.Unlimited, Now: func() time.Time { return now }})
	if err != nil {
		return "", err
	}
	defer a.Close()
	if len(paths) > 0 {
		if _, err := a.Ingest(ctx, paths); err != nil {
			return "", err
		}
	}
	periods, err := a.Store.Periods(ctx)
	if err != nil {
		return "", err
	}
	var first time.Time
	for _, p := range periods {
		if first.IsZero() || p.Period.Month.Before(first) {
			first = p.Period.Month
		}
	}
	if first.IsZero() {
		return "", fmt.Errorf("backtest %s: no billing data", name)
	}
	report := fmt.Sprintf("## Commitment recommendations, %s\n\n", name) +
		"Recommend from the 30 days before each held-out month (THIRTY_DAYS), buy that for the whole month, and compare\n" +
		"the month's realised savings with the best fixed commitment chosen with hindsight of the month (ratio = realised / hindsight;\n" +
		"n/a when nothing was worth buying). RIs: per instance type, at the bill's Standard RI rate; SP: Compute Savings Plan at\n" +
		"the discount the bill's plans got before the month. Realised and hindsight savings are computed on the same hourly usage\n" +
		"of the month, in three views (internal/recommend, \"Backtest views\"); the first is the target.\n\n"
	views := []struct {
		view  costexplorer.CommitmentView
		title string
	}{
		{costexplorer.ViewOnDemand, "On-demand usage (what the recommendations see), the month's own new commitments counted back as on demand"},
		{costexplorer.ViewRawOnDemand, "On-demand usage as billed, whatever the organisation bought in the month"},
		{costexplorer.ViewAllUsage, "All instance usage at on-demand rates (as if no commitment existed)"},
	}
	for _, v := range views {
		var outs []recommend.Outcome
		for m := first.AddDate(0, 1, 0); !m.AddDate(0, 1, 0).After(billing.MonthStart(now)); m = m.AddDate(0, 1, 0) {
			c, err := a.CostExplorer.CommitmentCase(ctx, m, 30, v.view)
			if err != nil {
				return "", err
			}
			outs = append(outs, recommend.Evaluate(c))
		}
		report += recommend.Markdown(v.title, outs) + "\n"
	}
	return report, nil
}
