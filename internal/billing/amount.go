package billing

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Scale is the number of fractional decimal digits an Amount keeps. Billing
// exports carry at most ten (CUR rates and costs), so sums over Amounts are
// exact.
const Scale = 10

// unit is 10^Scale.
const unit = 10_000_000_000

// Amount is an exact decimal number with Scale fractional digits, held as an
// integer count of 10^-Scale. It covers ±922,337,203.6854775807, far above any
// single line item; sums are taken in the store with 128-bit decimals.
type Amount int64

// ErrAmountRange reports a value that does not fit in an Amount.
var ErrAmountRange = errors.New("amount out of range")

// ParseAmount parses a decimal string such as "12.5", "-0.0000000012",
// "1.2E-5" or "3e2". Digits beyond Scale are rounded half away from zero.
// The empty string is an error; callers decide whether empty means zero.
func ParseAmount(s string) (Amount, error) {
	if s == "" {
		return 0, errors.New("empty number")
	}
	if a, ok := parsePlain(s); ok {
		return a, nil
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, fmt.Errorf("%q is not a decimal number", s)
	}
	r.Mul(r, big.NewRat(unit, 1))
	return ratToAmount(r)
}

// parsePlain handles the common form [-+]digits[.digits] without allocating.
func parsePlain(s string) (Amount, bool) {
	neg := false
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	if s == "" {
		return 0, false
	}
	var intPart, frac uint64
	fracDigits := 0
	seenDot, seenDigit := false, false
	roundUp := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' && !seenDot:
			seenDot = true
		case c >= '0' && c <= '9':
			seenDigit = true
			d := uint64(c - '0')
			if !seenDot {
				if intPart > (math.MaxInt64/unit)/10 {
					return 0, false
				}
				intPart = intPart*10 + d
			} else if fracDigits < Scale {
				frac = frac*10 + d
				fracDigits++
			} else if fracDigits == Scale {
				roundUp = d >= 5
				fracDigits++
			}
		default:
			return 0, false
		}
	}
	if !seenDigit {
		return 0, false
	}
	for n := min(fracDigits, Scale); n < Scale; n++ {
		frac *= 10
	}
	v := intPart*unit + frac
	if roundUp {
		v++
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	if neg {
		return -Amount(v), true
	}
	return Amount(v), true
}

func ratToAmount(r *big.Rat) (Amount, error) {
	// Round half away from zero.
	num, den := new(big.Int).Set(r.Num()), r.Denom()
	neg := num.Sign() < 0
	num.Abs(num)
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	if m.Lsh(m, 1).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if !q.IsInt64() {
		return 0, ErrAmountRange
	}
	v := q.Int64()
	if neg {
		v = -v
	}
	return Amount(v), nil
}

// AmountFromFloat converts a binary floating-point value, as Parquet exports
// store costs, to the nearest Amount.
func AmountFromFloat(f float64) (Amount, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%v is not a finite number", f)
	}
	x := math.Round(f * unit)
	if x >= math.MaxInt64 || x <= math.MinInt64 {
		return 0, ErrAmountRange
	}
	return Amount(x), nil
}

// Float64 returns a close binary approximation, for forecasting and charts.
func (a Amount) Float64() float64 { return float64(a) / unit }

// String formats the amount without trailing zeros: "12.5", "0", "-0.0000000012".
func (a Amount) String() string {
	return string(appendScaledInt64(make([]byte, 0, 24), int64(a), Scale))
}

// AppendScaled appends FormatScaled(v, scale) to dst. Amounts that fit 64
// bits, nearly all, are formatted without allocating.
func AppendScaled(dst []byte, v *big.Int, scale int) []byte {
	if v.IsInt64() && scale <= 18 {
		return appendScaledInt64(dst, v.Int64(), scale)
	}
	return append(dst, FormatScaled(v, scale)...)
}

// appendScaledInt64 is AppendScaled for an int64; scale is at most 18.
func appendScaledInt64(dst []byte, v int64, scale int) []byte {
	u := uint64(v)
	if v < 0 {
		dst = append(dst, '-')
		u = -u // also right for math.MinInt64
	}
	unit := uint64(1)
	for range scale {
		unit *= 10
	}
	dst = strconv.AppendUint(dst, u/unit, 10)
	frac := u % unit
	if frac == 0 {
		return dst
	}
	digits := scale
	for frac%10 == 0 {
		frac /= 10
		digits--
	}
	dst = append(dst, '.')
	var buf [20]byte
	f := strconv.AppendUint(buf[:0], frac, 10)
	for range digits - len(f) {
		dst = append(dst, '0')
	}
	return append(dst, f...)
}

// FormatScaled formats v·10^-scale as a plain decimal string without trailing
// fractional zeros. Stores use it to print 128-bit sums.
func FormatScaled(v *big.Int, scale int) string {
	s := new(big.Int).Abs(v).String()
	neg := v.Sign() < 0
	if len(s) <= scale {
		s = strings.Repeat("0", scale-len(s)+1) + s
	}
	ip, fp := s[:len(s)-scale], strings.TrimRight(s[len(s)-scale:], "0")
	out := ip
	if fp != "" {
		out += "." + fp
	}
	if neg && out != "0" {
		out = "-" + out
	}
	return out
}
