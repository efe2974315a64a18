package forecast

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// simPaths is the number of simulated error paths behind every interval: the
// 0.5% tail of a 99% interval still rests on ten paths.
const simPaths = 2000

// Fixed seeds make the simulation, and so every interval, a pure function of
// the input.
const simSeed1, simSeed2 = 0x7a11f0dec057, 0x5eed

// Forecast forecasts every UTC day in [from, to) at the given interval level
// (zero means DefaultLevel), with monthly and total sums. from must not be
// before the first day after the last complete day of the history; days
// between them (data lag) are simulated but not reported. The day
// containing AsOf is forecast whole: its partial amount is excluded from
// fitting and, when no day is negative, floors that day's mean and bounds,
// since spend only accumulates.
func (m *Model) Forecast(from, to time.Time, level float64) (*Result, error) {
	level, err := checkLevel(level)
	if err != nil {
		return nil, err
	}
	if !isMidnightUTC(from) || !isMidnightUTC(to) {
		return nil, fmt.Errorf("forecast: range %s..%s not on UTC midnights: %w", from, to, ErrInvalidInput)
	}
	if !to.After(from) {
		return nil, fmt.Errorf("forecast: empty range %s..%s: %w", from.Format(time.DateOnly), to.Format(time.DateOnly), ErrInvalidInput)
	}
	origin := m.Origin()
	if from.Before(origin) {
		return nil, fmt.Errorf("forecast: range starts %s, before the first incomplete day %s: %w",
			from.Format(time.DateOnly), origin.Format(time.DateOnly), ErrInvalidInput)
	}
	steps := daysBetween(origin, to)
	if steps > MaxHorizonDays {
		return nil, fmt.Errorf("forecast: range ends %d days after the history, more than %d: %w", steps, MaxHorizonDays, ErrInvalidInput)
	}
	return m.simulate(origin, from, steps, level), nil
}

// simulate draws simPaths future paths of the error model around the point
// forecast and reads every interval off the same paths, so that sums carry
// the correlation of the days in them.
func (m *Model) simulate(origin, from time.Time, steps int, level float64) *Result {
	rng := rand.New(rand.NewPCG(simSeed1, simSeed2))
	e := m.errs
	a := make([]float64, simPaths)
	b := make([]float64, simPaths)
	w := make([]float64, simPaths)
	// u places each path in the distribution of the shared error's own
	// estimated variance (see sharedDoF).
	u := make([]float64, simPaths)
	for p := range a {
		a[p] = math.Sqrt(e.c0) * rng.NormFloat64()
		b[p] = math.Sqrt(e.c2) * rng.NormFloat64()
		u[p] = rng.NormFloat64()
	}
	vals := make([]float64, simPaths)
	month := newAccumulator()
	total := newAccumulator()
	res := &Result{Level: level}
	lo, hi := (1-level)/2, (1+level)/2
	for s := 1; s <= steps; s++ {
		i := m.n - 1 + s
		day := origin.AddDate(0, 0, s-1)
		raw, floor, clip := m.pointAt(i, day)
		unit := m.unitAt(i)
		feeSD := 0.0
		if day.Day() == 1 {
			feeSD = m.feeSD + m.feeRatioSD*m.trend.at(m.trend.level, m.trend.slope, s)
		}
		nu := e.sharedDoF(s)
		for p := range vals {
			w[p] += math.Sqrt(e.c1) * rng.NormFloat64()
			shared := (a[p] + b[p]*float64(s) + w[p]) * tScale(nu, u[p])
			err := shared + e.noise(rng) - e.spikeMass
			v := raw + unit*err
			if feeSD != 0 {
				v += feeSD * rng.NormFloat64()
			}
			if clip {
				v = math.Max(v, floor)
			}
			vals[p] = v
		}
		if day.Before(from) {
			continue
		}
		if day.Day() == 1 && !day.Equal(from) {
			res.Months = append(res.Months, month.point(lo, hi))
			month = newAccumulator()
		}
		mu := raw
		if clip {
			mu = math.Max(mu, floor)
		}
		month.add(day, mu, vals)
		total.add(day, mu, vals)
		res.Days = append(res.Days, bounded(day, day.AddDate(0, 0, 1), mu, vals, lo, hi))
	}
	res.Months = append(res.Months, month.point(lo, hi))
	res.Total = total.point(lo, hi)
	return res
}

// pointAt returns the point forecast of fitted day i (on date day) before
// clipping, and the floor below which no outcome can fall when clip is set:
// zero for a history without negative days, raised to the known partial
// amount on the day containing AsOf.
func (m *Model) pointAt(i int, day time.Time) (raw, floor float64, clip bool) {
	s := i - m.n + 1
	raw = m.seasonalize(m.trend.at(m.trend.level, m.trend.slope, s), i) + m.unitAt(i)*m.errs.spikeMass
	if day.Day() == 1 {
		raw += m.fee + m.feeRatio*m.trend.at(m.trend.level, m.trend.slope, s)
	}
	if !m.nonNeg {
		return raw, 0, false
	}
	if m.hasPartial && day.Equal(m.Origin()) {
		floor = math.Max(0, m.partial)
	}
	return raw, floor, true
}

// unitAt converts errors of the error model into amounts on fitted day i.
func (m *Model) unitAt(i int) float64 {
	if m.mult {
		return m.scale * m.season[m.weekday(i)]
	}
	return 1
}

// noise draws one day's independent error.
func (e errorModel) noise(rng *rand.Rand) float64 {
	if len(e.pool) == 0 {
		return math.Sqrt(e.sigma2) * rng.NormFloat64()
	}
	k := rng.IntN(len(e.pool))
	return math.Sqrt(e.sigma2)*e.pool[k] + e.excess[k]
}

// accumulator sums simulated paths and point forecasts over a period.
type accumulator struct {
	start, end time.Time
	mean       float64
	sums       []float64
}

func newAccumulator() *accumulator {
	return &accumulator{sums: make([]float64, simPaths)}
}

// add adds one day to the period.
func (a *accumulator) add(day time.Time, mean float64, vals []float64) {
	if a.start.IsZero() {
		a.start = day
	}
	a.end = day.AddDate(0, 0, 1)
	a.mean += mean
	for p, v := range vals {
		a.sums[p] += v
	}
}

// point returns the period's forecast.
func (a *accumulator) point(lo, hi float64) Point {
	return bounded(a.start, a.end, a.mean, a.sums, lo, hi)
}

// bounded makes a Point from a mean and simulated outcomes, reading the
// bounds off their quantiles and widening them to include the mean, which
// can fall outside a narrow interval when the errors are skewed.
func bounded(start, end time.Time, mean float64, sims []float64, lo, hi float64) Point {
	s := slices.Clone(sims)
	slices.Sort(s)
	return Point{
		Start: start,
		End:   end,
		Mean:  mean,
		Lower: math.Min(mean, quantileSorted(s, lo)),
		Upper: math.Max(mean, quantileSorted(s, hi)),
	}
}
