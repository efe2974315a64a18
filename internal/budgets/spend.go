package budgets

import (
	"context"
	"math/big"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
)

// Forecaster projects a budget's spend to the end of its period. Tally's
// forecasting model (internal/forecast) plugs in here; until then the
// Service uses RunRate.
type Forecaster interface {
	// Forecast returns the projected total of in.Query's metric over
	// in.Query.Period, as of in.Now; ok is false when there is no forecast
	// to give (the period has not started, or there is too little data).
	Forecast(ctx context.Context, in ForecastInput) (total *big.Int, ok bool, err error)
}

// ForecastInput is what a budget asks a Forecaster.
type ForecastInput struct {
	// Query selects the budget's costs: one metric, its filter and scope,
	// and the whole current budget period.
	Query query.Aggregate
	// Now is the time of the forecast.
	Now time.Time
	// Actual is the spend of the period so far, in units of
	// 10^-billing.Scale.
	Actual *big.Int
}

// RunRate is the documented simple projection: the spend so far
// extrapolated linearly over the whole period,
//
//	forecast = actual × (period length) / (elapsed time),
//
// where the elapsed time runs from the period start to now or to the end of
// the last day with data, whichever is later, so that data loaded ahead of
// the clock counts as elapsed. Once the period is over the forecast is the
// actual spend; before it starts there is none. One-off charges early in a
// period (monthly RI fees on the 1st) inflate it; a real model does better.
type RunRate struct {
	Costs Costs
}

var _ Forecaster = RunRate{}

// Forecast implements Forecaster.
func (f RunRate) Forecast(ctx context.Context, in ForecastInput) (*big.Int, bool, error) {
	p := in.Query.Period
	if !in.Now.After(p.Start) {
		return nil, false, nil
	}
	if !in.Now.Before(p.End) {
		return in.Actual, true, nil
	}
	q := in.Query
	q.Granularity = query.Daily
	rows, err := f.Costs.Aggregate(ctx, &q)
	if err != nil {
		return nil, false, err
	}
	ref := in.Now
	for _, r := range rows {
		if end := billing.DayStart(r.Bucket).AddDate(0, 0, 1); end.After(ref) {
			ref = end
		}
	}
	if !ref.Before(p.End) {
		return in.Actual, true, nil
	}
	total := new(big.Int).Mul(in.Actual, big.NewInt(int64(p.End.Sub(p.Start)/time.Second)))
	return total.Quo(total, big.NewInt(max(1, int64(ref.Sub(p.Start)/time.Second)))), true, nil
}

// aggregate is the store question of the budget's spend over p.
func (r *record) aggregate(p billing.Period, g query.Granularity) (*query.Aggregate, error) {
	f, err := r.filter()
	if err != nil {
		return nil, err
	}
	return &query.Aggregate{Period: p, Granularity: g, Metrics: []billing.Metric{r.metric()}, Filter: f,
		Scope: query.Scope{Account: r.Scope}}, nil
}

// unit is the unit spend is reported in: the limit's unit, else the unit
// of the data (the currency of a cost budget).
func (r *record) unit(p billing.Period, rows []query.Row) string {
	if l, ok := r.limitFor(p.Start); ok && l.Unit != "" {
		return l.Unit
	}
	for _, row := range rows {
		if u := row.Values[0].Unit; u != "" && u != "N/A" {
			return u
		}
	}
	if r.metric().IsCost() {
		return "USD"
	}
	return "N/A"
}

func sum(rows []query.Row) *big.Int {
	total := new(big.Int)
	for _, row := range rows {
		if a := row.Values[0].Amount; a != nil {
			total.Add(total, a)
		}
	}
	return total
}

// aggregate is r.aggregate with the cost categories defined through Cost
// Explorer that the budget's account reads, so that a CostCategory filter
// evaluates the category's rules, as AWS Budgets does.
func (s *Service) aggregate(ctx context.Context, r *record, p billing.Period, g query.Granularity) (*query.Aggregate, error) {
	q, err := r.aggregate(p, g)
	if err != nil || s.cfg.Categories == nil {
		return q, err
	}
	q.Categories, err = s.cfg.Categories(ctx, r.Account, r.Scope == "")
	return q, err
}

// measure computes the spend of the budget's current period and its
// forecast; budgets whose spend Tally does not compute have none.
func (s *Service) measure(ctx context.Context, r *record, now time.Time) (*spendSnapshot, error) {
	if r.tracksCommitment() {
		return s.measureCommitment(ctx, r, now)
	}
	if !r.tracksSpend() {
		return nil, nil
	}
	p := r.periodAt(now)
	q, err := s.aggregate(ctx, r, p, query.Monthly)
	if err != nil {
		return nil, err
	}
	rows, err := s.cfg.Costs.Aggregate(ctx, q)
	if err != nil {
		return nil, err
	}
	actual := sum(rows)
	snap := &spendSnapshot{Period: p, Actual: formatScaled(actual), Unit: r.unit(p, rows)}
	total, ok, err := s.cfg.Forecaster.Forecast(ctx, ForecastInput{Query: *q, Now: now, Actual: actual})
	if err != nil {
		return nil, err
	}
	if ok {
		snap.Forecast = formatScaled(total)
	}
	return snap, nil
}

// spendByPeriod returns the spend of each period (consecutive budget
// periods), from one store question.
func (s *Service) spendByPeriod(ctx context.Context, r *record, periods []billing.Period) ([]*big.Int, error) {
	out := make([]*big.Int, len(periods))
	for i := range out {
		out[i] = new(big.Int)
	}
	if len(periods) == 0 {
		return out, nil
	}
	g := query.Monthly
	if r.TimeUnit == TimeUnitDaily {
		g = query.Daily
	}
	q, err := s.aggregate(ctx, r, billing.Period{Start: periods[0].Start, End: periods[len(periods)-1].End}, g)
	if err != nil {
		return nil, err
	}
	rows, err := s.cfg.Costs.Aggregate(ctx, q)
	if err != nil {
		return nil, err
	}
	i := 0
	for _, row := range rows {
		for i < len(periods) && !row.Bucket.Before(periods[i].End) {
			i++
		}
		if i == len(periods) {
			break
		}
		if a := row.Values[0].Amount; a != nil && !row.Bucket.Before(periods[i].Start) {
			out[i].Add(out[i], a)
		}
	}
	return out, nil
}
