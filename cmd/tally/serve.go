package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/tallyhq/tally/internal/app"
	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/profile"
	"github.com/tallyhq/tally/internal/server"
	"github.com/tallyhq/tally/internal/store"
)

// serveConfig is what `tally serve` runs with.
type serveConfig struct {
	addr, data, credentials, profile string
	accounts                         string // names of accounts for legacy CUR
	testAccount                      string
	meta                             string // PostgreSQL for the metadata
	store                            string // ClickHouse for the cost data
	verbose                          bool
	noResultCache                    bool
	dbThreads                        int
	alerts                           alertConfig
	watch                            watchConfig
	actions                          actionsConfig
}

func (c *serveConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.addr, "addr", "127.0.0.1:4599", "listen address")
	fs.StringVar(&c.data, "data", "./tally-data", "data directory")
	fs.StringVar(&c.credentials, "credentials", "", "CSV file of access keys: access_key_id,secret_access_key,account_id (default: test/test on loopback only)")
	fs.StringVar(&c.testAccount, "test-account", "", "without --credentials, the account id the test key acts as (default: the payer of the data ingested first)")
	fs.StringVar(&c.profile, "profile", "aws", "limits to enforce: aws (AWS's history windows and limits) or unlimited")
	fs.BoolVar(&c.verbose, "v", false, "log every request")
	fs.BoolVar(&c.noResultCache, "no-result-cache", false, "compute every answer, never reusing a cached one (the pages after a first page still come from the answer it computed; benchmarks)")
	fs.IntVar(&c.dbThreads, "db-threads", 0, "DuckDB worker threads (default: one per CPU)")
	fs.StringVar(&c.accounts, "accounts", "", accountsUsage)
	fs.StringVar(&c.meta, "meta", "", metaUsage)
	fs.StringVar(&c.store, "store", "", storeUsage)
	c.alerts.register(fs)
	c.watch.register(fs)
	c.actions.register(fs)
}

// serveHooks lets tests and `tally demo` observe the running server.
type serveHooks struct {
	// now replaces the clock.
	now func() time.Time
	// ready is called with the base URL once the server answers.
	ready func(baseURL string, a *app.App)
	// pageSize overrides the number of groups in a GetCostAndUsage page.
	pageSize int
	// backfillGate, when set, holds every tag backfill job until it returns.
	backfillGate func(context.Context, store.Backfill) error
	// strictErrors, when set, is told of every exception an operation's
	// model does not list (awsjson.WithStrictErrors).
	strictErrors func(error)
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
	if err := checkTestAccount(cfg); err != nil {
		return err
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
	executor, err := cfg.actions.executor(ctx)
	if err != nil {
		return err
	}
	watched, err := cfg.watch.sources(ctx, cfg.data)
	if err != nil {
		return err
	}
	var names map[string]string
	if cfg.accounts != "" {
		if names, err = ingest.ReadAccountNames(cfg.accounts); err != nil {
			return err
		}
	}
	a, err := app.Open(ctx, app.Config{Data: cfg.data, Profile: prof, Now: now, Logger: logger, PageSize: hooks.pageSize, NoResultCache: cfg.noResultCache, DBThreads: cfg.dbThreads, AccountNames: names,
		Webhooks: cfg.alerts.webhooks.urls, Actions: executor, Meta: cfg.meta, Store: cfg.store})
	if err != nil {
		return err
	}
	defer a.Close()
	if keys.Test {
		keys = auth.TestKeysActingAs(a.TestAccount(cfg.testAccount))
	}
	if err := a.Start(ctx, app.Jobs{Senders: senders, BudgetsInterval: cfg.alerts.interval, BackfillGate: hooks.backfillGate}); err != nil {
		return err
	}
	watching, stopWatching := context.WithCancel(ctx)
	var status *watchStatus
	if len(watched) > 0 {
		status = newWatchStatus(watched, now())
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		cfg.watch.watch(watching, watched, watchSink{ingest: a.Ingest, record: a.Ingests.Record, now: now}, status, logger)
	})
	defer wg.Wait() // before the store closes
	defer stopWatching()
	token := randomHex(16)
	site := app.Site{Keys: keys, IngestToken: token, Version: version, StrictErrors: hooks.strictErrors}
	if status != nil {
		site.Watches = status.list
	}
	srv, err := a.Handler(site)
	if err != nil {
		return err
	}
	httpSrv := server.NewHTTPServer(srv)
	httpSrv.RegisterOnShutdown(srv.CloseStreams) // MCP event streams stay open until closed
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()

	baseURL := "http://" + ln.Addr().String()
	if err := writeServerFile(cfg.data, serverFile{URL: baseURL, Token: token, PID: os.Getpid()}); err != nil {
		// A full disk must not keep the server from answering what it holds.
		logger.Warn("cannot write the server file: `tally ingest` will not find this server", "err", err)
	}
	defer os.Remove(filepath.Join(cfg.data, serverFileName))
	srv.SetReady()
	periods, err := a.Costs.Periods(ctx)
	if err != nil {
		return err
	}
	printBanner(stdout, baseURL, keys, prof, cfg.data, periods, now())
	cfg.alerts.printBanner(stdout)
	cfg.actions.printBanner(stdout)
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
	fmt.Fprintf(w, "MCP (AI agents): %s/mcp, streamable HTTP; also STS GetCallerIdentity on the same port\n", baseURL)
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
