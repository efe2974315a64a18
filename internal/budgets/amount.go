package budgets

import (
	"math/big"
	"strconv"
	"strings"

	"github.com/tallyhq/tally/internal/billing"
)

// Amounts are compared exactly: limits arrive as decimal strings, thresholds
// as JSON numbers (read as the shortest decimal that round-trips), spend as
// integers of 10^-billing.Scale. All become big.Rat.

// ratOf parses a decimal string such as "100" or "12.5".
func ratOf(s string) (*big.Rat, bool) {
	if s == "" || strings.ContainsAny(s, "eE/") {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

// ratOfFloat returns the decimal a float64 was written as.
func ratOfFloat(f float64) *big.Rat {
	r, _ := new(big.Rat).SetString(strconv.FormatFloat(f, 'f', -1, 64))
	return r
}

// ratOfScaled converts a store sum (units of 10^-billing.Scale).
func ratOfScaled(v *big.Int) *big.Rat {
	if v == nil {
		return new(big.Rat)
	}
	return new(big.Rat).SetFrac(v, new(big.Int).Exp(big.NewInt(10), big.NewInt(billing.Scale), nil))
}

// scaledOf converts r to units of 10^-billing.Scale, truncating.
func scaledOf(r *big.Rat) *big.Int {
	v := new(big.Int).Mul(r.Num(), new(big.Int).Exp(big.NewInt(10), big.NewInt(billing.Scale), nil))
	return v.Quo(v, r.Denom())
}

// formatScaled prints a store sum exactly, as Cost Explorer prints amounts.
func formatScaled(v *big.Int) string {
	if v == nil {
		return "0"
	}
	return billing.FormatScaled(v, billing.Scale)
}

// roundRat prints r rounded to n decimals, for messages meant for people.
func roundRat(r *big.Rat, n int) string { return r.FloatString(n) }
