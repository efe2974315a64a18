package forecast

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Method names in a Report.
const (
	MethodModel         = "model"
	MethodSeasonalNaive = "seasonal-naive"
	MethodTrailingMean  = "trailing-28-mean"
)

// baselineWindow is the history the trailing-mean baseline averages, and the
// least history either baseline is evaluated on.
const baselineWindow = 28

// BacktestConfig sets up a rolling-origin backtest.
type BacktestConfig struct {
	// Name labels the report.
	Name string
	// Horizon is how many days are forecast from each origin (default 30).
	Horizon int
	// MinHistory is how many complete days precede the first origin
	// (default 56, at least MinHistoryDays).
	MinHistory int
	// Step is how many days separate consecutive origins (default 7).
	Step int
	// Levels are the interval levels whose coverage is measured (default
	// 0.80 and 0.95).
	Levels []float64
}

// withDefaults fills the zero fields of c.
func (c BacktestConfig) withDefaults() BacktestConfig {
	if c.Horizon <= 0 {
		c.Horizon = 30
	}
	if c.MinHistory <= 0 {
		c.MinHistory = 56
	}
	c.MinHistory = max(c.MinHistory, MinHistoryDays)
	if c.Step <= 0 {
		c.Step = 7
	}
	if len(c.Levels) == 0 {
		c.Levels = []float64{0.80, 0.95}
	}
	return c
}

// MethodMetrics are one method's backtest figures. Percentages are 0–100.
type MethodMetrics struct {
	// Method is MethodModel, MethodSeasonalNaive or MethodTrailingMean.
	Method string
	// DailyMAPE is the mean absolute percentage error of the daily means
	// over every forecast day whose actual amount is not zero.
	DailyMAPE float64
	// TotalMAPE is the same for the sum over each origin's horizon.
	TotalMAPE float64
	// DailyCoverage[k] is the share of forecast days whose actual amount lies
	// within the interval at Levels[k]; TotalCoverage[k] the share of
	// horizon sums.
	DailyCoverage, TotalCoverage []float64
	// Days and Totals count the forecasts behind the coverage figures; a
	// baseline has none until its own errors can be measured.
	Days, Totals int
}

// Report is the outcome of Backtest.
type Report struct {
	// Config is the configuration used, defaults filled in.
	Config BacktestConfig
	// Origins is the number of forecast origins.
	Origins int
	// Methods lists the model first, then the two baselines.
	Methods []MethodMetrics
}

// Method returns the metrics of the named method, or false.
func (r Report) Method(name string) (MethodMetrics, bool) {
	for _, m := range r.Methods {
		if m.Method == name {
			return m, true
		}
	}
	return MethodMetrics{}, false
}

// Backtest forecasts, from origins every Step days after MinHistory, the
// next Horizon days of s from the days before each origin only, and scores
// the model against two baselines: seasonal-naive (the same weekday of the
// last complete week) and the mean of the trailing 28 days. Each baseline's
// intervals come from its own errors at earlier origins (empirical quantiles
// of actual/forecast ratios, pooled over horizons for days, over whole
// horizons for sums), so their coverage is comparable with the model's.
func Backtest(s Series, cfg BacktestConfig) (Report, error) {
	cfg = cfg.withDefaults()
	rep := Report{Config: cfg}
	model := newScore(MethodModel, len(cfg.Levels))
	naive := newScore(MethodSeasonalNaive, len(cfg.Levels))
	trailing := newScore(MethodTrailingMean, len(cfg.Levels))
	y := s.Values
	for o := cfg.MinHistory; o+cfg.Horizon <= len(y); o += cfg.Step {
		rep.Origins++
		actual := y[o : o+cfg.Horizon]
		if err := scoreModel(model, s, o, cfg, actual); err != nil {
			return rep, err
		}
		scoreBaseline(naive, y, o, cfg, actual, seasonalNaive)
		scoreBaseline(trailing, y, o, cfg, actual, trailingMean)
	}
	rep.Methods = []MethodMetrics{model.metrics(), naive.metrics(), trailing.metrics()}
	return rep, nil
}

// scoreModel fits the model on the days before origin o and scores its
// forecasts of actual at every level.
func scoreModel(sc *score, s Series, o int, cfg BacktestConfig, actual []float64) error {
	hist := Series{Start: s.Start, Values: s.Values[:o]}
	from := s.Start.AddDate(0, 0, o)
	m, err := Fit(hist, from)
	if err != nil {
		return fmt.Errorf("backtest origin %s: %w", from.Format("2006-01-02"), err)
	}
	var runs []*Result
	for _, l := range cfg.Levels {
		r, err := m.Forecast(from, from.AddDate(0, 0, cfg.Horizon), l)
		if err != nil {
			return fmt.Errorf("backtest origin %s: %w", from.Format("2006-01-02"), err)
		}
		runs = append(runs, r)
	}
	var tot float64
	for h, a := range actual {
		sc.addDayError(a, runs[0].Days[h].Mean)
		for k, r := range runs {
			sc.addDayCover(k, a, r.Days[h].Lower, r.Days[h].Upper)
		}
		tot += a
	}
	sc.addTotalError(tot, runs[0].Total.Mean)
	for k, r := range runs {
		sc.addTotalCover(k, tot, r.Total.Lower, r.Total.Upper)
	}
	return nil
}

// baseline forecasts h days from the days before origin o of y.
type baseline func(y []float64, o, h int) []float64

// seasonalNaive repeats the last complete week.
func seasonalNaive(y []float64, o, h int) []float64 {
	f := make([]float64, h)
	for k := range f {
		f[k] = y[o-7+k%7]
	}
	return f
}

// trailingMean forecasts the mean of the last 28 days for every day.
func trailingMean(y []float64, o, h int) []float64 {
	f := make([]float64, h)
	avg := mean(y[o-baselineWindow : o])
	for k := range f {
		f[k] = avg
	}
	return f
}

// scoreBaseline scores one baseline at origin o, with intervals from the
// ratios actual/forecast it achieved at earlier origins whose outcomes are
// known before o.
func scoreBaseline(sc *score, y []float64, o int, cfg BacktestConfig, actual []float64, fc baseline) {
	var dayRatios, totRatios []float64
	for p := baselineWindow; p < o; p++ {
		f := fc(y, p, min(cfg.Horizon, o-p))
		var fs, as float64
		for k, v := range f {
			if v > 0 {
				dayRatios = append(dayRatios, y[p+k]/v)
			}
			fs += v
			as += y[p+k]
		}
		if len(f) == cfg.Horizon && fs > 0 {
			totRatios = append(totRatios, as/fs)
		}
	}
	slices.Sort(dayRatios)
	slices.Sort(totRatios)
	f := fc(y, o, cfg.Horizon)
	var fs, as float64
	for k, a := range actual {
		sc.addDayError(a, f[k])
		fs += f[k]
		as += a
		if len(dayRatios) > 0 && f[k] > 0 {
			for li, l := range cfg.Levels {
				lo, hi := ratioBounds(dayRatios, l)
				sc.addDayCover(li, a, f[k]*lo, f[k]*hi)
			}
		}
	}
	sc.addTotalError(as, fs)
	if len(totRatios) > 0 && fs > 0 {
		for li, l := range cfg.Levels {
			lo, hi := ratioBounds(totRatios, l)
			sc.addTotalCover(li, as, fs*lo, fs*hi)
		}
	}
}

// ratioBounds returns the central interval at level l of sorted ratios.
func ratioBounds(sorted []float64, l float64) (lo, hi float64) {
	return quantileSorted(sorted, (1-l)/2), quantileSorted(sorted, (1+l)/2)
}

// score accumulates one method's errors and coverage.
type score struct {
	method                 string
	dayAPE, totAPE         []float64
	dayIn, totIn           []int
	dayCoverN, totalCoverN []int
}

func newScore(method string, levels int) *score {
	return &score{
		method: method, dayIn: make([]int, levels), totIn: make([]int, levels),
		dayCoverN: make([]int, levels), totalCoverN: make([]int, levels),
	}
}

func (s *score) addDayError(actual, mean float64) {
	if actual != 0 {
		s.dayAPE = append(s.dayAPE, math.Abs(actual-mean)/math.Abs(actual))
	}
}

func (s *score) addTotalError(actual, mean float64) {
	if actual != 0 {
		s.totAPE = append(s.totAPE, math.Abs(actual-mean)/math.Abs(actual))
	}
}

func (s *score) addDayCover(k int, actual, lo, hi float64) {
	s.dayCoverN[k]++
	if actual >= lo && actual <= hi {
		s.dayIn[k]++
	}
}

func (s *score) addTotalCover(k int, actual, lo, hi float64) {
	s.totalCoverN[k]++
	if actual >= lo && actual <= hi {
		s.totIn[k]++
	}
}

// metrics summarises the score in percent.
func (s *score) metrics() MethodMetrics {
	m := MethodMetrics{
		Method:    s.method,
		DailyMAPE: 100 * mean(s.dayAPE),
		TotalMAPE: 100 * mean(s.totAPE),
		Days:      s.dayCoverN[0],
		Totals:    s.totalCoverN[0],
	}
	for k := range s.dayIn {
		m.DailyCoverage = append(m.DailyCoverage, percent(s.dayIn[k], s.dayCoverN[k]))
		m.TotalCoverage = append(m.TotalCoverage, percent(s.totIn[k], s.totalCoverN[k]))
	}
	return m
}

// percent returns 100·a/b, NaN when b is zero.
func percent(a, b int) float64 {
	if b == 0 {
		return math.NaN()
	}
	return 100 * float64(a) / float64(b)
}

// Markdown renders the report as a Markdown table, one row per method.
func (r Report) Markdown() string {
	var b strings.Builder
	c := r.Config
	fmt.Fprintf(&b, "**%s** — %d origins every %d days after %d days of history, horizon %d days\n\n",
		c.Name, r.Origins, c.Step, c.MinHistory, c.Horizon)
	b.WriteString("| method | daily MAPE | horizon-sum MAPE |")
	for _, l := range c.Levels {
		fmt.Fprintf(&b, " daily cov. %.0f%% |", 100*l)
	}
	for _, l := range c.Levels {
		fmt.Fprintf(&b, " sum cov. %.0f%% |", 100*l)
	}
	b.WriteString(" days / sums scored |\n|---|---:|---:|")
	for range 2 * len(c.Levels) {
		b.WriteString("---:|")
	}
	b.WriteString("---:|\n")
	for _, m := range r.Methods {
		fmt.Fprintf(&b, "| %s | %.2f%% | %.2f%% |", m.Method, m.DailyMAPE, m.TotalMAPE)
		for _, v := range m.DailyCoverage {
			fmt.Fprintf(&b, " %s |", fmtPct(v))
		}
		for _, v := range m.TotalCoverage {
			fmt.Fprintf(&b, " %s |", fmtPct(v))
		}
		fmt.Fprintf(&b, " %d / %d |\n", m.Days, m.Totals)
	}
	return b.String()
}

// fmtPct formats a percentage, or a dash when there is none.
func fmtPct(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", v)
}
