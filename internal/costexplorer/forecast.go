package costexplorer

import (
	"context"
	"math/big"
	"strconv"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/forecast"
	"github.com/tallyhq/tally/internal/query"
)

// forecastMetrics maps the Metric enum to the metric it forecasts, and says
// which operation accepts it.
var forecastMetrics = map[Metric]struct {
	metric billing.Metric
	usage  bool
}{
	MetricAmortizedCost:         {billing.AmortizedCost, false},
	MetricBlendedCost:           {billing.BlendedCost, false},
	MetricNetAmortizedCost:      {billing.NetAmortizedCost, false},
	MetricNetUnblendedCost:      {billing.NetUnblendedCost, false},
	MetricUnblendedCost:         {billing.UnblendedCost, false},
	MetricUsageQuantity:         {billing.UsageQuantity, true},
	MetricNormalizedUsageAmount: {billing.NormalizedUsageAmount, true},
}

// historyDays is how much daily history a forecast is fitted on: a little
// more than the year the model looks at.
const historyDays = 400

// forecastRequest holds the members GetCostForecast and GetUsageForecast
// share.
type forecastRequest struct {
	period  *DateInterval
	metric  *Metric
	gran    *Granularity
	filter  *Expression
	arn     *string
	level   *int32
	usage   bool
	opName  string
	metrics string
}

// GetCostForecast implements the AWS Cost Explorer operation of that name: a
// forecast of a cost metric over a future period with prediction intervals,
// from the model in internal/forecast fitted on the daily history under the
// same filter.
func (s *Service) GetCostForecast(ctx context.Context, in *GetCostForecastRequest) (*GetCostForecastResponse, error) {
	total, results, err := s.forecast(ctx, forecastRequest{period: in.TimePeriod, metric: in.Metric, gran: in.Granularity,
		filter: in.Filter, arn: in.BillingViewArn, level: in.PredictionIntervalLevel, opName: "GetCostForecast",
		metrics: "AMORTIZED_COST, BLENDED_COST, NET_AMORTIZED_COST, NET_UNBLENDED_COST, UNBLENDED_COST"})
	if err != nil {
		return nil, err
	}
	return &GetCostForecastResponse{Total: total, ForecastResultsByTime: results}, nil
}

// GetUsageForecast implements the AWS Cost Explorer operation of that name:
// a forecast of usage, which needs a filter narrow enough for the usage to
// have one unit.
func (s *Service) GetUsageForecast(ctx context.Context, in *GetUsageForecastRequest) (*GetUsageForecastResponse, error) {
	total, results, err := s.forecast(ctx, forecastRequest{period: in.TimePeriod, metric: in.Metric, gran: in.Granularity,
		filter: in.Filter, arn: in.BillingViewArn, level: in.PredictionIntervalLevel, usage: true, opName: "GetUsageForecast",
		metrics: "USAGE_QUANTITY, NORMALIZED_USAGE_AMOUNT"})
	if err != nil {
		return nil, err
	}
	return &GetUsageForecastResponse{Total: total, ForecastResultsByTime: results}, nil
}

func (s *Service) forecast(ctx context.Context, r forecastRequest) (*MetricValue, []ForecastResult, error) {
	now := s.cfg.Now().UTC()
	today := billing.DayStart(now)
	p, _, err := period(r.period)
	if err != nil {
		return nil, nil, err
	}
	if p.Start.Before(today) {
		return nil, nil, validation("Requested Start: %s is in the past: a forecast starts today (%s) or later",
			p.Start.Format("2006-01-02"), today.Format("2006-01-02"))
	}
	if !p.End.Equal(billing.DayStart(p.End)) || !p.Start.Equal(billing.DayStart(p.Start)) {
		return nil, nil, validation("forecasts take whole days: give Start and End as yyyy-MM-dd")
	}
	fm, ok := forecastMetrics[deref(r.metric)]
	if !ok || fm.usage != r.usage {
		return nil, nil, validation("Metric %s is not supported by %s. Valid values are %s", deref(r.metric), r.opName, r.metrics)
	}
	g := Granularity(deref(r.gran))
	if g != GranularityDaily && g != GranularityMonthly {
		return nil, nil, validation("%s supports only DAILY and MONTHLY granularity", r.opName)
	}
	if err := s.checkHorizon(p, g, today); err != nil {
		return nil, nil, err
	}
	level := 80
	if r.level != nil {
		level = int(*r.level)
	}
	if level < 51 || level > 99 {
		return nil, nil, validation("PredictionIntervalLevel must be between 51 and 99, got %d", level)
	}
	filter, err := expression(r.filter)
	if err != nil {
		return nil, nil, err
	}
	if filter != nil {
		if err := query.Validate(filter, query.CostAndUsageRules, query.DefaultLimits); err != nil {
			return nil, nil, err
		}
	}
	if err := checkBillingView(ctx, r.arn); err != nil {
		return nil, nil, err
	}
	hist, unit, err := s.DailyHistory(ctx, fm.metric, filter, scope(ctx), now)
	if err != nil {
		return nil, nil, err
	}
	if r.usage && unit == "N/A" {
		return nil, nil, fail(errUnits, "the usage under this filter has several units; filter by USAGE_TYPE or USAGE_TYPE_GROUP so that it has one")
	}
	res, err := forecast.Forecast(hist, p.Start, p.End, forecast.Options{Level: float64(level) / 100, AsOf: now})
	if err != nil {
		return nil, nil, err
	}
	points := res.Days
	if g == GranularityMonthly {
		points = res.Months
	}
	out := make([]ForecastResult, 0, len(points))
	for _, pt := range points {
		out = append(out, ForecastResult{
			TimePeriod:                   &DateInterval{Start: ptr(formatDate(pt.Start, false)), End: ptr(formatDate(pt.End, false))},
			MeanValue:                    ptr(formatFloat(pt.Mean)),
			PredictionIntervalLowerBound: ptr(formatFloat(pt.Lower)),
			PredictionIntervalUpperBound: ptr(formatFloat(pt.Upper)),
		})
	}
	return &MetricValue{Amount: ptr(formatFloat(res.Total.Mean)), Unit: ptr(unit)}, out, nil
}

// checkHorizon applies the profile's forecast horizon: AWS forecasts 3
// months DAILY and 18 months MONTHLY.
func (s *Service) checkHorizon(p billing.Period, g Granularity, today time.Time) error {
	prof := s.cfg.Profile
	months := prof.ForecastMonthlyMonths
	if g == GranularityDaily {
		months = prof.ForecastDailyMonths
	}
	if months > 0 && p.End.After(today.AddDate(0, months, 0)) {
		return validation("%s", prof.Limited("%s forecasts reach at most %d months ahead, to %s", g, months, today.AddDate(0, months, 0).Format("2006-01-02")))
	}
	if limit := today.AddDate(0, 0, forecast.MaxHorizonDays); p.End.After(limit) {
		return validation("forecasts reach at most %d days ahead, to %s", forecast.MaxHorizonDays, limit.Format("2006-01-02"))
	}
	return nil
}

// DailyHistory returns the daily amounts of a metric under a filter (whose
// defined cost categories are evaluated by their rules), from the
// first day with data to the last (days after it are unknown to the model,
// not zero), and the metric's unit.
func (s *Service) DailyHistory(ctx context.Context, m billing.Metric, filter query.Expr, sc query.Scope, now time.Time) (forecast.Series, string, error) {
	end := billing.DayStart(now).AddDate(0, 0, 1)
	q := &query.Aggregate{Period: billing.Period{Start: end.AddDate(0, 0, -historyDays), End: end},
		Granularity: query.Daily, Metrics: []billing.Metric{m}, Filter: filter, Scope: sc}
	// A filter on a cost category the caller defined reads its rules, as
	// GetCostAndUsage does.
	cats, err := s.categoriesFor(ctx, nil, filter)
	if err != nil {
		return forecast.Series{}, "", err
	}
	q.Categories = cats
	rows, err := s.cfg.Store.Aggregate(ctx, q)
	if err != nil {
		return forecast.Series{}, "", err
	}
	units := map[string]bool{}
	var series forecast.Series
	for _, r := range rows {
		if series.Values == nil {
			series.Start = r.Bucket
		}
		day := int(r.Bucket.Sub(series.Start).Hours() / 24)
		for len(series.Values) <= day {
			series.Values = append(series.Values, 0)
		}
		f, _ := new(big.Rat).SetFrac(r.Values[0].Amount, big.NewInt(1e10)).Float64()
		series.Values[day] = f
		if u := r.Values[0].Unit; u != "" {
			units[u] = true
		}
	}
	unit := "N/A"
	if m.IsCost() {
		unit = "USD"
	}
	if len(units) == 1 {
		for u := range units {
			unit = u
		}
	}
	return series, unit, nil
}

// formatFloat prints a forecast amount with at most ten decimals.
func formatFloat(f float64) string {
	s := strconv.FormatFloat(f, 'f', 10, 64)
	for len(s) > 1 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	if s == "-0" {
		s = "0"
	}
	return s
}
