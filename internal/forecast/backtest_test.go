package forecast

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestBacktestSynthetic(t *testing.T) {
	if testing.Short() {
		t.Skip("backtest over 117 origins")
	}
	s := defaultOrg(1).series()
	rep, err := Backtest(s, BacktestConfig{Name: "synthetic organisation", Horizon: 30, MinHistory: 120, Step: 5})
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + rep.Markdown())
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
		if c.model > 0.8*c.best {
			t.Errorf("%s %.2f%%, want at least 20%% below the better baseline's %.2f%%", c.name, c.model, c.best)
		}
	}
	for k, l := range rep.Config.Levels {
		for _, c := range []struct {
			name string
			got  float64
		}{{"daily", model.DailyCoverage[k]}, {"horizon-sum", model.TotalCoverage[k]}} {
			if math.Abs(c.got-100*l) > 5 {
				t.Errorf("%s coverage at %.0f%% is %.1f%%, want within 5 points", c.name, 100*l, c.got)
			}
		}
	}
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
