package ingest

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/billing"
)

// parseTime parses the timestamps billing exports write: RFC 3339 with or
// without fractional seconds ("2023-11-01T00:00:00.000Z"), the space-separated
// form without a zone that FOCUS exports use ("2024-09-18 22:00:00", read as
// UTC), a numeric zone offset, or a bare date. The empty string is the zero
// time.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, ok := parseTimeFast(s); ok {
		return t, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02T15:04:05", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a timestamp", s)
}

// parseTimeFast handles YYYY-MM-DD[(T| )HH:MM:SS[.fraction]][Z] without
// allocating.
func parseTimeFast(s string) (time.Time, bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	y, ok1 := digits(s[0:4])
	mo, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	var h, mi, sec, nsec int
	rest := s[10:]
	if rest != "" {
		if len(rest) < 9 || (rest[0] != 'T' && rest[0] != ' ') || rest[3] != ':' || rest[6] != ':' {
			return time.Time{}, false
		}
		var ok4, ok5, ok6 bool
		h, ok4 = digits(rest[1:3])
		mi, ok5 = digits(rest[4:6])
		sec, ok6 = digits(rest[7:9])
		if !ok4 || !ok5 || !ok6 || h > 23 || mi > 59 || sec > 59 {
			return time.Time{}, false
		}
		rest = rest[9:]
		if len(rest) > 0 && rest[0] == '.' {
			i := 1
			scale := 100_000_000
			for ; i < len(rest) && rest[i] >= '0' && rest[i] <= '9'; i++ {
				nsec += int(rest[i]-'0') * scale
				scale /= 10
			}
			if i == 1 {
				return time.Time{}, false
			}
			rest = rest[i:]
		}
		if rest == "Z" || rest == "+00:00" {
			rest = ""
		}
		if rest != "" {
			return time.Time{}, false
		}
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, nsec, time.UTC)
	if t.Day() != d {
		return time.Time{}, false // 2023-02-30
	}
	return t, true
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// parseAmount parses a cost; the empty string is zero because exports leave
// cost columns blank on lines they do not apply to.
func parseAmount(s string) (billing.Amount, error) {
	if s == "" {
		return 0, nil
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		// Bound the exponent before exact parsing, which would otherwise
		// expand 1e999999999 digit by digit.
		exp, err := strconv.Atoi(s[i+1:])
		if err != nil {
			return 0, fmt.Errorf("%q is not a decimal number", s)
		}
		if exp < -60 {
			if _, err := strconv.ParseFloat(s, 64); err != nil {
				return 0, fmt.Errorf("%q is not a decimal number", s)
			}
			return 0, nil // rounds to zero at billing.Scale digits
		}
		if exp > 60 {
			return 0, fmt.Errorf("%q is out of range", s)
		}
	}
	a, err := billing.ParseAmount(s)
	if err != nil {
		if err == billing.ErrAmountRange {
			return 0, fmt.Errorf("%q is out of range", s)
		}
		return 0, fmt.Errorf("%q is not a decimal number", s)
	}
	return a, nil
}

// parseQuantity parses a usage quantity; empty is zero.
func parseQuantity(s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q is not a decimal number", s)
	}
	return f, nil
}

// snakeName converts a legacy CUR CSV column name to the Parquet/Athena and
// CUR 2.0 name: the category separator and every non-alphanumeric character
// become "_", every upper-case letter starts a new word, everything is
// lower-cased and repeated "_" collapse ("lineItem/UsageStartDate" ->
// "line_item_usage_start_date", "reservation/ReservationARN" ->
// "reservation_reservation_a_r_n").
func snakeName(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	last := byte('_')
	put := func(c byte) {
		if c == '_' && last == '_' {
			return
		}
		b.WriteByte(c)
		last = c
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			put('_')
			put(c + 'a' - 'A')
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			put(c)
		default:
			put('_')
		}
	}
	return strings.TrimRight(b.String(), "_")
}
