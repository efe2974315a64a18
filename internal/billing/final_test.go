package billing

import (
	"testing"
	"time"
)

func TestFinal(t *testing.T) {
	oct := time.Date(2023, 10, 1, 0, 0, 0, 0, time.UTC)
	day := func(m time.Month, d int) time.Time { return time.Date(2023, m, d, 12, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name     string
		invoiced bool
		ingested time.Time
		now      time.Time
		final    bool
	}{
		{"invoiced", true, day(11, 4), day(11, 4), true},
		{"open month", false, day(10, 20), day(10, 21), false},
		{"settling", false, day(11, 2), day(11, 6), false},
		{"settled, delivered early", false, day(11, 2), day(11, 9), true},
		{"delivered again recently", false, day(11, 20), day(11, 22), false},
		{"two years later", false, day(11, 2), time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), true},
		{"mid-month snapshot long ago", false, day(10, 15), day(12, 1), true},
	} {
		if got := Final(oct, tc.invoiced, tc.ingested, tc.now); got != tc.final {
			t.Errorf("%s: Final = %v, want %v", tc.name, got, tc.final)
		}
	}
}
