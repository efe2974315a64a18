package forecast

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The project's targets for the model on a synthetic organisation: MAPE at
// least 20% lower than the better baseline, and empirical coverage within 5
// points of the nominal level, for days and for horizon sums. Coverage is
// measured over overlapping horizons, so one organisation's figure moves by
// several points with its particular spikes and level shifts; the tests
// pool a few organisations of the same character to measure the model
// rather than one draw.
const (
	targetMAPERatio = 0.8
	targetCoverage  = 5.0
)

// pooledBacktest backtests every series with cfg and pools the reports:
// MAPEs and coverages weighted by the forecasts behind them.
func pooledBacktest(t *testing.T, name string, series []Series, cfg BacktestConfig) Report {
	t.Helper()
	var pooled Report
	for i, s := range series {
		c := cfg
		c.Name = fmt.Sprintf("%s %d", name, i+1)
		rep, err := Backtest(s, c)
		if err != nil {
			t.Fatal(err)
		}
		t.Log("\n" + rep.Markdown())
		if i == 0 {
			pooled = Report{Config: rep.Config, Methods: make([]MethodMetrics, len(rep.Methods))}
			pooled.Config.Name = fmt.Sprintf("%s, %d organisations pooled", name, len(series))
			for k, m := range rep.Methods {
				pooled.Methods[k] = MethodMetrics{Method: m.Method,
					DailyCoverage: make([]float64, len(m.DailyCoverage)), TotalCoverage: make([]float64, len(m.TotalCoverage))}
			}
		}
		pooled.Origins += rep.Origins
		for k, m := range rep.Methods {
			p := &pooled.Methods[k]
			p.DailyMAPE += m.DailyMAPE * float64(rep.Origins)
			p.TotalMAPE += m.TotalMAPE * float64(rep.Origins)
			for l := range m.DailyCoverage {
				if m.Days > 0 {
					p.DailyCoverage[l] += m.DailyCoverage[l] * float64(m.Days)
				}
				if m.Totals > 0 {
					p.TotalCoverage[l] += m.TotalCoverage[l] * float64(m.Totals)
				}
			}
			p.Days += m.Days
			p.Totals += m.Totals
		}
	}
	for k := range pooled.Methods {
		p := &pooled.Methods[k]
		p.DailyMAPE /= float64(pooled.Origins)
		p.TotalMAPE /= float64(pooled.Origins)
		for l := range p.DailyCoverage {
			p.DailyCoverage[l] /= float64(p.Days)
			p.TotalCoverage[l] /= float64(p.Totals)
		}
	}
	t.Log("\n" + pooled.Markdown())
	return pooled
}

// checkTargets asserts the project's targets on a backtest report.
func checkTargets(t *testing.T, rep Report) {
	t.Helper()
	model, _ := rep.Method(MethodModel)
	naive, _ := rep.Method(MethodSeasonalNaive)
	trailing, _ := rep.Method(MethodTrailingMean)
	for _, c := range []struct {
		name        string
		model, best float64
	}{
		{"daily MAPE", model.DailyMAPE, math.Min(naive.DailyMAPE, trailing.DailyMAPE)},
		{"horizon-sum MAPE", model.TotalMAPE, math.Min(naive.TotalMAPE, trailing.TotalMAPE)},
	} {
		if c.model > targetMAPERatio*c.best {
			t.Errorf("%s %.2f%%, want at least 20%% below the better baseline's %.2f%%", c.name, c.model, c.best)
		}
	}
	for k, l := range rep.Config.Levels {
		for _, c := range []struct {
			name string
			got  float64
		}{{"daily", model.DailyCoverage[k]}, {"horizon-sum", model.TotalCoverage[k]}} {
			if math.Abs(c.got-100*l) > targetCoverage {
				t.Errorf("%s coverage at %.0f%% is %.1f%%, want within %.0f points", c.name, 100*l, c.got, targetCoverage)
			}
		}
	}
}

func TestBacktestSynthetic(t *testing.T) {
	if testing.Short() {
		t.Skip("backtest over 4×59 origins")
	}
	var series []Series
	for seed := uint64(1); seed <= 4; seed++ {
		series = append(series, defaultOrg(seed).series())
	}
	checkTargets(t, pooledBacktest(t, "synthetic organisation", series,
		BacktestConfig{Horizon: 30, MinHistory: 120, Step: 10}))
}

func TestBacktestQuietOrganisation(t *testing.T) {
	if testing.Short() {
		t.Skip("backtest over 6×45 origins")
	}
	// The organisation `tally backtest` generates (internal/synth) has
	// nearly noiseless usage that steps up every month, month-start charges
	// worth days of spend and rare spikes: most of a month's error is shared
	// by its days, so this is where intervals of sums are tested hardest.
	// The backtest is the one `tally backtest` runs.
	var series []Series
	for seed := uint64(1); seed <= 6; seed++ {
		series = append(series, quietOrg(seed).series())
	}
	checkTargets(t, pooledBacktest(t, "quiet organisation", series, BacktestConfig{Horizon: 30}))
}

func TestBacktestWorkshop(t *testing.T) {
	s := workshopDaily(t)
	// What the three files hold: 92 consecutive days, every one with spend,
	// December complete but at a much lower level (see workshop_test.go).
	if got, want := len(s.Values), 92; got != want || !s.Start.Equal(time.Date(2018, 10, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("workshop series starts %s with %d days, want 2018-10-01 and %d", s.Start.Format(time.DateOnly), got, want)
	}
	for i, v := range s.Values {
		if v <= 0 {
			t.Errorf("%s: spend %v, want positive", s.Start.AddDate(0, 0, i).Format(time.DateOnly), v)
		}
	}
	for _, cfg := range []BacktestConfig{
		{Name: "Workshop CUR Oct–Dec 2018, 14-day horizon", Horizon: 14, MinHistory: 28, Step: 1},
		{Name: "Workshop CUR Oct–Dec 2018, 28-day horizon", Horizon: 28, MinHistory: 28, Step: 1},
		// Origins from 2018-11-28, once the late-November drop is in the
		// history: the regime December's forecasts are made in.
		{Name: "Workshop CUR, origins after the November drop, 14-day horizon", Horizon: 14, MinHistory: 58, Step: 1},
	} {
		rep, err := Backtest(s, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Log("\n" + rep.Markdown())
		model, _ := rep.Method(MethodModel)
		if rep.Origins == 0 || math.IsNaN(model.DailyMAPE) || math.IsNaN(model.DailyCoverage[0]) {
			t.Errorf("%s: nothing measured: %+v", cfg.Name, rep)
		}
	}
}

func TestBaselines(t *testing.T) {
	y := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30}
	for _, tc := range []struct {
		name string
		fc   baseline
		want []float64
	}{
		{"seasonal-naive", seasonalNaive, []float64{24, 25, 26, 27, 28, 29, 30, 24, 25}},
		{"trailing mean", trailingMean, []float64{16.5, 16.5, 16.5, 16.5, 16.5, 16.5, 16.5, 16.5, 16.5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.fc(y, 30, 9)); diff != "" {
				t.Errorf("forecast (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReportMarkdown(t *testing.T) {
	rep := Report{
		Config:  BacktestConfig{Name: "demo", Horizon: 30, MinHistory: 56, Step: 7, Levels: []float64{0.8, 0.95}},
		Origins: 3,
		Methods: []MethodMetrics{
			{Method: MethodModel, DailyMAPE: 5, TotalMAPE: 2.5, DailyCoverage: []float64{80, 95}, TotalCoverage: []float64{66.66666, 100}, Days: 90, Totals: 3},
			{Method: MethodSeasonalNaive, DailyMAPE: 12.345, TotalMAPE: 7, DailyCoverage: []float64{math.NaN(), math.NaN()}, TotalCoverage: []float64{math.NaN(), math.NaN()}},
		},
	}
	want := "**demo** — 3 origins every 7 days after 56 days of history, horizon 30 days\n\n" +
		"| method | daily MAPE | horizon-sum MAPE | daily cov. 80% | daily cov. 95% | sum cov. 80% | sum cov. 95% | days / sums scored |\n" +
		"|---|---:|---:|---:|---:|---:|---:|---:|\n" +
		"| model | 5.00% | 2.50% | 80.0% | 95.0% | 66.7% | 100.0% | 90 / 3 |\n" +
		"| seasonal-naive | 12.35% | 7.00% | – | – | – | – | 0 / 0 |\n"
	if diff := cmp.Diff(want, rep.Markdown()); diff != "" {
		t.Errorf("Markdown (-want +got):\n%s", diff)
	}
}
