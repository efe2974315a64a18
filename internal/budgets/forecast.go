package budgets

import (
	"context"
	"math/big"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/forecast"
	"github.com/tallyhq/tally/internal/query"
)

// modelHistoryDays is how much daily history the model is fitted on, as
// for Cost Explorer's forecasts: a little over a year.
const modelHistoryDays = 400

// Model is the Forecaster backed by Tally's forecasting model
// (internal/forecast), used as that package prescribes for Budgets: the
// actual spend of the period's complete days plus the model's forecast of
// its remaining days, from today, or from the day after the last day with
// data when the data lags. Where the model cannot forecast (fewer than
// forecast.MinHistoryDays days of history under the budget's filter, or a
// period beyond its horizon) Model asks Fallback, so that a new budget
// still shows a forecast; a nil Fallback gives none, as AWS does.
type Model struct {
	Costs    Costs
	Fallback Forecaster
}

var _ Forecaster = Model{}

// Forecast implements Forecaster.
func (m Model) Forecast(ctx context.Context, in ForecastInput) (*big.Int, bool, error) {
	p := in.Query.Period
	if !in.Now.After(p.Start) {
		return nil, false, nil
	}
	if !in.Now.Before(p.End) {
		return in.Actual, true, nil
	}
	today := billing.DayStart(in.Now)
	to := billing.DayStart(p.End)
	if to.Before(p.End) {
		to = to.AddDate(0, 0, 1)
	}
	q := in.Query
	q.Granularity = query.Daily
	q.Period = billing.Period{Start: today.AddDate(0, 0, -modelHistoryDays), End: today.AddDate(0, 0, 1)}
	if to.After(q.Period.End) {
		q.Period.End = to // data may run ahead of the clock
	}
	rows, err := m.Costs.Aggregate(ctx, &q)
	if err != nil {
		return nil, false, err
	}
	series := dailySeries(rows)
	// The model forecasts from the first day whose amount is not completely
	// known: today, or the day after the last day with data when the data
	// lags, or when it runs ahead of the clock (then it is known up to there).
	from, asOf := today, in.Now
	if n := len(series.Values); n > 0 {
		last := series.Start.AddDate(0, 0, n-1)
		if !last.Equal(today) {
			from = last.AddDate(0, 0, 1)
		}
		if last.After(today) {
			asOf = from
		}
	}
	if s := billing.DayStart(p.Start); from.Before(s) {
		from = s
	}
	if !from.Before(to) {
		return in.Actual, true, nil
	}
	res, err := forecast.Forecast(series, from, to, forecast.Options{AsOf: asOf})
	if err != nil {
		if m.Fallback == nil {
			return nil, false, nil
		}
		return m.Fallback.Forecast(ctx, in)
	}
	total := new(big.Int)
	for _, r := range rows {
		if !r.Bucket.Before(billing.DayStart(p.Start)) && r.Bucket.Before(from) && r.Values[0].Amount != nil {
			total.Add(total, r.Values[0].Amount)
		}
	}
	mean := new(big.Rat).SetFloat64(res.Total.Mean)
	if mean == nil { // NaN or infinite: no forecast
		return nil, false, nil
	}
	return total.Add(total, scaledOf(mean)), true, nil
}

// dailySeries turns daily rows into the model's series: from the first day
// with data to the last; days without rows in between are zero.
func dailySeries(rows []query.Row) forecast.Series {
	var s forecast.Series
	for _, r := range rows {
		if s.Values == nil {
			s.Start = r.Bucket
		}
		day := int(r.Bucket.Sub(s.Start) / (24 * time.Hour))
		for len(s.Values) <= day {
			s.Values = append(s.Values, 0)
		}
		f, _ := ratOfScaled(r.Values[0].Amount).Float64()
		s.Values[day] += f
	}
	return s
}
