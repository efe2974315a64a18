package budgets

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/profile"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store"
)

// Costs answers the aggregate questions a budget's spend needs; a
// store.CostStore is one.
type Costs interface {
	Aggregate(ctx context.Context, q *query.Aggregate) ([]query.Row, error)
}

// Config wires a Service.
type Config struct {
	// Store keeps the budgets; the Service serialises its writes.
	Store store.BudgetStore
	Costs Costs
	// Forecaster projects spend to the end of a period; nil means the
	// forecasting model, with RunRate where the model has too little
	// history.
	Forecaster Forecaster
	// Profile decides whether AWS's retention of performance history
	// applies (profile aws) or not (unlimited).
	Profile profile.Profile
	Now     func() time.Time
	Logger  *slog.Logger
	// TokenKey signs NextTokens; keep it stable across restarts.
	TokenKey []byte
	// Webhooks are URLs that receive every alert (store.Webhook messages),
	// besides the subscribers.
	Webhooks []string
	// Alerted is called after alert messages were queued, to wake their
	// dispatcher; it must not block.
	Alerted func()
	// Executor carries out budget actions in AWS; nil runs them in dry
	// run, recorded as such.
	Executor Executor
	// ActionLease is how long this process holds an action run it makes
	// the calls of, between renewals, when the Store is shared
	// (store.ActionRuns); a process that dies mid-run is replaced once it
	// has run out. 0 means DefaultActionLease.
	ActionLease time.Duration
	// Node names this process in those leases; "" draws a random name.
	Node string
	// Categories returns the cost categories defined through Cost
	// Explorer (CreateCostCategoryDefinition) that a budget of account
	// reads; all is set for budgets of the built-in test identity, which
	// reads every payer's. Nil reads only categories in the billing data.
	Categories func(ctx context.Context, account string, all bool) (query.Categories, error)
}

// Service implements the Budgets operations. Budget actions run through
// Config.Executor, or in dry run without one (see run.go).
type Service struct {
	Unimplemented
	cfg Config
	// mu serialises every change of stored budgets: API writes and
	// evaluations read a budget, change it and write it back whole. Take
	// it with lock, which also takes a shared store's lock.
	mu sync.Mutex
	// runMu guards running, the actions whose runs this process is making
	// (see run.go).
	runMu   sync.Mutex
	running map[string]bool
	// owner names this Service in the leases of action runs.
	owner string
}

// lock takes mu and, when the store is shared by several processes
// (store.BudgetLocker), the store's lock, so that no process writes back a
// budget another changed meanwhile.
func (s *Service) lock(ctx context.Context) (unlock func(), err error) {
	s.mu.Lock()
	l, ok := s.cfg.Store.(store.BudgetLocker)
	if !ok {
		return s.mu.Unlock, nil
	}
	release, err := l.LockBudgets(ctx)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	return func() { release(); s.mu.Unlock() }, nil
}

var _ API = (*Service)(nil)

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Forecaster == nil {
		cfg.Forecaster = Model{Costs: cfg.Costs, Fallback: RunRate{Costs: cfg.Costs}}
	}
	if cfg.Alerted == nil {
		cfg.Alerted = func() {}
	}
	if cfg.ActionLease <= 0 {
		cfg.ActionLease = DefaultActionLease
	}
	owner := cfg.Node
	if owner == "" {
		owner = rand.Text()
	}
	return &Service{cfg: cfg, running: map[string]bool{}, owner: owner}
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// caller checks that the caller may act for account, and returns the scope
// of the data the caller's budgets see: every account's for the built-in
// test identity, the account's own otherwise.
func caller(ctx context.Context, account string) (scope string, err error) {
	a, ok := auth.Caller(ctx)
	if !ok {
		return "", fail(errDenied, "the request carries no identity")
	}
	if err := checkAccount(a, account); err != nil {
		return "", err
	}
	if a.All {
		return "", nil
	}
	return account, nil
}

// checkAccount refuses an AccountId that is not the caller's own, as AWS
// does. The test identity too acts for one account, the payer of the data
// (DESIGN.md §3), though it sees every account's costs.
func checkAccount(a auth.Account, account string) error {
	if a.AccountID != account {
		return fail(errDenied, fmt.Sprintf("access key %s of account %s is not authorized to use the budgets of account %s",
			a.AccessKeyID, a.AccountID, account))
	}
	return nil
}

// load returns a budget, or NotFoundException when it does not exist or has
// passed its end date.
func (s *Service) load(ctx context.Context, account, name string) (*record, error) {
	doc, err := s.cfg.Store.BudgetDoc(ctx, account, name)
	if err != nil {
		return nil, err
	}
	if doc != nil {
		r, err := decodeRecord(doc)
		if err != nil {
			return nil, err
		}
		if !r.expired(s.now()) {
			return r, nil
		}
	}
	return nil, fail(errNotFound, fmt.Sprintf("Unable to get budget: %s - the budget doesn't exist.", name))
}

// budgetOf checks that the caller may act for account and loads a budget.
func (s *Service) budgetOf(ctx context.Context, account, name string) (*record, error) {
	if _, err := caller(ctx, account); err != nil {
		return nil, err
	}
	return s.load(ctx, account, name)
}

// list returns account's live budgets in name order.
func (s *Service) list(ctx context.Context, account string) ([]*record, error) {
	docs, err := s.cfg.Store.BudgetDocs(ctx, account)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]*record, 0, len(docs))
	for _, d := range docs {
		r, err := decodeRecord(d)
		if err != nil {
			return nil, err
		}
		if !r.expired(now) {
			out = append(out, r)
		}
	}
	return out, nil
}

// save stores r with the alerts it calls for and its actions' new events,
// and wakes the alerts' dispatcher. The caller holds the lock.
// The runs r's actions have in progress are claimed first (see run.go):
// the process that begins a run makes its calls, unless another holds it.
func (s *Service) save(ctx context.Context, r *record, msgs []store.Message) error {
	for _, a := range r.Actions {
		if a.Run != nil {
			s.leaseOf(store.ActionRun{Account: r.Account, Budget: r.Name, Action: a.ID, Run: a.Run.Seq}).claim(ctx)
		}
	}
	if err := s.cfg.Store.PutBudgetEvents(ctx, r.Account, r.Name, r.encode(), msgs, r.events()); err != nil {
		return err
	}
	if len(msgs) > 0 {
		s.cfg.Alerted()
	}
	return nil
}
