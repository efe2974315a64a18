package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/app"
	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/profile"
	"github.com/tallyhq/tally/internal/synth"
	"github.com/tallyhq/tally/internal/web"
)

// The demo organisation: about half a million line items over 13 months and
// the current one, which generates and ingests in well under a minute on
// two cores.
const (
	demoRows = 500_000
	demoSeed = 1
)

// demoConfig is what `tally demo` runs with: every flag of `tally serve`,
// and the size and seed of the generated organisation.
type demoConfig struct {
	serve serveConfig
	rows  int64
	seed  int64
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer, hooks *serveHooks) error {
	cfg := demoConfig{}
	fs := newFlagSet("demo", stderr)
	cfg.serve.register(fs)
	fs.Int64Var(&cfg.rows, "rows", demoRows, "approximate number of line items of the demo organisation")
	fs.Int64Var(&cfg.seed, "seed", demoSeed, "seed of the demo organisation")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("demo takes no arguments, got %q", fs.Args())
	}
	if cfg.rows <= 0 {
		return usagef("--rows must be positive, got %d", cfg.rows)
	}
	return demo(ctx, cfg, stdout, stderr, hooks)
}

// demo generates the demo organisation's CUR 2.0 export under the data
// directory (once per seed, size and day), ingests it through the normal
// ingest path, and serves it like `tally serve`, printing commands to try.
func demo(ctx context.Context, cfg demoConfig, stdout, stderr io.Writer, hooks *serveHooks) error {
	if hooks == nil {
		hooks = &serveHooks{}
	}
	now := hooks.now
	if now == nil {
		now = time.Now
	}
	// Fail on a bad flag before minutes of work, not after.
	prof, err := profile.Named(cfg.serve.profile)
	if err != nil {
		return usageError{err.Error()}
	}
	keys := auth.TestKeys()
	if cfg.serve.credentials != "" {
		if keys, err = auth.LoadFile(cfg.serve.credentials); err != nil {
			return err
		}
	}
	ln, err := listen(cfg.serve.addr, keys.Test)
	if err != nil {
		return err
	}
	ln.Close()

	st, ingested, err := demoData(ctx, cfg, now, stdout, stderr)
	if err != nil {
		return err
	}
	ready := hooks.ready
	inner := *hooks
	inner.ready = func(baseURL string, a *app.App) {
		// The Data page lists the demo's ingest, done before serving.
		for i := len(ingested) - 1; i >= 0; i-- { // Recent is newest first
			a.Ingests.Add(ingested[i])
		}
		printDemo(stdout, baseURL, keys.Test, cfg.serve, prof, st, now())
		if ready != nil {
			ready(baseURL, a)
		}
	}
	// serve's own banner suggests dates of the Workshop samples; the demo
	// prints its own.
	return serve(ctx, cfg.serve, io.Discard, stderr, &inner)
}

// demoStamp records what demo-exports holds and whether the data directory
// has ingested it.
type demoStamp struct {
	Seed      int64     `json:"seed"`
	Rows      int64     `json:"rows"`
	Day       string    `json:"day"` // the UTC day the data runs up to
	LineItems int64     `json:"line_items"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Accounts  int       `json:"accounts"`
	Payer     string    `json:"payer"`
	Ingested  bool      `json:"ingested"`
}

const (
	demoExportsDir = "demo-exports"
	demoStampFile  = "demo-exports.json"
)

// demoData makes sure the data directory holds the demo organisation up to
// today: it generates the export unless one for the same seed, size and day
// is there, and ingests it unless that was done already.
func demoData(ctx context.Context, cfg demoConfig, now func() time.Time, stdout, stderr io.Writer) (*demoStamp, []web.IngestEntry, error) {
	dir := cfg.serve.data
	exports := filepath.Join(dir, demoExportsDir)
	stampPath := filepath.Join(dir, demoStampFile)
	t := now().UTC()
	want := demoStamp{Seed: cfg.seed, Rows: cfg.rows, Day: t.Format(time.DateOnly)}
	st, ok := readDemoStamp(stampPath)
	if _, err := os.Stat(exports); !ok || err != nil || st.Seed != want.Seed || st.Rows != want.Rows || st.Day != want.Day {
		if st, err = generateDemo(ctx, exports, want, t, stdout); err != nil {
			return nil, nil, err
		}
		if err := writeDemoStamp(stampPath, st); err != nil {
			return nil, nil, err
		}
	} else {
		fmt.Fprintf(stdout, "tally demo: using the organisation generated earlier today in %s\n", exports)
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	a, err := app.Open(ctx, app.Config{Data: dir, Profile: profile.Unlimited, Now: now, Logger: logger}) // the profile does not matter to ingest
	if err != nil {
		return nil, nil, err
	}
	defer a.Close()
	if err := ingestDemo(ctx, a, exports, stampPath, &st, stdout); err != nil {
		return nil, nil, err
	}
	if st.Payer, err = prepareDemo(ctx, a); err != nil {
		return nil, nil, err
	}
	names, err := a.Store.AccountNames(ctx)
	if err != nil {
		return nil, nil, err
	}
	st.Accounts = len(names)
	return &st, a.Ingests.Recent(), nil
}

// ingestDemo ingests the demo export through the normal ingest path unless
// the stamp says it was and the store still has billing periods.
func ingestDemo(ctx context.Context, a *app.App, exports, stampPath string, st *demoStamp, stdout io.Writer) error {
	periods, err := a.Store.Periods(ctx)
	if err != nil {
		return err
	}
	if st.Ingested && len(periods) > 0 {
		fmt.Fprintln(stdout, "tally demo: already ingested")
		return nil
	}
	start := time.Now()
	fmt.Fprintf(stdout, "tally demo: ingesting %d line items ...\n", st.LineItems)
	rep, err := a.Ingest(ctx, []string{exports})
	if err != nil {
		return fmt.Errorf("ingest demo data: %w", err)
	}
	fmt.Fprintf(stdout, "tally demo: ingested %d billing periods in %.1f s\n", len(rep.Periods), time.Since(start).Seconds())
	st.Ingested = true
	return writeDemoStamp(stampPath, *st)
}

func readDemoStamp(path string) (demoStamp, bool) {
	var st demoStamp
	b, err := os.ReadFile(path)
	return st, err == nil && json.Unmarshal(b, &st) == nil
}

// generateDemo writes a fresh demo export for st's seed and size, up to t.
func generateDemo(ctx context.Context, exports string, st demoStamp, t time.Time, stdout io.Writer) (demoStamp, error) {
	if err := os.RemoveAll(exports); err != nil {
		return st, err
	}
	start := time.Now()
	fmt.Fprintf(stdout, "tally demo: generating a synthetic organisation (about %d line items) in %s ...\n", st.Rows, exports)
	cfg := synth.Config{Out: exports, Format: synth.FormatCUR2, Seed: st.Seed, Rows: st.Rows, Now: t}
	stats, err := synth.Generate(ctx, cfg)
	if err != nil {
		return st, fmt.Errorf("generate demo data: %w", err)
	}
	st.LineItems = stats.LineItems
	st.End = t.Truncate(time.Hour)
	st.Start = time.Date(t.Year(), t.Month()-synth.DefaultMonths, 1, 0, 0, 0, 0, time.UTC)
	fmt.Fprintf(stdout, "tally demo: generated %d line items in %d billing periods in %.1f s\n",
		stats.LineItems, stats.Periods, time.Since(start).Seconds())
	return st, nil
}

func writeDemoStamp(path string, st demoStamp) error {
	b, _ := json.MarshalIndent(st, "", "  ")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}

// printDemo prints where the demo listens and the aws commands to try.
func printDemo(w io.Writer, baseURL string, testKeys bool, cfg serveConfig, prof profile.Profile, st *demoStamp, now time.Time) {
	fmt.Fprintf(w, "\ntally %s demo: serving a synthetic organisation (%d accounts, %d line items, %s to %s) on %s (profile %s)\n",
		version, st.Accounts, st.LineItems, st.Start.Format(time.DateOnly), st.End.Format("2006-01-02 15:04"), baseURL, prof.Name)
	fmt.Fprintf(w, "\nopen %s/ in a browser to explore costs by team or service, watch the budgets and manage tags\n", baseURL)
	if testKeys {
		fmt.Fprintln(w, "no --credentials given: accepting access key \"test\" with secret \"test\" as a management account that sees everything")
		fmt.Fprintln(w, "\ntry:\n  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1")
	} else {
		fmt.Fprintf(w, "requests must be signed with a key from %s\n", cfg.credentials)
		fmt.Fprintln(w, "\ntry, with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set to one of those keys and AWS_DEFAULT_REGION=us-east-1:")
	}
	for _, c := range demoCommands(baseURL, now, st.Payer) {
		quoted := make([]string, len(c.args))
		for i, a := range c.args {
			quoted[i] = shellQuote(a)
		}
		fmt.Fprintf(w, "  # %s\n  aws %s\n", c.what, strings.Join(quoted, " "))
	}
	fmt.Fprintf(w, "\nThe data stays in %s: `tally serve --data %s` serves it again. Ctrl-C stops the demo.\n", cfg.data, cfg.data)
}

// demoCommand is one suggested aws CLI command.
type demoCommand struct {
	what string
	args []string // after "aws"; no argument needs shell quoting
}

// demoCommands are the commands the demo suggests, dated from now so that
// they fall inside AWS's history window.
func demoCommands(baseURL string, now time.Time, payer string) []demoCommand {
	t := now.UTC()
	month := func(n int) string {
		return time.Date(t.Year(), t.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	tomorrow := time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	ep := []string{"--endpoint-url", baseURL}
	cmd := func(what string, args ...string) demoCommand {
		return demoCommand{what: what, args: append(append(args[:2:2], ep...), args[2:]...)}
	}
	return []demoCommand{
		cmd("the bill of the last three months",
			"ce", "get-cost-and-usage", "--time-period", "Start="+month(-3)+",End="+month(0),
			"--granularity", "MONTHLY", "--metrics", "UnblendedCost", "AmortizedCost"),
		cmd("last month by service",
			"ce", "get-cost-and-usage", "--time-period", "Start="+month(-1)+",End="+month(0),
			"--granularity", "MONTHLY", "--metrics", "UnblendedCost", "--group-by", "Type=DIMENSION,Key=SERVICE"),
		cmd("this month so far, day by day and by account",
			"ce", "get-cost-and-usage", "--time-period", "Start="+month(0)+",End="+tomorrow,
			"--granularity", "DAILY", "--metrics", "UnblendedCost", "--group-by", "Type=DIMENSION,Key=LINKED_ACCOUNT"),
		cmd("the linked accounts",
			"ce", "get-dimension-values", "--time-period", "Start="+month(-3)+",End="+month(0), "--dimension", "LINKED_ACCOUNT"),
		cmd("the cost allocation tag keys in use",
			"ce", "get-tags", "--time-period", "Start="+month(-3)+",End="+month(0)),
		cmd("each team's spend on EC2 last month",
			"ce", "get-cost-and-usage", "--time-period", "Start="+month(-1)+",End="+month(0),
			"--granularity", "MONTHLY", "--metrics", "UnblendedCost", "--group-by", "Type=TAG,Key=Team",
			"--filter", `{"Dimensions":{"Key":"SERVICE","Values":["Amazon Elastic Compute Cloud - Compute"]}}`),
		cmd("the budgets, with actual and forecast spend",
			"budgets", "describe-budgets", "--account-id", payer),
		cmd("the forecast of this month",
			"ce", "get-cost-forecast", "--time-period", "Start="+t.Format(time.DateOnly)+",End="+month(1),
			"--metric", "UNBLENDED_COST", "--granularity", "MONTHLY"),
		cmd("the cost allocation tags and their status",
			"ce", "list-cost-allocation-tags"),
	}
}

// shellQuote quotes an argument for a POSIX shell when it needs it, so that
// printed commands can be pasted as they are.
func shellQuote(a string) string {
	if a != "" && strings.IndexFunc(a, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_=,.:/+@%", r))
	}) < 0 {
		return a
	}
	return "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
}
