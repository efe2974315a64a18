package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/backfill"
	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/budgets"
	"github.com/tallyhq/tally/internal/costexplorer"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/profile"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/server"
	"github.com/tallyhq/tally/internal/store"
	"github.com/tallyhq/tally/internal/store/duckdb"
	"github.com/tallyhq/tally/internal/web"
)

// serveConfig is what `tally serve` runs with.
type serveConfig struct {
	addr, data, credentials, profile string
	verbose                          bool
	alerts                           alertConfig
}

func (c *serveConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.addr, "addr", "127.0.0.1:4599", "listen address")
	fs.StringVar(&c.data, "data", "./tally-data", "data directory")
	fs.StringVar(&c.credentials, "credentials", "", "CSV file of access keys: access_key_id,secret_access_key,account_id (default: test/test on loopback only)")
	fs.StringVar(&c.profile, "profile", "aws", "limits to enforce: aws (AWS's history windows and limits) or unlimited")
	fs.BoolVar(&c.verbose, "v", false, "log every request")
	c.alerts.register(fs)
}

// serveHooks lets tests and `tally demo` observe the running server.
type serveHooks struct {
	// now replaces the clock.
	now func() time.Time
	// ready is called with the base URL once the server answers.
	ready func(baseURL string, app *app)
	// pageSize overrides the number of groups in a GetCostAndUsage page.
	pageSize int
	// backfillGate, when set, holds every tag backfill job until it returns.
	backfillGate func(context.Context, backfill.Request) error
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer, hooks *serveHooks) error {
	var cfg serveConfig
	fs := newFlagSet("serve", stderr)
	cfg.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve takes no arguments, got %q", fs.Args())
	}
	return serve(ctx, cfg, stdout, stderr, hooks)
}

// app is a running Tally: the store and the services over it.
type app struct {
	store     *duckdb.DB
	ce        *costexplorer.Service
	backfills *backfill.Runner
	budgets   *budgets.Service
	alerts    *notify.Dispatcher // delivers budget alerts; only `serve` has one
	log       *slog.Logger
	now       func() time.Time
	// ingests remembers recent ingest outcomes for the web UI's Data page.
	ingests *web.IngestLog
}

// wakeAlerts tells the alert dispatcher, when one runs, that alerts were
// queued.
func (a *app) wakeAlerts() {
	if a.alerts != nil {
		a.alerts.Kick()
	}
}

// ingest loads paths through the normal ingest path, then evaluates the
// budgets against the new data.
func (a *app) ingest(ctx context.Context, paths []string) (*ingest.Report, error) {
	rep, err := a.load(ctx, paths)
	a.ingests.Record(a.now(), paths, rep, err)
	return rep, err
}

func (a *app) load(ctx context.Context, paths []string) (*ingest.Report, error) {
	w, err := a.store.NewWriter(ctx)
	if err != nil {
		return nil, err
	}
	report, err := ingest.Load(ctx, paths, w, ingest.Options{})
	if err == nil {
		if err := a.budgets.Evaluate(ctx); err != nil {
			a.log.Error("budgets: evaluation after ingest failed", "err", err)
		}
	}
	return report, err
}

func serve(ctx context.Context, cfg serveConfig, stdout, stderr io.Writer, hooks *serveHooks) error {
	if hooks == nil {
		hooks = &serveHooks{}
	}
	now := hooks.now
	if now == nil {
		now = time.Now
	}
	level := slog.LevelInfo
	if cfg.verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	prof, err := profile.Named(cfg.profile)
	if err != nil {
		return usageError{err.Error()}
	}
	keys := auth.TestKeys()
	if cfg.credentials != "" {
		if keys, err = auth.LoadFile(cfg.credentials); err != nil {
			return err
		}
	}
	ln, err := listen(cfg.addr, keys.Test)
	if err != nil {
		return err
	}
	defer ln.Close()

	senders, err := cfg.alerts.senders()
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg.data, prof, now, logger, hooks.pageSize)
	if err != nil {
		return err
	}
	defer a.store.Close()
	if hooks.backfillGate != nil {
		a.backfills.Gate(hooks.backfillGate)
	}
	if err := a.backfills.Start(ctx); err != nil {
		return err
	}
	defer a.backfills.Stop()
	a.alerts = notify.NewDispatcher(notify.DispatcherConfig{Outbox: a.store.Outbox(), Senders: senders, Now: now, Logger: logger})
	background, stopBackground := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { a.budgets.Run(background, cfg.alerts.interval) })
	wg.Go(func() { a.alerts.Run(background) })
	defer wg.Wait() // before the store closes
	defer stopBackground()
	router, err := awsjson.NewRouter([]awsjson.Service{
		costexplorer.ServiceDef(a.ce),
		budgets.ServiceDef(a.budgets),
	}, awsjson.WithLogger(logger))
	if err != nil {
		return err
	}
	token := randomHex(16)
	srv := server.New(server.Config{
		Logger: logger, Keys: keys, API: router, IngestToken: token,
		Ingest: func(ctx context.Context, paths []string) (any, error) { return a.ingest(ctx, paths) },
		Web: web.Handler(web.Config{Keys: keys, Now: now, Periods: a.store.Periods, Ingests: a.ingests,
			Version: version, Profile: prof.Name, Logger: logger}),
		Health: a.store.Health,
	})
	httpSrv := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()

	baseURL := "http://" + ln.Addr().String()
	if err := writeServerFile(cfg.data, serverFile{URL: baseURL, Token: token, PID: os.Getpid()}); err != nil {
		// A full disk must not keep the server from answering what it holds.
		logger.Warn("cannot write the server file: `tally ingest` will not find this server", "err", err)
	}
	defer os.Remove(filepath.Join(cfg.data, serverFileName))
	srv.SetReady()
	periods, err := a.store.Periods(ctx)
	if err != nil {
		return err
	}
	printBanner(stdout, baseURL, keys, prof, cfg.data, periods, now())
	cfg.alerts.printBanner(stdout)
	if hooks.ready != nil {
		hooks.ready(baseURL, a)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return httpSrv.Shutdown(shutdownCtx)
}

// openApp opens the store in dir and builds the services over it.
func openApp(ctx context.Context, dir string, prof profile.Profile, now func() time.Time, logger *slog.Logger, pageSize int) (*app, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	// DuckDB's buffer memory is capped so that ingesting a file of any size
	// stays within a bounded footprint; DuckDB spills to disk beyond it.
	db, err := duckdb.Open(ctx, filepath.Join(dir, "tally.duckdb"), duckdb.Options{
		Threads: runtime.NumCPU(), MemoryLimit: "1GB", Now: now, Logger: logger})
	if err != nil {
		return nil, err
	}
	key, err := pageTokenKey(dir)
	if err != nil {
		db.Close()
		return nil, err
	}
	backfills := backfill.New(backfill.Config{Store: db, Now: now, Every: prof.BackfillEvery, Logger: logger})
	ce := costexplorer.New(costexplorer.Config{Store: db, Profile: prof, Now: now, Tokens: query.Tokens{Key: key}, PageSize: pageSize,
		Backfills: backfills})
	a := &app{store: db, ce: ce, backfills: backfills, log: logger, now: now, ingests: web.NewIngestLog(0)}
	a.budgets = budgets.New(budgets.Config{Store: db, Costs: db, Profile: prof, Now: now, Logger: logger, TokenKey: key,
		Alerted: a.wakeAlerts})
	return a, nil
}

// listen opens the listening socket; the built-in test keys are only served
// on loopback, since anyone can sign with test/test.
func listen(addr string, testKeys bool) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, usagef("--addr %q: %v", addr, err)
	}
	if testKeys {
		ip := net.ParseIP(host)
		if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return nil, usagef("without --credentials tally accepts the test/test key and listens on loopback only; --addr %s is not a loopback address", addr)
		}
	}
	return net.Listen("tcp", addr)
}

func printBanner(w io.Writer, baseURL string, keys *auth.Keys, prof profile.Profile, data string, periods []store.PeriodStatus, now time.Time) {
	fmt.Fprintf(w, "tally %s serving Cost Explorer and Budgets on %s (profile %s)\n", version, baseURL, prof.Name)
	fmt.Fprintf(w, "web UI: open %s/ in a browser\n", baseURL)
	if keys.Test {
		fmt.Fprintln(w, "no --credentials given: accepting access key \"test\" with secret \"test\" as a management account that sees everything")
	}
	if len(periods) == 0 {
		fmt.Fprintf(w, "no billing data yet: load some with `tally ingest --data %s PATH...`\n", data)
		return
	}
	// The example asks for the last three stored months.
	last := periods[len(periods)-1].Period.Month
	start := last.AddDate(0, -2, 0)
	// The test key is only shown when it works: with --credentials it does not.
	env, with := "AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 ", ""
	if !keys.Test {
		env, with = "", " (signed with a key of --credentials)"
	}
	fmt.Fprintf(w, "try%s:\n  %saws ce get-cost-and-usage --endpoint-url %s --time-period Start=%s,End=%s --granularity MONTHLY --metrics UnblendedCost --group-by Type=DIMENSION,Key=SERVICE\n",
		with, env, baseURL, start.Format(time.DateOnly), last.AddDate(0, 1, 0).Format(time.DateOnly))
	if prof.HistoryMonths > 0 && start.Before(billing.MonthStart(now).AddDate(0, -prof.HistoryMonths, 0)) {
		fmt.Fprintln(w, "(that data is older than AWS's history window: start tally with --profile unlimited to query it)")
	}
}

// pageTokenKey returns the key that signs page tokens, created once per data
// directory so tokens survive a restart.
func pageTokenKey(dir string) ([]byte, error) {
	path := filepath.Join(dir, "page-token.key")
	b, err := os.ReadFile(path)
	if err == nil && len(b) >= 32 {
		return b, nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	b = make([]byte, 32)
	rand.Read(b)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return nil, fmt.Errorf("page token key: %w", err)
	}
	return b, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

const serverFileName = "server.json"

// serverFile tells `tally ingest` where the server of a data directory
// listens and how to authorise the hand-off.
type serverFile struct {
	URL   string `json:"url"`
	Token string `json:"token"`
	PID   int    `json:"pid"`
}

func writeServerFile(dir string, f serverFile) error {
	b, _ := json.Marshal(f)
	tmp := filepath.Join(dir, serverFileName+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, serverFileName))
}

func readServerFile(dir string) (serverFile, bool) {
	var f serverFile
	b, err := os.ReadFile(filepath.Join(dir, serverFileName))
	if err != nil || json.Unmarshal(b, &f) != nil || f.URL == "" {
		return f, false
	}
	return f, true
}
