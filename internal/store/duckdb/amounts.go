package duckdb

import (
	"fmt"
	"math/big"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
)

// sumText selects an exact DECIMAL sum as its decimal text, with exactly
// billing.Scale fractional digits ("-12.3400000000"). Reading a
// DECIMAL(38,10) through the driver costs a big.Int, its words and an
// interface per value; its text costs one string, and DuckDB prints it as
// fast as it returns the decimal (arithmetic on the 128-bit decimal to
// split it into integers costs DuckDB 70% more than the whole query).
func sumText(sum string) string {
	return "CAST(CAST(" + sum + " AS DECIMAL(38,10)) AS VARCHAR)"
}

// rowSlab hands out the keys, values and amounts of result rows from
// shared arrays, so that a result of many rows costs a few allocations
// rather than several per row. Nothing handed out is ever written again.
type rowSlab struct {
	strs  []string
	vals  []query.Value
	ints  []big.Int
	words []big.Word
	// size is the length of the next arrays: it doubles from 16 to 1024,
	// so that a result of a few rows stays small.
	size int
}

func (s *rowSlab) grow() int {
	s.size = min(max(2*s.size, 16), 1024)
	return s.size
}

func (s *rowSlab) strings(n int) []string {
	if n == 0 {
		return nil
	}
	if len(s.strs) < n {
		s.strs = make([]string, max(n, s.grow()))
	}
	out := s.strs[:n:n]
	s.strs = s.strs[n:]
	return out
}

func (s *rowSlab) values(n int) []query.Value {
	if len(s.vals) < n {
		s.vals = make([]query.Value, max(n, s.grow()))
	}
	out := s.vals[:n:n]
	s.vals = s.vals[n:]
	return out
}

// amount parses the text of a sum (sumText) into an integer count of
// 10^-billing.Scale.
func (s *rowSlab) amount(text string) (*big.Int, error) {
	if len(s.ints) == 0 {
		s.ints = make([]big.Int, s.grow())
		s.words = make([]big.Word, len(s.ints))
	}
	z := &s.ints[0]
	s.ints = s.ints[1:]
	digits, neg := text, false
	if len(digits) > 0 && digits[0] == '-' {
		digits, neg = digits[1:], true
	}
	point := len(digits) - 1 - billing.Scale
	if point < 1 || digits[point] != '.' {
		return nil, fmt.Errorf("duckdb: sum %q does not have %d decimals", text, billing.Scale)
	}
	if len(digits) > 20 { // more than 19 digits may not fit a word
		if _, ok := z.SetString(digits[:point]+digits[point+1:], 10); !ok {
			return nil, fmt.Errorf("duckdb: sum %q is not a number", text)
		}
		if neg {
			z.Neg(z)
		}
		return z, nil
	}
	var v uint64
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if i == point {
			continue
		}
		if c < '0' || c > '9' {
			return nil, fmt.Errorf("duckdb: sum %q is not a number", text)
		}
		v = v*10 + uint64(c-'0')
	}
	w := s.words[:1:1]
	s.words = s.words[1:]
	w[0] = big.Word(v)
	z.SetBits(w)
	if neg {
		z.Neg(z)
	}
	return z, nil
}
