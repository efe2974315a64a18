package bench

import (
	"slices"
	"time"
)

// Timing summarises repeated runs of one measurement.
type Timing struct {
	Runs int     `json:"runs"`
	P50  float64 `json:"p50_ms"`
	P95  float64 `json:"p95_ms"`
	Min  float64 `json:"min_ms"`
	Max  float64 `json:"max_ms"`
}

// summarise returns the nearest-rank percentiles of ds in milliseconds.
func summarise(ds []time.Duration) Timing {
	if len(ds) == 0 {
		return Timing{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return Timing{
		Runs: len(s),
		P50:  ms(percentile(s, 50)),
		P95:  ms(percentile(s, 95)),
		Min:  ms(s[0]),
		Max:  ms(s[len(s)-1]),
	}
}

// percentile returns the nearest-rank p-th percentile of sorted values: the
// smallest value with at least p percent of the values at or below it.
func percentile(sorted []time.Duration, p int) time.Duration {
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 × n)
	return sorted[max(rank, 1)-1]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
