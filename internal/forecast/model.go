package forecast

import (
	"fmt"
	"math"
	"time"
)

// Model is a forecaster fitted to one history. It is immutable and safe for
// concurrent use.
type Model struct {
	// day0 is UTC midnight of the first fitted day; n complete days follow.
	day0 time.Time
	n    int
	// partial is the known amount of the day containing AsOf, when the
	// history reaches it.
	partial    float64
	hasPartial bool
	// zero is set when every fitted day is zero.
	zero bool
	// nonNeg is set when no fitted day is negative: forecasts are clipped
	// at zero and at the partial amount of today.
	nonNeg bool
	// mult selects multiplicative weekly factors and errors relative to the
	// level; otherwise both are additive.
	mult   bool
	season [7]float64
	// fee is the additive charge expected on the first day of each month and
	// feeSD its spread. feeRatio and feeRatioSD are the same as shares of
	// the deseasonalized level, for a charge that grows with spend. At most
	// one form is set; all four are zero when month starts are not special.
	fee, feeSD           float64
	feeRatio, feeRatioSD float64
	trend                holt
	// scale is the error unit at the forecast origin (the level for mult).
	scale float64
	errs  errorModel
}

// Fit fits the model to the complete days of hist known at asOf. It returns
// ErrInsufficientHistory for fewer than MinHistoryDays complete days.
func Fit(hist Series, asOf time.Time) (*Model, error) {
	if asOf.IsZero() {
		return nil, fmt.Errorf("forecast: as-of time missing: %w", ErrInvalidInput)
	}
	if !isMidnightUTC(hist.Start) {
		return nil, fmt.Errorf("forecast: history start %s is not a UTC midnight: %w", hist.Start, ErrInvalidInput)
	}
	for i, v := range hist.Values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("forecast: history day %d is %v: %w", i, v, ErrInvalidInput)
		}
	}
	asOfDay := dayOf(asOf)
	full := hist.Values
	m := &Model{day0: hist.Start}
	if len(full) > 0 {
		last := hist.Start.AddDate(0, 0, len(full)-1)
		switch {
		case last.After(asOfDay):
			return nil, fmt.Errorf("forecast: history reaches %s, after as-of day %s: %w",
				last.Format(time.DateOnly), asOfDay.Format(time.DateOnly), ErrInvalidInput)
		case last.Equal(asOfDay):
			m.partial, m.hasPartial = full[len(full)-1], true
			full = full[:len(full)-1]
		}
	}
	if len(full) > maxFitDays {
		m.day0 = m.day0.AddDate(0, 0, len(full)-maxFitDays)
		full = full[len(full)-maxFitDays:]
	}
	m.n = len(full)
	if m.n < MinHistoryDays {
		return nil, fmt.Errorf("forecast: %d complete days, need %d: %w", m.n, MinHistoryDays, ErrInsufficientHistory)
	}
	m.fit(full)
	return m, nil
}

// Origin returns the first day whose amount the model does not know
// completely: the earliest day a forecast may start. Actual spend before it
// plus the forecast from it make up a period's expected total.
func (m *Model) Origin() time.Time {
	return m.day0.AddDate(0, 0, m.n)
}

// weekday returns the weekday of fitted day i (i may run past the history).
func (m *Model) weekday(i int) int {
	return (int(m.day0.Weekday()) + i%7 + 7) % 7
}

// isMonthStart reports whether fitted day i is the first of a month.
func (m *Model) isMonthStart(i int) bool {
	return m.day0.AddDate(0, 0, i).Day() == 1
}

// seasonalize puts the weekly pattern of day i back onto a deseasonalized
// value.
func (m *Model) seasonalize(z float64, i int) float64 {
	if m.mult {
		return z * m.season[m.weekday(i)]
	}
	return z + m.season[m.weekday(i)]
}

// deseasonalize removes the weekly pattern of day i from y.
func (m *Model) deseasonalize(y float64, i int) float64 {
	if m.mult {
		return y / m.season[m.weekday(i)]
	}
	return y - m.season[m.weekday(i)]
}

// fit estimates every component from the complete days y, in the order that
// keeps each estimate clean of the others: weekly factors (ignoring month
// starts), the month-start charge (against deseasonalized neighbours),
// outlier clipping and level shifts, the damped trend, and last the error
// model.
func (m *Model) fit(y []float64) {
	m.zero = true
	m.nonNeg = true
	for _, v := range y {
		if v != 0 {
			m.zero = false
		}
		if v < 0 {
			m.nonNeg = false
		}
	}
	if m.zero {
		return
	}
	first := make([]bool, len(y))
	for i := range y {
		first[i] = m.isMonthStart(i)
	}
	m.mult = m.nonNeg && positiveEnough(y)
	m.season = m.seasonalFactors(y, first)
	z := make([]float64, len(y))
	for i, v := range y {
		z[i] = m.deseasonalize(v, i)
	}
	regular := m.removeMonthStarts(y, z, first)
	zc, shift, noise := m.clean(z)
	m.trend = selectHolt(zc, shift, m.levelNorm(zc))
	m.scale, m.errs = m.fitErrors(regular, zc, shift, noise)
}

// positiveEnough reports whether multiplicative seasonality is well defined:
// at least nine days in ten carry a positive amount.
func positiveEnough(y []float64) bool {
	var pos int
	for _, v := range y {
		if v > 0 {
			pos++
		}
	}
	return pos*10 >= len(y)*9
}

// dev is the deviation of z from a local level lvl: relative for the
// multiplicative model, absolute otherwise. ok is false when it is undefined.
func (m *Model) dev(z, lvl float64) (d float64, ok bool) {
	if math.IsNaN(lvl) {
		return 0, false
	}
	if m.mult {
		if lvl <= 0 {
			return 0, false
		}
		return z/lvl - 1, true
	}
	return z - lvl, true
}

// undev is the inverse of dev.
func (m *Model) undev(d, lvl float64) float64 {
	if m.mult {
		return lvl * (1 + d)
	}
	return lvl + d
}

// levelNorm returns per-day normalisers that make trend errors comparable
// across level changes: the running median for the multiplicative model,
// one otherwise.
func (m *Model) levelNorm(z []float64) []float64 {
	norm := make([]float64, len(z))
	med := runningMedian(z, 3, nil)
	for i := range norm {
		norm[i] = 1
		if m.mult && med[i] > 0 {
			norm[i] = med[i]
		}
	}
	return norm
}
