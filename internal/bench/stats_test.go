package bench

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSummarise(t *testing.T) {
	msList := func(vs ...int) []time.Duration {
		out := make([]time.Duration, len(vs))
		for i, v := range vs {
			out[i] = time.Duration(v) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i // 100 ms down to 1 ms, unsorted
	}
	for _, tc := range []struct {
		name string
		in   []time.Duration
		want Timing
	}{
		{"empty", nil, Timing{}},
		{"one", msList(7), Timing{Runs: 1, P50: 7, P95: 7, Min: 7, Max: 7}},
		{"two", msList(9, 3), Timing{Runs: 2, P50: 3, P95: 9, Min: 3, Max: 9}},
		{"five", msList(5, 1, 4, 2, 3), Timing{Runs: 5, P50: 3, P95: 5, Min: 1, Max: 5}},
		{"twenty", msList(20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1),
			Timing{Runs: 20, P50: 10, P95: 19, Min: 1, Max: 20}},
		{"hundred", msList(hundred...), Timing{Runs: 100, P50: 50, P95: 95, Min: 1, Max: 100}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, summarise(tc.in)); diff != "" {
				t.Errorf("summarise (-want +got):\n%s", diff)
			}
		})
	}
}
