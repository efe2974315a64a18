package budgets

import (
	"context"
	"math/big"
	"time"

	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/pager"
)

// historyStart is where AWS's performance history begins for a budget whose
// current period starts at cur: the last 60 days of a DAILY budget, the
// current month and the last 12 of a MONTHLY one, the current quarter and
// the last four of a QUARTERLY one.
func historyStart(unit TimeUnit, cur time.Time) time.Time {
	if unit == TimeUnitDaily {
		return cur.AddDate(0, 0, -59)
	}
	return cur.AddDate(0, -12, 0)
}

// DescribeBudgetPerformanceHistory implements the AWS Budgets operation of
// that name: for each period of a DAILY, MONTHLY or QUARTERLY budget up to
// the current one, the limit that applied then and the spend computed from
// the data under the budget's present filters, oldest first. The aws
// profile keeps AWS's retention (see historyStart); the unlimited profile
// reaches back to the budget's start. TimePeriod narrows the periods to
// those that overlap it.
func (s *Service) DescribeBudgetPerformanceHistory(ctx context.Context, in *DescribeBudgetPerformanceHistoryRequest) (*DescribeBudgetPerformanceHistoryResponse, error) {
	account, name := deref(in.AccountId), deref(in.BudgetName)
	r, err := s.budgetOf(ctx, account, name)
	if err != nil {
		return nil, err
	}
	if r.TimeUnit != TimeUnitDaily && r.TimeUnit != TimeUnitMonthly && r.TimeUnit != TimeUnitQuarterly {
		return nil, invalidf("performance history is available for DAILY, MONTHLY and QUARTERLY budgets, not %s ones", r.TimeUnit)
	}
	now := s.now()
	cur := r.periodAt(now)
	from, to := r.Start, cur.End
	if s.cfg.Profile.HistoryMonths > 0 {
		if h := historyStart(r.TimeUnit, unitStart(r.TimeUnit, cur.Start)); h.After(from) {
			from = h
		}
	}
	if tp := in.TimePeriod; tp != nil {
		if tp.Start != nil && tp.Start.Time().After(from) {
			from = tp.Start.Time()
		}
		if tp.End != nil && tp.End.Time().Before(to) {
			to = tp.End.Time()
		}
	}
	var periods []billing.Period
	if from.Before(to) {
		periods = r.periods(from, to)
	}
	var spends []*big.Int
	if r.tracksSpend() {
		if spends, err = s.spendByPeriod(ctx, r, periods); err != nil {
			return nil, err
		}
	}
	idx := make([]int, len(periods))
	for i := range idx {
		idx[i] = i
	}
	key := func(i int) string { return fmtTime(periods[i].Start) }
	page, next, err := pager.After(pages[string](s, "DescribeBudgetPerformanceHistory", in), idx, key, maxResults(in.MaxResults, 100))
	if err != nil {
		return nil, err
	}
	h := &BudgetPerformanceHistory{BudgetName: ptr(r.Name), BudgetType: ptr(r.Type), CostFilters: r.CostFilters,
		CostTypes: r.CostTypes, TimeUnit: ptr(r.TimeUnit), FilterExpression: r.Filter, Metrics: r.Metrics,
		BudgetedAndActualAmountsList: []BudgetedAndActualAmounts{}}
	if r.BillingView != "" {
		h.BillingViewArn = ptr(r.BillingView)
	}
	for _, i := range page {
		pp := periods[i]
		a := BudgetedAndActualAmounts{TimePeriod: &TimePeriod{Start: awsjson.NewEpochTime(pp.Start), End: awsjson.NewEpochTime(pp.End)}}
		l, ok := r.limitFor(pp.Start)
		if ok {
			a.BudgetedAmount = &Spend{Amount: ptr(l.Amount), Unit: ptr(l.Unit)}
		}
		if spends != nil {
			a.ActualAmount = &Spend{Amount: ptr(formatScaled(spends[i])), Unit: ptr(r.unit(pp, nil))}
		}
		h.BudgetedAndActualAmountsList = append(h.BudgetedAndActualAmountsList, a)
	}
	return &DescribeBudgetPerformanceHistoryResponse{BudgetPerformanceHistory: h, NextToken: next}, nil
}

func fmtTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
