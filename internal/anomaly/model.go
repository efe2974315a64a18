package anomaly

import (
	"math"
	"slices"
	"time"
)

// Options tune the model; zero fields take the defaults of the package doc.
type Options struct {
	Window         int
	MinHistory     int
	Z              float64
	MinDailyImpact float64
	RelFloor       float64
	AbsFloor       float64
	AcceptDays     int
	ContinueZ      float64
}

func (o Options) withDefaults() Options {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	defInt := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	defInt(&o.Window, 28)
	defInt(&o.MinHistory, 7)
	defInt(&o.AcceptDays, 7)
	def(&o.Z, 5)
	def(&o.MinDailyImpact, 1)
	def(&o.RelFloor, 0.03)
	def(&o.AbsFloor, 0.10)
	def(&o.ContinueZ, 1)
	return o
}

// Day is one anomalous day of an episode.
type Day struct {
	Index            int // days since the series start
	Actual, Expected float64
	Score            float64
}

// Episode is one anomaly: consecutive anomalous days of a series.
type Episode struct {
	// Start and End are the first and last anomalous day, as indexes.
	Start, End int
	Days       []Day
}

// Actual returns the episode's total actual spend.
func (e Episode) Actual() float64 { return sum(e.Days, func(d Day) float64 { return d.Actual }) }

// Expected returns the episode's total expected spend.
func (e Episode) Expected() float64 { return sum(e.Days, func(d Day) float64 { return d.Expected }) }

// Impact returns TotalActualSpend − TotalExpectedSpend.
func (e Episode) Impact() float64 { return e.Actual() - e.Expected() }

// MaxImpact returns the largest daily impact.
func (e Episode) MaxImpact() float64 {
	m := math.Inf(-1)
	for _, d := range e.Days {
		m = max(m, d.Actual-d.Expected)
	}
	return m
}

// MaxScore returns the largest daily score.
func (e Episode) MaxScore() float64 {
	m := math.Inf(-1)
	for _, d := range e.Days {
		m = max(m, d.Score)
	}
	return m
}

// CurrentScore returns the score of the episode's last day.
func (e Episode) CurrentScore() float64 { return e.Days[len(e.Days)-1].Score }

func sum(days []Day, f func(Day) float64) float64 {
	var s float64
	for _, d := range days {
		s += f(d)
	}
	return s
}

// Detect returns the anomalous episodes of a daily series whose day 0 is
// start, oldest first.
func Detect(start time.Time, x []float64, o Options) []Episode {
	o = o.withDefaults()
	n := len(x)
	c := make([]float64, n)   // cleaned history
	exp := make([]float64, n) // expectation of each scored day
	scored := make([]bool, n)
	floor := 0
	var out []Episode
	var cur *Episode
	var gap *Day
	// A level shift's pre-shift expectation and spread, one per day of
	// the week (indexed from the shift's first day), kept while the
	// accepted shift goes on.
	var shiftE, shiftS []float64
	var spread []float64 // spreads of cur's days
	closeCur := func() {
		if cur != nil {
			out = append(out, *cur)
			cur = nil
		}
		gap, shiftE, shiftS, spread = nil, nil, nil, nil
	}
	for t := range n {
		e, s, ok := expectation(start, x, c, exp, scored, floor, t, o)
		if !ok {
			c[t] = x[t]
			continue
		}
		exp[t], scored[t] = e, true
		z := (x[t] - e) / s
		anomalous := z >= o.Z && x[t]-e >= o.MinDailyImpact
		if shiftE != nil {
			// An accepted level shift goes on while the day stays above
			// the level before it; its impact keeps accumulating against
			// that level.
			k := (t - cur.Start) % len(shiftE)
			e0, s0 := shiftE[k], shiftS[k]
			if start.AddDate(0, 0, t).Day() == 1 {
				e0 = max(e0, monthly(start, x, t))
			}
			day := Day{Index: t, Actual: x[t], Expected: e0, Score: (x[t] - e0) / s0}
			if anomalous {
				c[t] = e
			} else {
				c[t] = x[t]
			}
			switch {
			case day.Score >= o.ContinueZ:
				if gap != nil {
					cur.Days = append(cur.Days, *gap)
					gap = nil
				}
				cur.End = t
				cur.Days = append(cur.Days, day)
				if t-cur.Start+1 >= o.Window {
					closeCur() // the window holds only the new level: learnt
				}
			case gap == nil:
				gap = &day
			default:
				closeCur()
			}
			continue
		}
		day := Day{Index: t, Actual: x[t], Expected: e, Score: z}
		continues := cur != nil && z >= o.ContinueZ && x[t] > e
		if !anomalous && !continues {
			c[t] = x[t]
			if cur != nil && gap == nil {
				gap = &day // one normal day may sit inside an episode
				spread = append(spread, s)
				continue
			}
			closeCur()
			continue
		}
		if cur == nil {
			cur = &Episode{Start: t}
		}
		if gap != nil {
			cur.Days = append(cur.Days, *gap)
			gap = nil
		}
		cur.End = t
		cur.Days = append(cur.Days, day)
		spread = append(spread, s)
		c[t] = e
		if t-cur.Start+1 >= o.AcceptDays {
			// A new normal: the baseline restarts from the episode's
			// first day at the actual values; the episode itself goes on
			// against the level before it.
			for j := cur.Start; j <= t; j++ {
				c[j], scored[j] = x[j], false
			}
			floor = cur.Start
			shiftE, shiftS = make([]float64, 0, 7), make([]float64, 0, 7)
			for i, d := range cur.Days {
				if i == 7 {
					break
				}
				shiftE, shiftS = append(shiftE, d.Expected), append(shiftS, spread[i])
			}
			if t-cur.Start+1 >= o.Window || len(shiftE) < 7 {
				closeCur()
			}
		}
	}
	closeCur()
	return out
}

// expectation returns E(t) and S(t), or false when the window is too
// short to score day t.
func expectation(start time.Time, x, c, exp []float64, scored []bool, floor, t int, o Options) (e, s float64, ok bool) {
	lo := max(floor, t-o.Window)
	if t-lo < o.MinHistory {
		return 0, 0, false
	}
	// A weekday found anomalous in two or more of the last weeks is a
	// weekly pattern (a job that runs every Monday), not a string of
	// anomalies: its actual spend is then the expectation.
	var same, raw []float64
	recurring := 0
	for j := t - 7; j >= lo; j -= 7 {
		same, raw = append(same, c[j]), append(raw, x[j])
		if c[j] != x[j] {
			recurring++
		}
	}
	if recurring >= 2 {
		same = raw
	}
	if len(same) >= 2 {
		e = median(same)
	} else {
		e = median(slices.Clone(c[lo:t]))
	}
	if start.AddDate(0, 0, t).Day() == 1 {
		e = max(e, monthly(start, x, t))
	}
	var res []float64
	for j := lo; j < t; j++ {
		if scored[j] {
			res = append(res, math.Abs(c[j]-exp[j]))
		}
	}
	if len(res) > 0 {
		s = 1.4826 * median(res)
	}
	s = max(s, o.RelFloor*math.Abs(e)+o.AbsFloor)
	return e, s, true
}

func median(v []float64) float64 {
	slices.Sort(v)
	n := len(v)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// ZScore is the baseline detector of the package doc: raw rolling mean and
// standard deviation of the window days before each day, no seasonality.
func ZScore(x []float64, o Options) []Episode {
	o = o.withDefaults()
	const z0 = 3
	var out []Episode
	var cur *Episode
	for t := range x {
		lo := max(0, t-o.Window)
		if t-lo < o.MinHistory {
			continue
		}
		var mean, sq float64
		for _, v := range x[lo:t] {
			mean += v
		}
		mean /= float64(t - lo)
		for _, v := range x[lo:t] {
			sq += (v - mean) * (v - mean)
		}
		sd := max(math.Sqrt(sq/float64(t-lo)), o.AbsFloor)
		z := (x[t] - mean) / sd
		if z >= z0 && x[t]-mean >= o.MinDailyImpact {
			if cur == nil {
				cur = &Episode{Start: t}
			}
			cur.End = t
			cur.Days = append(cur.Days, Day{Index: t, Actual: x[t], Expected: mean, Score: z})
			continue
		}
		if cur != nil {
			out = append(out, *cur)
			cur = nil
		}
	}
	if cur != nil {
		out = append(out, *cur)
	}
	return out
}

// monthly returns the least spend expected on day t for the fees that land
// on the 1st: on the 1st, the actual spend on the 1st of the month before,
// scaled by the months' numbers of days (monthly fees are billed per hour
// of the month); zero on other days and when there is no month before.
func monthly(start time.Time, x []float64, t int) float64 {
	day := start.AddDate(0, 0, t)
	if day.Day() != 1 {
		return 0
	}
	prev := int(day.AddDate(0, -1, 0).Sub(start).Hours() / 24)
	if prev < 0 {
		return 0
	}
	return x[prev] * float64(daysIn(day)) / float64(daysIn(day.AddDate(0, -1, 0)))
}

// daysIn returns the number of days of t's month.
func daysIn(t time.Time) int {
	return time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
