package app

import (
	"context"
	"regexp"
	"strings"
	"sync"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store"
	"github.com/tallyhq/tally/internal/web"
)

// periodLister is the part of the store the identity and the UI read.
type periodLister interface {
	Periods(ctx context.Context) ([]store.PeriodStatus, error)
	Version() int64
}

var accountIDPattern = regexp.MustCompile(`^\d{12}$`)

// sourcePayer returns the payer account of a source name
// ("cur:123456789012"), or "" when its last part is no AWS account id.
func sourcePayer(source string) string {
	id := source[strings.LastIndexByte(source, ':')+1:]
	if !accountIDPattern.MatchString(id) {
		return ""
	}
	return id
}

// TestAccount returns the account the test key acts as (DESIGN.md §3):
// chosen when given, else the payer of the data ingested first, looked up
// again whenever the store changes; "" before any data (auth.TestAccountID).
func (a *App) TestAccount(chosen string) func() string { return testAccount(a.Costs, chosen) }

func testAccount(st periodLister, chosen string) func() string {
	if chosen != "" {
		return func() string { return chosen }
	}
	var (
		mu      sync.Mutex
		version int64 = -1
		payer   string
	)
	return func() string {
		v := st.Version()
		mu.Lock()
		defer mu.Unlock()
		if v == version {
			return payer
		}
		periods, err := st.Periods(context.Background())
		if err != nil {
			return payer // keep the last answer; the next request tries again
		}
		var first *store.PeriodStatus
		for i, p := range periods {
			if sourcePayer(p.Period.Source) != "" && (first == nil || p.IngestedAt.Before(first.IngestedAt)) {
				first = &periods[i]
			}
		}
		payer, version = "", v
		if first != nil {
			payer = sourcePayer(first.Period.Source)
		}
		return payer
	}
}

// webPeriods lists the store's periods for the UI's Data page.
func webPeriods(st periodLister) func(ctx context.Context) ([]web.Period, error) {
	return func(ctx context.Context) ([]web.Period, error) {
		ps, err := st.Periods(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]web.Period, len(ps))
		for i, p := range ps {
			out[i] = web.Period{Period: p.Period, Format: p.Format, Final: p.Final, InvoiceID: p.InvoiceID, Rows: p.Rows,
				Files: p.Files, IngestedAt: p.IngestedAt, Currency: p.Currency}
		}
		return out, nil
	}
}

// payerValues is the part of the store payersOf reads.
type payerValues interface {
	periodLister
	DimensionValues(ctx context.Context, q *query.DimensionValues) ([]query.DimensionValue, error)
}

// payersOf returns the payers whose stored data holds lines an account may
// see, as their payer or as a linked account.
func payersOf(st payerValues) func(ctx context.Context, account string) ([]string, error) {
	return func(ctx context.Context, account string) ([]string, error) {
		ps, err := st.Periods(ctx)
		if err != nil || len(ps) == 0 {
			return nil, err
		}
		span := billing.Period{Start: ps[0].Period.Month, End: ps[0].Period.Month}
		for _, p := range ps {
			if p.Period.Month.Before(span.Start) {
				span.Start = p.Period.Month
			}
			if p.Period.Month.After(span.End) {
				span.End = p.Period.Month
			}
		}
		span.End = span.End.AddDate(0, 1, 0)
		vals, err := st.DimensionValues(ctx, &query.DimensionValues{Period: span, Dimension: billing.DimPayerAccount,
			Scope: query.Scope{Account: account}})
		if err != nil {
			return nil, err
		}
		out := make([]string, len(vals))
		for i, v := range vals {
			out[i] = v.Value
		}
		return out, nil
	}
}
