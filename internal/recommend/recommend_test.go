package recommend

import (
	"math"
	"testing"
)

func TestReservedInstances(t *testing.T) {
	// 10 hours: 2 instances always, a third in 3 hours, a fourth in 1 hour.
	usage := []float64{2, 2, 3, 3, 3, 2, 2, 4, 2, 2}
	for _, tc := range []struct {
		name  string
		rates RIRates
		want  int
	}{
		// e/p = 0.25: buy while at least a quarter of the hours use n.
		{"cheap", RIRates{OnDemand: 1, Effective: 0.25}, 3},
		{"mid", RIRates{OnDemand: 1, Effective: 0.6}, 2},
		// The third runs 4 hours in 10: a tie at 0.4 keeps the smaller count.
		{"at break-even", RIRates{OnDemand: 1, Effective: 0.4}, 2},
		{"dearer than on demand", RIRates{OnDemand: 1, Effective: 1.2}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ReservedInstances(usage, tc.rates, Ahead{})
			if got.Count != tc.want {
				t.Errorf("count = %d, want %d", got.Count, tc.want)
			}
			// No other count saves more (brute force).
			for n := 0; n <= 5; n++ {
				if s := RISavings(usage, n, tc.rates); s > got.Savings+1e-9 {
					t.Errorf("n=%d saves %v > chosen %v", n, s, got.Savings)
				}
			}
		})
	}
	r := ReservedInstances(usage, RIRates{OnDemand: 1, Effective: 0.25}, Ahead{})
	// 3 instances: covered = 2*6 + 3*4 = 24 of 30 purchased hours.
	if r.Covered != 24 || math.Abs(r.Utilization()-100*24.0/30) > 1e-9 || r.Maximum != 4 || r.Minimum != 2 || r.Average != 2.5 {
		t.Errorf("got %+v", r)
	}
	if want := 24 - 0.25*30; math.Abs(r.Savings-want) > 1e-9 {
		t.Errorf("savings = %v, want %v", r.Savings, want)
	}
}

func TestSavingsPlan(t *testing.T) {
	spend := []float64{10, 10, 10, 10, 4, 4, 0, 0}
	// d = 0.3: covering level k is worth it while P(s_h ≥ k) > 0.7.
	got := SavingsPlan(spend, 0.3)
	if want := 4 * 0.7; math.Abs(got.Commitment-want) > 1e-9 {
		t.Errorf("commitment = %v, want %v", got.Commitment, want)
	}
	// Covered: 4 per hour in 6 hours; cost 2.8 * 8.
	if want := 24 - 2.8*8; math.Abs(got.Savings-want) > 1e-9 {
		t.Errorf("savings = %v, want %v", got.Savings, want)
	}
	if b := BestSPSavings(spend, 0.3); math.Abs(b-got.Savings) > 1e-9 {
		t.Errorf("best %v, chosen %v", b, got.Savings)
	}
	if got := SavingsPlan(spend, 0.1); got.Commitment != 0 || got.Savings != 0 {
		t.Errorf("small discount: %+v, want no commitment", got)
	}
	if got := SavingsPlan([]float64{5, 5}, 0.5); got.Utilization() != 100 {
		t.Errorf("steady spend utilization = %v", got.Utilization())
	}
}

func TestRecency(t *testing.T) {
	// Three instances for three weeks, then one for the last week: the
	// choice follows the last week, the figures cover the whole look-back.
	usage := make([]float64, 4*RecentHours)
	for i := range usage {
		usage[i] = 3
		if i >= 3*RecentHours {
			usage[i] = 1
		}
	}
	rates := RIRates{OnDemand: 1, Effective: 0.5}
	r := ReservedInstances(usage, rates, Ahead{})
	if r.Count != 1 || r.Average != 2.5 || r.Savings != RISavings(usage, 1, rates) {
		t.Errorf("got %+v, want 1 instance over an average of 2.5", r)
	}
	sp := SavingsPlan(usage, 0.5)
	if want := 0.5; math.Abs(sp.Commitment-want) > 1e-9 {
		t.Errorf("commitment = %v, want %v", sp.Commitment, want)
	}
}

func TestNewSteadyLevel(t *testing.T) {
	rates := RIRates{OnDemand: 1, Effective: 0.6}
	// One instance all along, a second launched 15 hours before the end and
	// running since: the last week alone (share 15/168) would not buy it.
	usage := make([]float64, 2*RecentHours)
	for i := range usage {
		usage[i] = 1
		if i >= len(usage)-15 {
			usage[i] = 2
		}
	}
	if got := ReservedInstances(usage, rates, Ahead{}).Count; got != 2 {
		t.Errorf("count = %d, want 2 (the new steady instance)", got)
	}
	// Launched SteadyHours−1 hours before the end: too recent to count.
	for i := range usage {
		usage[i] = 1
		if i >= len(usage)-(SteadyHours-1) {
			usage[i] = 2
		}
	}
	if got := ReservedInstances(usage, rates, Ahead{}).Count; got != 1 {
		t.Errorf("count = %d, want 1", got)
	}
	// A level reached before in the week is not new: a daily peak of 2 that
	// happens to last to the end is judged on its share of the week.
	for i := range usage {
		usage[i] = 1
		if i%24 >= 10 {
			usage[i] = 2
		}
	}
	want, _ := bestCount(usage[len(usage)-RecentHours:], rates)
	if got := ReservedInstances(usage, rates, Ahead{}).Count; got != want {
		t.Errorf("count = %d, want %d (last week's choice)", got, want)
	}
}

func TestExpiringCommitments(t *testing.T) {
	rates := RIRates{OnDemand: 1, Effective: 0.6}
	// One instance on demand; a reservation covered a second one all week
	// and expires a quarter into the projection: the second is then on
	// demand for 3/4 of the hours (> 0.6), so it is worth reserving.
	usage := make([]float64, 2*RecentHours)
	for i := range usage {
		usage[i] = 1
	}
	covered := make([]float64, RecentHours)
	for i := range covered {
		covered[i] = 1
	}
	back := Ahead{Returning: []Returning{{From: ProjectionHours / 4, Usage: covered}}}
	if got := ReservedInstances(usage, rates, back).Count; got != 2 {
		t.Errorf("count = %d, want 2", got)
	}
	// Expiring after half the projection: on demand half the hours (< 0.6).
	back.Returning[0].From = ProjectionHours / 2
	if got := ReservedInstances(usage, rates, back).Count; got != 1 {
		t.Errorf("late expiry: count = %d, want 1", got)
	}
	// Savings Plans with unused commitment worth one instance-hour each hour
	// absorb the returning instance: nothing more to reserve.
	back.Returning[0].From = 0
	back.Slack = make([]float64, RecentHours)
	for i := range back.Slack {
		back.Slack[i] = rates.OnDemand
	}
	if got := ReservedInstances(usage, rates, back).Count; got != 1 {
		t.Errorf("with slack: count = %d, want 1", got)
	}
}

// TestReservedNodesPartialHours: the model is the same for every service
// (internal/costexplorer's riServices); RDS instances are billed per second
// (ten minutes at least), so an hour's usage can be fractional. 24 hours: one node always, a second for 0.75 of every hour
// in 16 of them and not at all in 8 (0.5 of its 24 hours in total).
func TestReservedNodesPartialHours(t *testing.T) {
	usage := make([]float64, 24)
	for h := range usage {
		usage[h] = 1
		if h < 16 {
			usage[h] += 0.75
		}
	}
	for _, tc := range []struct {
		name  string
		rates RIRates
		want  int
	}{
		// The second node covers 12 of its 24 hours: worth it below 0.5.
		{"below half", RIRates{OnDemand: 0.5, Effective: 0.24}, 2},
		{"above half", RIRates{OnDemand: 0.5, Effective: 0.26}, 1},
	} {
		got := ReservedInstances(usage, tc.rates, Ahead{})
		if got.Count != tc.want {
			t.Errorf("%s: count = %d, want %d", tc.name, got.Count, tc.want)
		}
		// S(2) − S(1) = p · 12 − e · 24.
		if d := RISavings(usage, 2, tc.rates) - RISavings(usage, 1, tc.rates); math.Abs(d-(tc.rates.OnDemand*12-tc.rates.Effective*24)) > 1e-9 {
			t.Errorf("%s: S(2)−S(1) = %v", tc.name, d)
		}
	}
}
