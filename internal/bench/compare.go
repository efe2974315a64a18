package bench

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// compare reports the first difference between Tally's answer and DuckDB's,
// or "" when they agree: the same buckets and group keys, and values equal
// up to the rounding of summing doubles (DuckDB) against exact decimals
// (Tally).
func compare(tally, raw answer) string {
	t, r := sortedRows(tally.rows), sortedRows(raw.rows)
	if len(t) != len(r) {
		return fmt.Sprintf("Tally has %d rows, DuckDB %d", len(t), len(r))
	}
	for i := range t {
		a, b := t[i], r[i]
		if !a.bucket.Equal(b.bucket) || !slices.Equal(a.keys, b.keys) {
			return fmt.Sprintf("row %d: Tally %s %q, DuckDB %s %q", i, a.bucket.Format("2006-01-02T15"), a.keys, b.bucket.Format("2006-01-02T15"), b.keys)
		}
		if len(a.values) != len(b.values) {
			return fmt.Sprintf("row %d: Tally has %d values, DuckDB %d", i, len(a.values), len(b.values))
		}
		for j := range a.values {
			if !near(a.values[j], b.values[j]) {
				return fmt.Sprintf("%s %q value %d: Tally %v, DuckDB %v", a.bucket.Format("2006-01-02T15"), a.keys, j, a.values[j], b.values[j])
			}
		}
	}
	return ""
}

// near allows for Tally rounding each line to 10 decimal places and for
// DuckDB's floating-point sums.
func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-6+1e-9*math.Max(math.Abs(a), math.Abs(b))
}

func sortedRows(rows []answerRow) []answerRow {
	s := slices.Clone(rows)
	slices.SortFunc(s, func(a, b answerRow) int {
		if c := a.bucket.Compare(b.bucket); c != 0 {
			return c
		}
		return strings.Compare(strings.Join(a.keys, "\x00"), strings.Join(b.keys, "\x00"))
	})
	return s
}

// total sums the first metric of every row, for the report.
func (a answer) total() float64 {
	var s float64
	for _, r := range a.rows {
		if len(r.values) > 0 {
			s += r.values[0]
		}
	}
	return s
}
