package costexplorer

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/profile"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store"
)

// Store is what the Cost Explorer operations need from storage.
type Store interface {
	store.CostStore
	// AccountNames maps usage account ids to their names where known.
	AccountNames(ctx context.Context) (map[string]string, error)
	TagStore
}

// Config wires a Service.
type Config struct {
	Store   Store
	Profile profile.Profile
	Now     func() time.Time
	Tokens  query.Tokens
	// PageSize is the number of groups in one GetCostAndUsage page; 0 means
	// DefaultPageSize.
	PageSize int
	// Backfills runs StartCostAllocationTagBackfill's jobs.
	Backfills Backfiller
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
	cfg   Config
	pages resultCache
}

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = DefaultPageSize
	}
	return &Service{cfg: cfg}
}

// validation is the ValidationException Cost Explorer answers for rule
// violations (it is not in the model but is what AWS sends).
func validation(format string, args ...any) *awsjson.Error {
	return &awsjson.Error{Type: "ValidationException", Status: 400, Message: fmt.Sprintf(format, args...)}
}

// mapError translates errors of lower layers into modelled exceptions.
func mapError(err error) error {
	var ve *query.ValidationError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ve):
		return validation("%s", ve.Msg)
	case errors.Is(err, query.ErrBadToken):
		return NewInvalidNextTokenException("the page token is invalid")
	case errors.Is(err, query.ErrRequestChanged):
		return NewRequestChangedException("the request parameters changed between pages: send the same request with the NextPageToken")
	}
	return err
}

// scope returns what the caller may see.
func scope(ctx context.Context) query.Scope {
	a, ok := auth.Caller(ctx)
	if !ok || a.All {
		return query.Scope{}
	}
	return query.Scope{Account: a.AccountID}
}

// caller names the caller for request digests, so a token cannot be moved
// between accounts.
func caller(ctx context.Context) string {
	a, _ := auth.Caller(ctx)
	return a.AccessKeyID + "/" + a.AccountID
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
	return NewResourceNotFoundException(fmt.Sprintf("billing view %s does not exist: Tally serves the primary view only, %s", *arn, own))
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
