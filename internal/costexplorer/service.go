package costexplorer

import (
	"context"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/pager"
	"github.com/tallyhq/tally/internal/profile"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store"
)

// Store is what the Cost Explorer operations need from storage.
type Store interface {
	store.CostStore
	// GetApproximateUsageRecords counts records.
	store.UsageRecordCounter
	// AccountNames maps usage account ids to their names where known.
	AccountNames(ctx context.Context) (map[string]string, error)
	// The cost allocation tag operations keep tag statuses and list
	// backfill requests; the queries of CostStore honour the statuses.
	store.TagStore
	store.BackfillStore
	// The cost category operations keep definitions by month and the
	// tags of cost categories.
	store.CostCategoryStore
	// The anomaly monitor and subscription operations keep their objects,
	// detection keeps the anomalies it finds and the feedback on them.
	store.AnomalyStore
	store.CommitmentStore
	store.DetectedStore
}

// Config wires a Service.
type Config struct {
	Store   Store
	Profile profile.Profile
	Now     func() time.Time
	// TokenKey signs page tokens; keep it stable across restarts.
	TokenKey []byte
	// PageSize is the number of groups in one GetCostAndUsage page; 0 means
	// DefaultPageSize.
	PageSize int
	// Backfills runs StartCostAllocationTagBackfill's jobs.
	Backfills Backfiller
	// NoResultCache makes every read compute its answer instead of reusing
	// a cached one (for benchmarks): no answer is taken from the answer
	// cache, except the pages after the first of a paged answer, which still
	// come from the answer the first page computed.
	NoResultCache bool
	// CacheBytes bounds the answer cache (cache.go); 0 means
	// DefaultCacheBytes.
	CacheBytes int64
	// Outbox receives anomaly alerts; nil sends none.
	Outbox store.Outbox
	// Alerted, when set, is called after alerts were queued.
	Alerted func()
}

// DefaultPageSize is how many groups one GetCostAndUsage response carries
// before it returns a NextPageToken; GetDimensionValues and GetTags return at
// most DefaultValuesPageSize values a page.
const (
	DefaultPageSize       = 5000
	DefaultValuesPageSize = 1000
)

// Service implements the Cost Explorer operations Tally supports; the others
// answer that they are not implemented yet.
type Service struct {
	Unimplemented
	cfg Config
	// cache keeps answers by store version (cache.go, hot.go).
	cache   answerCache
	spRecos spRecommendations
	// detectMu runs one anomaly detection at a time.
	detectMu sync.Mutex
}

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = DefaultPageSize
	}
	if cfg.CacheBytes <= 0 {
		cfg.CacheBytes = DefaultCacheBytes
	}
	s := &Service{cfg: cfg}
	s.cache.max = cfg.CacheBytes
	return s
}

// scope returns what the caller may see.
func scope(ctx context.Context) query.Scope {
	a, ok := auth.Caller(ctx)
	if !ok || a.All {
		return query.Scope{}
	}
	return query.Scope{Account: a.AccountID}
}

// pages pages a request of operation op from positions of type P. Its
// tokens are bound to the caller too, so that a token cannot move between
// accounts; they do not expire.
func pages[P any](ctx context.Context, s *Service, op string, in pager.Request) pager.Pager[P] {
	a, _ := auth.Caller(ctx)
	return pager.New[P](pager.Tokens{Key: s.cfg.TokenKey}, s.cfg.Now(), op, in, a.AccessKeyID+"/"+a.AccountID)
}

// primaryView matches the ARN of an account's primary billing view, the
// only view Tally serves (as Budgets does: its BillingViewArn must be the
// primary view of the budget's account).
var primaryView = regexp.MustCompile(`^arn:aws:billing::(\d{12}):billingview/primary$`)

// checkBillingView accepts no view or the caller's primary view; the test
// identity, which stands for every account, may name any account's primary
// view. Other views do not exist here.
func checkBillingView(ctx context.Context, arn *string) error {
	if arn == nil || *arn == "" {
		return nil
	}
	a, _ := auth.Caller(ctx)
	if m := primaryView.FindStringSubmatch(*arn); m != nil && (a.All || m[1] == a.AccountID) {
		return nil
	}
	own := "arn:aws:billing::" + a.AccountID + ":billingview/primary"
	return fail(errNotFound, fmt.Sprintf("billing view %s does not exist: Tally serves the primary view only, %s", *arn, own))
}

// currency is the currency to report for buckets without data.
func (s *Service) currency(periods []store.PeriodStatus) string {
	for i := len(periods) - 1; i >= 0; i-- {
		if periods[i].Currency != "" {
			return periods[i].Currency
		}
	}
	return "USD"
}

// estimator reports whether a bucket touches a billing month that is not
// final: a stored month that billing.Final does not take as final, or any
// month from the current one on.
func (s *Service) estimator(periods []store.PeriodStatus) func(billing.Period) bool {
	open := map[time.Time]bool{}
	now := s.cfg.Now()
	for _, p := range periods {
		if !billing.Final(p.Period.Month, p.Final, p.IngestedAt, now) {
			open[p.Period.Month] = true
		}
	}
	current := billing.MonthStart(now)
	return func(b billing.Period) bool {
		if b.End.After(current) {
			return true
		}
		for m := billing.MonthStart(b.Start); m.Before(b.End); m = m.AddDate(0, 1, 0) {
			if open[m] {
				return true
			}
		}
		return false
	}
}
