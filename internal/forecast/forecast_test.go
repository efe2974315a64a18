package forecast

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var day0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// flat returns n days of spend around level with multiplicative noise sd,
// from day0, generated from seed.
func flat(n int, level, sd float64, seed uint64) Series {
	rng := rand.New(rand.NewPCG(seed, 7))
	s := Series{Start: day0, Values: make([]float64, n)}
	for i := range s.Values {
		s.Values[i] = level * (1 + sd*rng.NormFloat64())
	}
	return s
}

// dayN returns the date n days after day0.
func dayN(n int) time.Time { return day0.AddDate(0, 0, n) }

// at returns the date n days after the start of s.
func at(s Series, n int) time.Time { return s.Start.AddDate(0, 0, n) }

// mustForecast forecasts [from, to) or fails the test.
func mustForecast(t *testing.T, s Series, from, to time.Time, opt Options) *Result {
	t.Helper()
	r, err := Forecast(s, from, to, opt)
	if err != nil {
		t.Fatalf("Forecast: %v", err)
	}
	checkResult(t, r)
	return r
}

// checkResult checks the invariants every result must hold.
func checkResult(t *testing.T, r *Result) {
	t.Helper()
	pts := append(append([]Point{r.Total}, r.Days...), r.Months...)
	for _, p := range pts {
		for _, v := range []float64{p.Mean, p.Lower, p.Upper} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("point %v has a non-finite value", p)
			}
		}
		if p.Lower > p.Mean || p.Mean > p.Upper {
			t.Fatalf("point %v: want Lower ≤ Mean ≤ Upper", p)
		}
	}
	var dm, mm float64
	for _, d := range r.Days {
		dm += d.Mean
	}
	for _, m := range r.Months {
		mm += m.Mean
	}
	if math.Abs(dm-r.Total.Mean) > 1e-6*math.Max(1, math.Abs(dm)) || math.Abs(mm-r.Total.Mean) > 1e-6*math.Max(1, math.Abs(mm)) {
		t.Fatalf("daily means sum to %v, monthly to %v, total is %v", dm, mm, r.Total.Mean)
	}
}

func TestPartialDayIsNotALowDay(t *testing.T) {
	full := flat(60, 100, 0.03, 1)
	asOf := dayN(60).Add(6 * time.Hour)
	base := mustForecast(t, full, dayN(60), dayN(67), Options{AsOf: asOf})
	for _, tc := range []struct {
		name    string
		partial float64
		// wantFloor is what today's mean and lower bound must reach.
		wantFloor float64
	}{
		{"quarter of a day so far", 25, 25},
		{"nothing yet", 0, 0},
		{"already above a normal day", 180, 180},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Series{Start: full.Start, Values: append(append([]float64(nil), full.Values...), tc.partial)}
			r := mustForecast(t, s, dayN(60), dayN(67), Options{AsOf: asOf})
			today := r.Days[0]
			if today.Lower < tc.wantFloor || today.Mean < tc.wantFloor {
				t.Errorf("today = %+v, want mean and lower ≥ %v", today, tc.wantFloor)
			}
			if tc.partial < base.Days[0].Lower {
				if diff := cmp.Diff(base.Days[0], today); diff != "" {
					t.Errorf("a small partial day changed today's forecast (-without +with):\n%s", diff)
				}
			}
			if diff := cmp.Diff(base.Days[1:], r.Days[1:]); diff != "" {
				t.Errorf("the partial day changed later days (-without +with):\n%s", diff)
			}
		})
	}
}

func TestMonthStartChargeRecurs(t *testing.T) {
	s := flat(120, 100, 0.03, 2) // 2024-01-01 … 2024-04-29
	for i := range s.Values {
		if dayN(i).Day() == 1 {
			s.Values[i] += 500
		}
	}
	r := mustForecast(t, s, dayN(120), dayN(165), Options{AsOf: dayN(120)})
	for _, d := range r.Days {
		want := 100.0
		if d.Start.Day() == 1 {
			want = 600
		}
		if math.Abs(d.Mean-want) > 0.05*want {
			t.Errorf("%s: mean %.1f, want about %.0f", d.Start.Format(time.DateOnly), d.Mean, want)
		}
		if d.Start.Day() == 1 && (d.Lower > want || d.Upper < want) {
			t.Errorf("%s: interval %.1f..%.1f misses %.0f", d.Start.Format(time.DateOnly), d.Lower, d.Upper, want)
		}
	}
	may := r.Months[1]
	if !may.Start.Equal(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)) || math.Abs(may.Mean-(31*100+500)) > 0.03*3600 {
		t.Errorf("May = %+v, want about %d", may, 31*100+500)
	}
}

func TestMonthStartChargeFollowsSpend(t *testing.T) {
	// Usage grows 10% a month and the charge on the first (tax, support) is
	// five days of the current spend, so each month's charge is larger than
	// the last: the median of past charges would lag two months behind.
	rng := rand.New(rand.NewPCG(4, 7))
	const days = 300
	level := func(i int) float64 { return 100 * math.Pow(1.1, float64(i)/30) }
	s := Series{Start: day0, Values: make([]float64, days)}
	for i := range s.Values {
		s.Values[i] = level(i) * (1 + 0.01*rng.NormFloat64())
		if dayN(i).Day() == 1 {
			s.Values[i] += 5 * level(i)
		}
	}
	r := mustForecast(t, s, dayN(days), dayN(days+40), Options{AsOf: dayN(days)})
	var firsts int
	for k, d := range r.Days {
		if d.Start.Day() != 1 {
			continue
		}
		want := 6 * level(days+k)
		if math.Abs(d.Mean-want) > 0.03*want {
			t.Errorf("%s: mean %.1f, want about %.0f", d.Start.Format(time.DateOnly), d.Mean, want)
		}
		if firsts == 0 && (d.Lower > want || d.Upper < want) {
			t.Errorf("%s: interval %.1f..%.1f misses %.0f", d.Start.Format(time.DateOnly), d.Lower, d.Upper, want)
		}
		firsts++
	}
	if firsts != 2 {
		t.Fatalf("%d firsts forecast, want 2", firsts)
	}
}

func TestOneOffSpikeDoesNotInflate(t *testing.T) {
	base := flat(90, 100, 0.04, 3)
	ref := mustForecast(t, base, dayN(90), dayN(120), Options{AsOf: dayN(90)})
	for _, at := range []int{45, 80, 89} {
		s := Series{Start: base.Start, Values: append([]float64(nil), base.Values...)}
		s.Values[at] = 2000
		r := mustForecast(t, s, dayN(90), dayN(120), Options{AsOf: dayN(90)})
		if got, want := r.Total.Mean, ref.Total.Mean; math.Abs(got-want) > 0.03*want {
			t.Errorf("spike on day %d: total mean %.0f, want within 3%% of %.0f", at, got, want)
		}
		if got := r.Days[0].Mean; math.Abs(got-100) > 6 {
			t.Errorf("spike on day %d: next day mean %.1f, want about 100", at, got)
		}
	}
}

func TestLevelShiftIsFollowed(t *testing.T) {
	s := flat(70, 150, 0.03, 4)
	for i := 64; i < 70; i++ {
		s.Values[i] /= 15
	}
	r := mustForecast(t, s, dayN(70), dayN(80), Options{AsOf: dayN(70)})
	for _, d := range r.Days {
		if d.Mean < 7 || d.Mean > 13 {
			t.Errorf("%s: mean %.1f, want the new level of about 10", d.Start.Format(time.DateOnly), d.Mean)
		}
	}
}

func TestWeeklySeasonality(t *testing.T) {
	s := flat(84, 100, 0.03, 5)
	for i := range s.Values {
		if wd := dayN(i).Weekday(); wd == time.Saturday || wd == time.Sunday {
			s.Values[i] *= 0.5
		}
	}
	r := mustForecast(t, s, dayN(84), dayN(98), Options{AsOf: dayN(84)})
	for _, d := range r.Days {
		want := 100.0
		if wd := d.Start.Weekday(); wd == time.Saturday || wd == time.Sunday {
			want = 50
		}
		if math.Abs(d.Mean-want) > 0.06*want {
			t.Errorf("%s %s: mean %.1f, want about %.0f", d.Start.Format(time.DateOnly), d.Start.Weekday(), d.Mean, want)
		}
	}
}

func TestIntervalWidensWithLevel(t *testing.T) {
	s := defaultOrg(7).series()
	s.Values = s.Values[:200]
	m, err := Fit(s, at(s, 200))
	if err != nil {
		t.Fatal(err)
	}
	width := func(p Point) float64 { return p.Upper - p.Lower }
	var prev *Result
	for _, l := range []float64{0.51, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99} {
		r, err := m.Forecast(at(s, 200), at(s, 260), l)
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, r)
		if prev != nil {
			if width(r.Total) <= width(prev.Total) {
				t.Errorf("level %v: total width %.1f not above %.1f at level %v", l, width(r.Total), width(prev.Total), prev.Level)
			}
			for i := range r.Days {
				if width(r.Days[i]) < width(prev.Days[i]) {
					t.Errorf("level %v day %d: width %.1f below %.1f at level %v", l, i, width(r.Days[i]), width(prev.Days[i]), prev.Level)
				}
			}
			for i := range r.Months {
				if width(r.Months[i]) < width(prev.Months[i]) {
					t.Errorf("level %v month %d: width %.1f below %.1f", l, i, width(r.Months[i]), width(prev.Months[i]))
				}
			}
		}
		prev = r
	}
}

func TestSumIntervalsAccountForCorrelation(t *testing.T) {
	s := defaultOrg(8).series()
	s.Values = s.Values[:300]
	r := mustForecast(t, s, at(s, 300), at(s, 300+540), Options{AsOf: at(s, 300), Level: 0.9})
	if len(r.Months) < 18 {
		t.Fatalf("got %d months, want at least 18", len(r.Months))
	}
	// Independent days would give a month a width near the root sum of
	// squares of its days' widths; shared level and trend errors make it
	// wider, and more so further out.
	rel := func(p Point) float64 { return (p.Upper - p.Lower) / p.Mean }
	first, last := r.Months[1], r.Months[len(r.Months)-2]
	if rel(last) <= rel(first) {
		t.Errorf("relative width of %s (%.3f) not above that of %s (%.3f)", last.Start.Format("2006-01"), rel(last), first.Start.Format("2006-01"), rel(first))
	}
	var ss float64
	for _, d := range r.Days {
		if !d.Start.Before(first.Start) && d.Start.Before(first.End) {
			ss += (d.Upper - d.Lower) * (d.Upper - d.Lower)
		}
	}
	if w := first.Upper - first.Lower; w <= math.Sqrt(ss) {
		t.Errorf("month width %.0f not above the independent-days width %.0f", w, math.Sqrt(ss))
	}
}

func TestDeterministic(t *testing.T) {
	s := defaultOrg(9).series()
	s.Values = s.Values[:150]
	opt := Options{AsOf: at(s, 150).Add(3 * time.Hour), Level: 0.8}
	a := mustForecast(t, s, at(s, 150), at(s, 200), opt)
	b := mustForecast(t, s, at(s, 150), at(s, 200), opt)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("two runs differ (-first +second):\n%s", diff)
	}
}

func TestDegenerateHistories(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values []float64
		check  func(t *testing.T, r *Result)
	}{
		{"all zero", make([]float64, 30), func(t *testing.T, r *Result) {
			if diff := cmp.Diff(Point{Start: dayN(30), End: dayN(60)}, r.Total); diff != "" {
				t.Errorf("total (-want +got):\n%s", diff)
			}
		}},
		{"shortest allowed", flat(MinHistoryDays, 50, 0.1, 10).Values, func(t *testing.T, r *Result) {
			if math.Abs(r.Days[0].Mean-50) > 10 {
				t.Errorf("mean %.1f, want about 50", r.Days[0].Mean)
			}
		}},
		{"constant", constant(40, 8.39), func(t *testing.T, r *Result) {
			if math.Abs(r.Days[0].Mean-8.39) > 1e-6 {
				t.Errorf("mean %v, want 8.39", r.Days[0].Mean)
			}
		}},
		{"mostly zero", sparse(60), func(t *testing.T, r *Result) {
			for _, d := range r.Days {
				if d.Lower < 0 {
					t.Errorf("%s: lower %v below zero", d.Start.Format(time.DateOnly), d.Lower)
				}
			}
		}},
		{"credits make it negative", shifted(flat(60, 20, 0.5, 11).Values, -15), func(t *testing.T, r *Result) {
			if r.Days[0].Lower >= 0 {
				t.Errorf("lower %v: a history with negative days should allow negative days", r.Days[0].Lower)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Series{Start: day0, Values: tc.values}
			r := mustForecast(t, s, dayN(len(tc.values)), dayN(len(tc.values)+30), Options{AsOf: dayN(len(tc.values))})
			tc.check(t, r)
		})
	}
}

func constant(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func sparse(n int) []float64 {
	out := make([]float64, n)
	for i := 0; i < n; i += 9 {
		out[i] = 40
	}
	return out
}

func shifted(xs []float64, d float64) []float64 {
	for i := range xs {
		xs[i] += d
	}
	return xs
}

func TestDataLag(t *testing.T) {
	s := flat(60, 100, 0.03, 12)
	asOf := dayN(63).Add(10 * time.Hour) // the last three days have not arrived
	m, err := Fit(s, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.Origin(), dayN(60); !got.Equal(want) {
		t.Errorf("Origin() = %s, want %s", got.Format(time.DateOnly), want.Format(time.DateOnly))
	}
	for _, from := range []time.Time{dayN(60), dayN(63)} {
		r := mustForecast(t, s, from, dayN(70), Options{AsOf: asOf})
		if !r.Days[0].Start.Equal(from) || len(r.Days) != daysBetween(from, dayN(70)) {
			t.Errorf("from %s: days %s…, %d of them", from.Format(time.DateOnly), r.Days[0].Start.Format(time.DateOnly), len(r.Days))
		}
	}
}

func TestErrors(t *testing.T) {
	good := flat(30, 100, 0.05, 13)
	withNaN := flat(30, 100, 0.05, 13)
	withNaN.Values[4] = math.NaN()
	for _, tc := range []struct {
		name     string
		hist     Series
		from, to time.Time
		opt      Options
		want     error
	}{
		{"too little history", flat(MinHistoryDays-1, 100, 0.05, 1), dayN(13), dayN(20), Options{AsOf: dayN(13)}, ErrInsufficientHistory},
		{"too little once the partial day is dropped", flat(MinHistoryDays, 100, 0.05, 1), dayN(13), dayN(20), Options{AsOf: dayN(13).Add(time.Hour)}, ErrInsufficientHistory},
		{"empty history", Series{Start: day0}, dayN(0), dayN(5), Options{AsOf: dayN(0)}, ErrInsufficientHistory},
		{"NaN in history", withNaN, dayN(30), dayN(40), Options{AsOf: dayN(30)}, ErrInvalidInput},
		{"history after as-of", good, dayN(30), dayN(40), Options{AsOf: dayN(20)}, ErrInvalidInput},
		{"no as-of", good, dayN(30), dayN(40), Options{}, ErrInvalidInput},
		{"start not midnight", Series{Start: day0.Add(time.Hour), Values: good.Values}, dayN(31), dayN(40), Options{AsOf: dayN(31)}, ErrInvalidInput},
		{"level too low", good, dayN(30), dayN(40), Options{AsOf: dayN(30), Level: 0.5}, ErrInvalidInput},
		{"level too high", good, dayN(30), dayN(40), Options{AsOf: dayN(30), Level: 1}, ErrInvalidInput},
		{"level as a percentage", good, dayN(30), dayN(40), Options{AsOf: dayN(30), Level: 80}, ErrInvalidInput},
		{"empty range", good, dayN(30), dayN(30), Options{AsOf: dayN(30)}, ErrInvalidInput},
		{"range inside history", good, dayN(29), dayN(40), Options{AsOf: dayN(30)}, ErrInvalidInput},
		{"range not on midnights", good, dayN(30).Add(time.Hour), dayN(40), Options{AsOf: dayN(30)}, ErrInvalidInput},
		{"range too long", good, dayN(30), dayN(30 + MaxHorizonDays + 1), Options{AsOf: dayN(30)}, ErrInvalidInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Forecast(tc.hist, tc.from, tc.to, tc.opt)
			if !errors.Is(err, tc.want) {
				t.Errorf("got error %v, want %v", err, tc.want)
			}
		})
	}
}

func TestDefaultLevel(t *testing.T) {
	s := flat(40, 100, 0.05, 14)
	a := mustForecast(t, s, dayN(40), dayN(45), Options{AsOf: dayN(40)})
	b := mustForecast(t, s, dayN(40), dayN(45), Options{AsOf: dayN(40), Level: DefaultLevel})
	if diff := cmp.Diff(b, a); diff != "" {
		t.Errorf("zero level differs from DefaultLevel (-want +got):\n%s", diff)
	}
}
