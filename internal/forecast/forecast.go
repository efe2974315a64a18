package forecast

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// DefaultLevel is the prediction interval level used when Options.Level is
// zero; it is Cost Explorer's default PredictionIntervalLevel of 80.
const DefaultLevel = 0.80

// MinHistoryDays is the number of complete days of history a forecast needs.
// Two weeks is the least that lets the model see every weekday twice and
// measure its own multi-day errors; weekly seasonality is only estimated
// from three weeks on.
const MinHistoryDays = 14

// MaxHorizonDays bounds how far after the last complete day of history a
// forecast may end. It covers Cost Explorer's 18 months of MONTHLY forecasts
// with room to spare.
const MaxHorizonDays = 600

// maxFitDays is how much history the model looks at: a little over a year,
// enough for every component and cheap to refit.
const maxFitDays = 371

// ErrInsufficientHistory is returned when the history holds fewer than
// MinHistoryDays complete days. Callers map it to DataUnavailableException.
var ErrInsufficientHistory = errors.New("insufficient history")

// ErrInvalidInput is wrapped by every error about malformed arguments: a
// history not aligned to UTC days or holding NaN or infinite values, days
// after AsOf, a level outside 0.51–0.99, or a bad forecast range.
var ErrInvalidInput = errors.New("invalid input")

// Series is a daily history: Values[i] is the amount for the UTC day that
// starts Start plus i days. Days after the last value are unknown, not zero.
type Series struct {
	// Start is UTC midnight of day 0.
	Start time.Time
	// Values holds one amount per day.
	Values []float64
}

// Options tune one forecast.
type Options struct {
	// Level is the prediction interval level, 0.51 to 0.99 (Cost Explorer's
	// PredictionIntervalLevel divided by 100); zero means DefaultLevel.
	Level float64
	// AsOf is the instant up to which the history is known: the current time,
	// or the freshness of the billing data when it lags. The day containing
	// AsOf is partial; earlier days are complete.
	AsOf time.Time
}

// Point is the forecast for one period [Start, End).
type Point struct {
	// Start and End are UTC midnights bounding the period.
	Start, End time.Time
	// Mean is the point forecast; Lower and Upper bound the prediction
	// interval at the requested level, with Lower ≤ Mean ≤ Upper.
	Mean, Lower, Upper float64
}

// Result is a forecast over [from, to).
type Result struct {
	// Level is the prediction interval level used.
	Level float64
	// Days holds one point per UTC day in [from, to).
	Days []Point
	// Months holds one point per calendar month overlapping [from, to),
	// clipped to it, as Cost Explorer cuts MONTHLY results.
	Months []Point
	// Total is the forecast of the sum over [from, to).
	Total Point
}

// Forecast fits a model to hist as known at opt.AsOf and forecasts every day
// in [from, to), which must be UTC midnights with from no earlier than the
// first day whose amount is not completely known (the day after the last
// complete day of history). It is Fit followed by Model.Forecast.
func Forecast(hist Series, from, to time.Time, opt Options) (*Result, error) {
	m, err := Fit(hist, opt.AsOf)
	if err != nil {
		return nil, err
	}
	return m.Forecast(from, to, opt.Level)
}

// isMidnightUTC reports whether t is 00:00:00 in UTC.
func isMidnightUTC(t time.Time) bool {
	return t.Equal(dayOf(t))
}

// dayOf returns the UTC midnight starting the day containing t.
func dayOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// daysBetween returns the whole days from a to b, both UTC midnights.
func daysBetween(a, b time.Time) int {
	return int(math.Round(b.Sub(a).Hours() / 24))
}

// checkLevel returns the level to use for l.
func checkLevel(l float64) (float64, error) {
	if l == 0 {
		return DefaultLevel, nil
	}
	if math.IsNaN(l) || l < 0.51-1e-9 || l > 0.99+1e-9 {
		return 0, fmt.Errorf("forecast: level %v outside 0.51..0.99: %w", l, ErrInvalidInput)
	}
	return l, nil
}
