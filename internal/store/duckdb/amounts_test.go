package duckdb

import (
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/duckdb/duckdb-go/v2"
)

// TestSumText reads exact DECIMAL(38,10) sums through sumText and
// rowSlab.amount and compares them with the driver's own decimal reading:
// zero, the smallest fractions, both signs, the int64 boundary and far
// beyond it, and random amounts of every size.
func TestSumText(t *testing.T) {
	db, err := Open(context.Background(), "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	amounts := []string{"0", "0.0000000001", "-0.0000000001", "1", "-1", "0.5", "-0.5", "12.34", "-12.34",
		"922337202.9999999999", "-922337202.9999999999", "922337203", "-922337203", "922337203.0000000001",
		"-922337203.4775807", "922337203.6854775807", "922337203.6854775808", "-922337203.6854775808",
		"123456789012345678.9012345678", "-9223372036854775807.9999999999", "9223372036854775807.9999999999",
		"999999999.9999999999", "-999999999.9999999999", "1844674407.3709551615", "1844674407.3709551616",
		"-1844674407.3709551616", "9999999999.9999999999", "-10000000000", "9999999999999999999999999999.9999999999",
		"-9999999999999999999999999999.9999999999"}
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		sign := ""
		if rnd.IntN(2) == 0 {
			sign = "-"
		}
		whole := rnd.Int64N(pow10(rnd.IntN(19)))
		more := strings.Repeat("9", rnd.IntN(3)) // up to 20 digits
		frac := rnd.Int64N(10_000_000_000) / pow10(rnd.IntN(11))
		amounts = append(amounts, fmt.Sprintf("%s%d%s.%010d", sign, whole, more, frac))
	}
	var values strings.Builder
	for i, a := range amounts {
		if i > 0 {
			values.WriteString(", ")
		}
		fmt.Fprintf(&values, "(%d, CAST('%s' AS DECIMAL(38,10)))", i, a)
	}
	// The sum of one value and a zero, as Aggregate sums.
	rows, err := db.SQL().Query(`SELECT i, sum(v), ` + sumText("sum(v)") + ` FROM (VALUES ` + values.String() +
		`) AS t(i, v) GROUP BY i ORDER BY i`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var slab rowSlab
	n := 0
	for rows.Next() {
		var i int
		var d duckdb.Decimal
		var text string
		if err := rows.Scan(&i, &d, &text); err != nil {
			t.Fatal(err)
		}
		if d.Scale != 10 {
			t.Fatalf("scale %d", d.Scale)
		}
		want, _ := new(big.Int).SetString(strings.Replace(strings.TrimPrefix(amounts[i], "-"), ".", "", 1)+strings.Repeat("0", 10-fracDigits(amounts[i])), 10)
		if strings.HasPrefix(amounts[i], "-") {
			want.Neg(want)
		}
		if d.Value.Cmp(want) != 0 {
			t.Fatalf("test value %s read back by the driver as %s", amounts[i], d.Value)
		}
		got, err := slab.amount(text)
		if err != nil {
			t.Fatal(err)
		}
		if got.Cmp(want) != 0 {
			t.Errorf("%s: got %s (text %q), want %s", amounts[i], got, text, want)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != len(amounts) {
		t.Fatalf("%d rows, want %d", n, len(amounts))
	}
}

func fracDigits(s string) int {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}
