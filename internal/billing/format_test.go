package billing

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

// formatReference is FormatScaled as it was written first, through
// big.Int's decimal string: the formatting every answer has used.
func formatReference(v *big.Int, scale int) string {
	s := new(big.Int).Abs(v).String()
	if len(s) <= scale {
		s = strings.Repeat("0", scale-len(s)+1) + s
	}
	ip, fp := s[:len(s)-scale], strings.TrimRight(s[len(s)-scale:], "0")
	out := ip
	if fp != "" {
		out += "." + fp
	}
	if v.Sign() < 0 && out != "0" {
		out = "-" + out
	}
	return out
}

// TestAppendScaled compares the allocation-free formatting with the
// reference on edge and random values of every size, both signs and
// several scales, and Amount.String with it.
func TestAppendScaled(t *testing.T) {
	vals := []*big.Int{big.NewInt(0), big.NewInt(1), big.NewInt(-1), big.NewInt(10), big.NewInt(-10_000_000_000),
		big.NewInt(math.MaxInt64), big.NewInt(math.MinInt64), big.NewInt(math.MinInt64 + 1),
		new(big.Int).Lsh(big.NewInt(1), 63), new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), 63)),
		new(big.Int).Lsh(big.NewInt(3), 100), new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(7), 90))}
	rnd := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		v := rnd.Int64() >> rnd.IntN(64)
		for range rnd.IntN(12) {
			if v%10 != 0 || v == 0 {
				break
			}
			v /= 10
		}
		if rnd.IntN(3) == 0 {
			v = v / 1000 * 1000 // trailing zeros
		}
		vals = append(vals, big.NewInt(v))
	}
	for _, v := range vals {
		for _, scale := range []int{0, 1, 2, 10, 18, 19, 30} {
			want := formatReference(v, scale)
			if got := string(AppendScaled([]byte("x"), v, scale)); got != "x"+want {
				t.Fatalf("AppendScaled(%s, %d) = %q, want %q", v, scale, got, "x"+want)
			}
			if got := FormatScaled(v, scale); got != want {
				t.Fatalf("FormatScaled(%s, %d) = %q, want %q", v, scale, got, want)
			}
		}
		if v.IsInt64() {
			if got, want := Amount(v.Int64()).String(), formatReference(v, Scale); got != want {
				t.Fatalf("Amount(%s).String() = %q, want %q", v, got, want)
			}
		}
	}
}

func BenchmarkAppendScaled(b *testing.B) {
	v := big.NewInt(-1234567890123)
	buf := make([]byte, 0, 64)
	for b.Loop() {
		buf = AppendScaled(buf[:0], v, Scale)
	}
}
