// Package app is Tally assembled: it opens the store of a data directory,
// builds the Cost Explorer and Budgets services and the HTTP server over
// them, ingests (evaluating the budgets and detecting cost anomalies after
// every ingest), runs the background jobs and closes it all in order. `tally serve`, `tally demo`,
// `tally ingest` and the end-to-end tests share it, so that they run the
// same application; cmd/tally only parses flags.
package app

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/backfill"
	"github.com/tallyhq/tally/internal/budgets"
	"github.com/tallyhq/tally/internal/costexplorer"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/mcp"
	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/profile"
	"github.com/tallyhq/tally/internal/server"
	"github.com/tallyhq/tally/internal/store"
	"github.com/tallyhq/tally/internal/store/duckdb"
	"github.com/tallyhq/tally/internal/store/postgres"
	"github.com/tallyhq/tally/internal/web"
)

// Config is what an App is opened with.
type Config struct {
	// Data is the data directory; it is created when missing.
	Data    string
	Profile profile.Profile
	// Now is the business clock; nil means time.Now.
	Now func() time.Time
	// Logger receives the application's log; nil discards it.
	Logger *slog.Logger
	// PageSize is the number of groups in a GetCostAndUsage page; 0 means
	// costexplorer.DefaultPageSize.
	PageSize int
	// NoResultCache is costexplorer.Config.NoResultCache (benchmarks).
	NoResultCache bool
	// DBThreads limits DuckDB's worker threads; 0 means one per CPU.
	DBThreads int
	// AccountNames names accounts that billing files leave unnamed (legacy
	// CUR); see ingest.ReadAccountNames.
	AccountNames map[string]string
	// Webhooks are URLs that receive every budget alert (see
	// budgets.Config.Webhooks); Jobs.Senders must deliver store.Webhook.
	Webhooks []string
	// Meta, when set, is the PostgreSQL database (a postgres:// URL) that
	// keeps the metadata (budgets, tag statuses, backfills, categories,
	// anomaly objects, the alert outbox, the page token key) instead of the
	// DuckDB file, so that several nodes share it (see package postgres).
	Meta string
	// Store, when set, is the cost store's address instead of the DuckDB
	// file in Data: clickhouse://HOST:PORT[,HOST:PORT…]/DB?cluster=NAME,
	// which needs Meta (see package clickhouse).
	Store string
	// Actions carries out budget actions in AWS; nil runs them in dry run
	// (budgets.Config.Executor).
	Actions budgets.Executor
}

// App is an open Tally: the store of a data directory and the services over
// it. Close it when done.
type App struct {
	// Store is the DuckDB file; nil when the cost data is in ClickHouse.
	Store *duckdb.DB
	// Costs is the cost data: Store, or the ClickHouse store of
	// Config.Store.
	Costs CostData
	// Meta is the PostgreSQL metadata store; nil without Config.Meta.
	Meta         *postgres.DB
	CostExplorer *costexplorer.Service
	Budgets      *budgets.Service
	Backfills    *backfill.Runner
	// Ingests remembers recent ingest outcomes for the web UI's Data page.
	Ingests *web.IngestLog

	cfg Config
	st  stores
	// alerts delivers budget alerts; only Start makes one, with senders.
	alerts  *notify.Dispatcher
	senders map[store.MessageKind]notify.Sender
	// stop ends the background jobs Start began; wg waits for them.
	stop func()
	wg   sync.WaitGroup
}

// Open opens the store in cfg.Data and builds the services over it.
func Open(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(cfg.Data, 0o755); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	db, costs, err := openCosts(ctx, cfg)
	if err != nil {
		return nil, err
	}
	a := &App{Store: db, Costs: costs, Ingests: web.NewIngestLog(0), cfg: cfg}
	st, err := a.openStores(ctx)
	if err != nil {
		costs.Close()
		return nil, err
	}
	a.st = st
	a.Backfills = backfill.New(backfill.Config{Store: st.ce, Now: cfg.Now, Every: cfg.Profile.BackfillEvery, Logger: cfg.Logger})
	a.CostExplorer = costexplorer.New(costexplorer.Config{Store: st.ce, Profile: cfg.Profile, Now: cfg.Now,
		TokenKey: st.key, PageSize: cfg.PageSize, NoResultCache: cfg.NoResultCache, Backfills: a.Backfills,
		Outbox: st.outbox, Alerted: a.wakeAlerts})
	a.Budgets = budgets.New(budgets.Config{Store: st.budgets, Costs: st.ce, Profile: cfg.Profile, Now: cfg.Now,
		Logger: cfg.Logger, TokenKey: st.key, Alerted: a.wakeAlerts, Webhooks: cfg.Webhooks, Executor: cfg.Actions,
		Categories: a.CostExplorer.QueryCategories})
	return a, nil
}

// Now reads the App's business clock.
func (a *App) Now() time.Time { return a.cfg.Now() }

// wakeAlerts tells the alert dispatcher, when one runs, that alerts were
// queued.
func (a *App) wakeAlerts() {
	if a.alerts != nil {
		a.alerts.Kick()
	}
}

// Ingest loads paths into the store, then evaluates the budgets against
// the new data, and records the outcome for the web UI.
func (a *App) Ingest(ctx context.Context, paths []string) (*ingest.Report, error) {
	rep, err := a.load(ctx, paths)
	a.Ingests.Record(a.cfg.Now(), paths, rep, err)
	return rep, err
}

func (a *App) load(ctx context.Context, paths []string) (*ingest.Report, error) {
	w, err := a.st.ce.NewWriter(ctx)
	if err != nil {
		return nil, err
	}
	report, err := ingest.Load(ctx, paths, w, ingest.Options{AccountNames: a.cfg.AccountNames})
	if err == nil {
		if err := a.Budgets.Evaluate(ctx); err != nil {
			a.cfg.Logger.Error("budgets: evaluation after ingest failed", "err", err)
		}
		if err := a.CostExplorer.DetectAnomalies(ctx); err != nil {
			a.cfg.Logger.Error("anomalies: detection after ingest failed", "err", err)
		}
	}
	return report, err
}

// Jobs configures the background jobs of a serving App.
type Jobs struct {
	// Senders deliver budget alerts of each kind.
	Senders map[store.MessageKind]notify.Sender
	// BudgetsInterval is how often budgets are evaluated and cost
	// anomalies detected besides after every ingest.
	BudgetsInterval time.Duration
	// BackfillGate, when set, holds every tag backfill job until it
	// returns (tests).
	BackfillGate func(context.Context, store.Backfill) error
}

// Start runs the background jobs: it resumes interrupted tag backfills,
// evaluates budgets every j.BudgetsInterval and delivers queued alerts,
// until Close. ctx only bounds starting them.
func (a *App) Start(ctx context.Context, j Jobs) error {
	if a.stop != nil {
		return errors.New("app: already started")
	}
	if j.BackfillGate != nil {
		a.Backfills.Gate(j.BackfillGate)
	}
	if err := a.Backfills.Start(ctx); err != nil {
		return err
	}
	a.senders = j.Senders
	a.alerts = notify.NewDispatcher(notify.DispatcherConfig{Outbox: a.st.outbox, Senders: j.Senders,
		Now: a.cfg.Now, Logger: a.cfg.Logger})
	background, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.stop = func() {
		cancel()
		a.Backfills.Stop()
	}
	a.wg.Go(func() { a.Budgets.Run(background, j.BudgetsInterval) })
	a.wg.Go(func() { a.detectAnomalies(background, j.BudgetsInterval) })
	a.wg.Go(func() { a.alerts.Run(background) })
	return nil
}

// detectAnomalies runs anomaly detection every interval (as budgets are
// evaluated) until ctx ends.
func (a *App) detectAnomalies(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := a.CostExplorer.DetectAnomalies(ctx); err != nil && ctx.Err() == nil {
			a.cfg.Logger.Error("anomalies: detection failed", "err", err)
		}
	}
}

// Site configures the HTTP server of an App.
type Site struct {
	Keys *auth.Keys
	// IngestToken authorises `tally ingest` to hand files to the server.
	IngestToken string
	// Version is shown in the web UI's footer.
	Version string
	// StrictErrors, when set, is told of every exception an operation's
	// model does not list (awsjson.WithStrictErrors); tests set it.
	StrictErrors func(error)
	// Watches is the state of `tally serve --watch` for the Data page; nil
	// when nothing is watched.
	Watches func() []web.WatchSource
}

// Handler builds the HTTP server: both services' APIs, the ingest
// hand-off and the web UI.
func (a *App) Handler(s Site) (*server.Server, error) {
	router, err := awsjson.NewRouter([]awsjson.Service{
		a.CostExplorer.ServiceDef(),
		budgets.ServiceDef(a.Budgets),
	}, a.routerOptions(s)...)
	if err != nil {
		return nil, err
	}
	return server.New(server.Config{
		Logger: a.cfg.Logger, Keys: s.Keys, API: router, IngestToken: s.IngestToken,
		Ingest: func(ctx context.Context, paths []string) (any, error) { return a.Ingest(ctx, paths) },
		MCP:    mcp.Handler(mcp.Config{CostExplorer: a.CostExplorer, Budgets: a.Budgets, Version: s.Version, Logger: a.cfg.Logger}, s.Keys),
		Web: web.Handler(web.Config{Keys: s.Keys, Now: a.cfg.Now, Periods: webPeriods(a.Costs), Payers: payersOf(a.Costs), Ingests: a.Ingests,
			SplitCharges: splitCharges(a.CostExplorer), SplitPreview: splitPreview(a.CostExplorer), TestAlert: a.testAlert, Watches: s.Watches, Version: s.Version, Profile: a.cfg.Profile.Name, Logger: a.cfg.Logger}),
		Health: a.health(),
	}), nil
}

func (a *App) routerOptions(s Site) []awsjson.Option {
	opts := []awsjson.Option{awsjson.WithLogger(a.cfg.Logger)}
	if s.StrictErrors != nil {
		opts = append(opts, awsjson.WithStrictErrors(s.StrictErrors))
	}
	return opts
}

// Close stops the background jobs, waits for them and closes the store.
func (a *App) Close() error {
	if a.stop != nil {
		a.stop()
		a.wg.Wait()
	}
	err := a.Costs.Close()
	if a.Meta != nil {
		a.Meta.Close()
	}
	return err
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

// splitCharges gives the UI the split charges of a cost category
// (costexplorer.Service.SplitCharges), its refusals as web.Refusal.
func splitCharges(ce *costexplorer.Service) func(ctx context.Context, arn, month, metric string) (any, error) {
	return func(ctx context.Context, arn, month, metric string) (any, error) {
		return splitAnswer(ce.SplitCharges(ctx, costexplorer.SplitChargesRequest{CostCategoryArn: arn, Month: month, Metric: metric}))
	}
}

// splitPreview is splitCharges with split charge rules not saved yet, given
// as the JSON array the API takes.
func splitPreview(ce *costexplorer.Service) func(ctx context.Context, arn, month, metric, rules string) (any, error) {
	return func(ctx context.Context, arn, month, metric, rules string) (any, error) {
		draft := []costexplorer.CostCategorySplitChargeRule{}
		if err := json.Unmarshal([]byte(rules), &draft); err != nil {
			return nil, &web.Refusal{Status: 400, Code: "ValidationException", Message: "rules must be a JSON array of split charge rules: " + err.Error()}
		}
		return splitAnswer(ce.SplitCharges(ctx, costexplorer.SplitChargesRequest{CostCategoryArn: arn, Month: month, Metric: metric, Rules: draft}))
	}
}

// splitAnswer turns SplitCharges' refusals into web.Refusal.
func splitAnswer(out *costexplorer.SplitChargesResult, err error) (any, error) {
	if err != nil {
		if status, code, ok := costexplorer.SplitChargesStatus(err); ok {
			return nil, &web.Refusal{Status: status, Code: code, Message: err.Error()}
		}
		return nil, err
	}
	return out, nil
}

// testAlert sends a test alert to the recipients of a budget action's
// alerts through the delivery of the running server, as `tally test-alert`
// does (web.Config.TestAlert).
func (a *App) testAlert(ctx context.Context, account, budget, actionID string) ([]web.TestAlertResult, error) {
	to, err := a.Budgets.TestAlertRecipients(ctx, account, budget, actionID)
	if err != nil {
		if status, code, ok := budgets.ErrorStatus(err); ok {
			return nil, &web.Refusal{Status: status, Code: code, Message: err.Error()}
		}
		return nil, err
	}
	if a.senders == nil {
		return nil, &web.Refusal{Status: 409, Code: "ConflictException", Message: "alert delivery has not started"}
	}
	out := make([]web.TestAlertResult, 0, len(to))
	for _, r := range notify.SendTest(ctx, a.senders, to, "the Tally web UI", a.cfg.Now()) {
		res := web.TestAlertResult{Kind: string(r.Kind), Address: r.Address}
		if r.Err != nil {
			res.Error = r.Err.Error()
		}
		out = append(out, res)
	}
	return out, nil
}
