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
//     the first of the month as a lump. Each observed first is compared
//     with the median of the six deseasonalized days around it; when the
//     median of the last three excesses exceeds 2.5 robust standard
//     deviations of daily noise it becomes a component on every future
//     first, and the firsts are replaced by their expectation for the
//     remaining steps. The component is that median, or, for the
//     multiplicative model, the median of the last three ratios of excess
//     to level applied to the forecast level (tax and support are billed as
//     a share of usage, so they grow with it), whichever forecast the firsts
//     of the history better, each from the three before it. The root mean
//     square of those out-of-sample errors is the charge's spread.
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
// the origin, and independent daily noise. The variance of the independent
// noise is held to that of the history's irregular component, measured
// directly: on a history whose level moves in steps the fit otherwise takes
// error that persists from day to day for noise, and sums of days average
// away what does not average away. What the fit put above it moves into
// the level error, which leaves each day's variance as fitted and lets the
// days of a path share it; the shared terms are then scaled to reproduce
// the mean square of the errors summed over the measured horizon.
//
// Forecasting simulates 2000 paths of that error around the point
// forecast. The shared terms are estimated from errors of origins a day
// apart, which for an s-day horizon amount to only about origins/s
// independent windows (a year holds some seven 30-day windows, two months
// none), so their fitted variance is itself uncertain: each path scales its
// shared error by one draw of a chi-square factor, making it Student-t with
// max(2, origins/s) degrees of freedom, heavy-tailed where the evidence is
// thin and close to normal where it is ample. The daily noise is resampled
// from the history's own irregular component so its skew and spikes carry
// over, the spread of the month-start charge is added on firsts, and each
// simulated day is clipped at zero (and at today's partial amount) for a
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
// on two families of synthetic organisations — noisy, drifting, with large
// spikes; and nearly noiseless with monthly steps in usage, month-start
// charges that follow spend and rare spikes, like internal/synth's — pooling
// a few of each, since coverage over overlapping horizons of a single
// history moves by several points with its particular events; and on the
// Workshop CUR sample months.
package forecast
