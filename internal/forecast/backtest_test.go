package forecast

import (
	"testing"
)

func TestBacktestSynthetic(t *testing.T) {
	s := defaultOrg(1).series()
	rep, err := Backtest(s, BacktestConfig{Name: "synthetic organisation", Horizon: 30, MinHistory: 120, Step: 5})
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + rep.Markdown())
}

func TestBacktestWorkshop(t *testing.T) {
	s := workshopDaily(t)
	rep, err := Backtest(s, BacktestConfig{Name: "Workshop CUR Oct–Dec 2018", Horizon: 14, MinHistory: 28, Step: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + rep.Markdown())
}
