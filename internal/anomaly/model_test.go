package anomaly

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var start = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC) // a Monday

// weekly returns n days of 100 on weekdays and 55 at weekends, with a
// little deterministic noise.
func weekly(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = 100
		if i%7 >= 5 {
			x[i] = 55
		}
		x[i] *= 1 + 0.02*float64((i*7)%5-2)/2
	}
	return x
}

func spans(eps []Episode) [][2]int {
	var out [][2]int
	for _, e := range eps {
		out = append(out, [2]int{e.Start, e.End})
	}
	return out
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func([]float64) []float64
		want [][2]int
	}{
		{"quiet weekly series", func(x []float64) []float64 { return x }, nil},
		{"two-day spike", func(x []float64) []float64 { x[40] *= 4; x[41] *= 3; return x }, [][2]int{{40, 41}}},
		{"level shift is one episode until the window learns it", func(x []float64) []float64 {
			for i := 50; i < len(x); i++ {
				x[i] *= 1.6
			}
			return x
		}, [][2]int{{50, 77}}},
		{"level shift that ends", func(x []float64) []float64 {
			for i := 50; i < 62; i++ {
				x[i] *= 1.6
			}
			return x
		}, [][2]int{{50, 61}}},
		{"new service", func(x []float64) []float64 {
			for i := range 60 {
				x[i] = 0
			}
			return x
		}, [][2]int{{60, 87}}},
		{"a drop is no anomaly", func(x []float64) []float64 { x[45] = 0; return x }, nil},
		{"one quiet day inside a raised spell", func(x []float64) []float64 {
			for _, i := range []int{37, 38, 40, 41} {
				x[i] *= 3
			}
			return x
		}, [][2]int{{37, 41}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := spans(Detect(start, tc.edit(weekly(90)), Options{}))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("episodes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestImpact(t *testing.T) {
	x := weekly(60)
	x[30] += 500 // a Wednesday
	eps := Detect(start, x, Options{})
	if len(eps) != 1 {
		t.Fatalf("got %d episodes, want 1", len(eps))
	}
	e := eps[0]
	if got := e.Impact(); got < 495 || got > 505 {
		t.Errorf("Impact = %v, want about 500", got)
	}
	if e.MaxImpact() != e.Impact() || e.Actual()-e.Expected() != e.Impact() {
		t.Errorf("one-day episode: MaxImpact %v, Actual %v, Expected %v, Impact %v", e.MaxImpact(), e.Actual(), e.Expected(), e.Impact())
	}
}

func TestCausal(t *testing.T) {
	x := weekly(80)
	x[40] *= 5
	full := Detect(start, x, Options{})
	upTo := Detect(start, x[:41], Options{})
	if diff := cmp.Diff(full, upTo); diff != "" {
		t.Errorf("episodes from the whole series and from the data up to the spike differ (-whole +prefix):\n%s", diff)
	}
}

func TestZScoreFindsSpike(t *testing.T) {
	x := weekly(60)
	x[40] *= 4
	if got := spans(ZScore(x, Options{})); len(got) == 0 {
		t.Errorf("ZScore found nothing in a fourfold spike")
	}
}

func TestWeeklyJobIsLearnt(t *testing.T) {
	x := weekly(120)
	mondays := 0
	for i := 35; i < len(x); i += 7 {
		x[i] *= 3
		mondays++
	}
	got := Detect(start, x, Options{})
	if len(got) == 0 || len(got) > 3 {
		t.Errorf("a job every Monday from day 35 gave episodes %v; want the first Mondays only, of %d", spans(got), mondays)
	}
}

// A small level shift whose days cross the threshold only now and then is
// one episode from its first day, its impact summed over all its days.
func TestLevelShiftNearThreshold(t *testing.T) {
	x := weekly(120)
	added := 0.0
	for i := 64; i < 84; i++ {
		added += 0.16 * x[i] // z between 4 and 6
		x[i] *= 1.16
	}
	got := Detect(start, x, Options{})
	if len(got) != 1 {
		t.Fatalf("episodes %v, want one from day 64", spans(got))
	}
	e := got[0]
	if e.Start != 64 || e.End != 83 {
		t.Errorf("episode %d..%d, want 64..83", e.Start, e.End)
	}
	if imp := e.Impact(); imp < added*0.9 || imp > added*1.1 {
		t.Errorf("Impact = %.1f, want about %.1f", imp, added)
	}
	for n := 65; n <= len(x); n++ {
		if p := Detect(start, x[:n], Options{}); len(p) != 1 || p[0].Start != 64 {
			t.Fatalf("with the data up to day %d: episodes %v, want one from day 64", n-1, spans(p))
		}
	}
}
