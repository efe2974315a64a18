// Package forecast is the model behind Cost Explorer's GetCostForecast and
// GetUsageForecast and Budgets' ForecastedSpend. It knows nothing of HTTP or
// storage: callers pass a daily history and get daily, monthly and total
// forecasts with prediction intervals. It uses only the standard library.
//
// # Days
//
// A Series holds one amount per UTC day. Options.AsOf is the instant up to
// which the history is known — the current time, or the freshness of the
// billing data when it lags — and the day containing it is partial: its
// amount, when the series reaches it, is left out of fitting (it is not a
// low-spend day) and, for a history without negative days, floors that
// day's mean and bounds, since spend only accumulates. Days after the last
// value are unknown, not zero. A series reaching past AsOf's day is an
// error.
//
// Forecasts cover whole UTC days [from, to), Cost Explorer's rule; "today"
// is forecast as a whole day. from may be any day from the first day whose
// amount is not completely known, which is today or, when data lags, the day
// after the last one received; the days in between are simulated but not
// reported. Result.Months cuts the range at calendar months, clipped to it,
// as Cost Explorer's MONTHLY granularity does, and Result.Total is the whole
// range. Budgets' ForecastedSpend for a period is the actual spend of its
// complete days plus Forecast(today, period end).Total.Mean.
//
// A forecast needs MinHistoryDays complete days (ErrInsufficientHistory,
// which callers map to DataUnavailableException) and may end at most
// MaxHorizonDays after them. Malformed input wraps ErrInvalidInput.
//
// # Model
//
// The model looks at the last year of history and fits, in this order, each
// component on data already cleaned of the ones before:
//
//  1. Weekly factors: per weekday, the median ratio of a day to the running
//     median of the week around it, over the last sixteen weeks, skipping
//     first-of-month days, in two passes. They are multiplicative when at
//     least nine days in ten are positive and none negative, additive
//     otherwise (credits), and shrunk towards flat by the share of their
//     spread that sampling error explains, so a history without a weekly
//     pattern does not get one from noise. Three weeks are needed.
//  2. Month-start charge: support, RI and Savings Plans fees and tax land on
//     the first of the month as a lump that does not scale with usage. Each
//     observed first is compared with the median of the six
//     deseasonalized days around it; the median of the last three excesses
//     becomes an additive component on every future first when it exceeds
//     2.5 robust standard deviations of daily noise, and the firsts are
//     replaced by their expectation for the remaining steps.
//  3. Cleaning, causal: each deseasonalized day is clipped to three robust
//     standard deviations of the median of the seven cleaned days before it,
//     so a one-off spike or dip barely moves the trend. Three days in a row
//     beyond the bound on the same side are a level shift instead (a
//     workload switched off, a new one started): they are kept, and the
//     trend restarts from them. Clipping only with the past treats every
//     day of the history the way the last days must be treated, which keeps
//     the errors measured on the history honest.
//  4. Trend: Holt's linear method with damping on the cleaned series, its
//     smoothing and damping parameters chosen on a grid by the mean absolute
//     error of forecasts 1 to 28 days ahead from every origin of the last
//     half year, relative to the local level. Multi-step errors are what the
//     forecasts are used for; damping keeps long horizons from running away
//     unless the history says the trend holds.
//  5. Spikes: the cleaned point forecast is the typical day. Spikes that
//     recur still belong in the expectation, so the mean adds their average
//     excess per day over the last year, leaving the largest one out so a
//     single one-off spike does not raise every future day.
//
// Decomposition, robust statistics and a damped trend were chosen over a
// global regression or a learned model because billing histories are short
// (often a few months), carry level shifts and one-off charges, and need
// forecasts that can be explained line by line.
//
// # Intervals
//
// Intervals come from the model's own out-of-sample errors, not a fixed
// percentage. From up to 200 rolling origins over the history the fitted
// model forecasts up to 91 days ahead (as far as the history allows), and
// the errors, in units of the level at the origin, are winsorized and fit by
// non-negative least squares to the covariance of
//
//	e_s = A + B·s + W_s + noise_s
//
// with A a level error, B a slope error, W a random walk of the level after
// the origin, and independent daily noise. Forecasting then simulates 2000
// paths of that error around the point forecast, resampling the daily
// noise from the history's own irregular component so its skew and spikes
// carry over, adding the spread of the month-start charge on firsts, and
// clipping each simulated day at zero (and at today's partial amount) for a
// non-negative history. Every interval — a day, a month, the total — is the
// central quantile range of the same paths, so the interval of a sum
// reflects how the errors of its days accumulate and correlate, and widens
// with the horizon as the fitted level and slope errors do. Lower ≤ Mean ≤
// Upper always holds. The simulation is seeded with constants, so the same
// input gives the same output.
//
// # Backtest
//
// Backtest scores the model over rolling origins against two baselines —
// seasonal-naive (the same weekday last week) and the trailing 28-day mean,
// each with intervals from its own past errors — reporting the MAPE of the
// daily means and of horizon sums and the empirical coverage of the
// intervals; Report.Markdown renders the table. The package's tests run it
// on a synthetic organisation and on the Workshop CUR sample months.
package forecast
