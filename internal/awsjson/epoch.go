package awsjson

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// EpochTime is a model `timestamp` (Budgets only): seconds since the Unix
// epoch as a JSON number. Input may be an integer, a fraction or use an
// exponent (1.7040672E9); like botocore, an RFC 3339 string or a numeric
// string is accepted too. Output is always a number: integer seconds when the
// time is whole, else a fraction with up to nanosecond digits.
type EpochTime time.Time

// NewEpochTime returns a pointer to t as an EpochTime, for filling
// optional members.
func NewEpochTime(t time.Time) *EpochTime {
	e := EpochTime(t)
	return &e
}

// Time returns the time in UTC.
func (e EpochTime) Time() time.Time { return time.Time(e).UTC() }

// String returns the time in RFC 3339 form.
func (e EpochTime) String() string { return e.Time().Format(time.RFC3339Nano) }

// MarshalJSON writes epoch seconds as a JSON number.
func (e EpochTime) MarshalJSON() ([]byte, error) {
	return []byte(formatEpoch(time.Time(e))), nil
}

// UnmarshalJSON reads epoch seconds from a JSON number, or a time from a JSON
// string.
func (e *EpochTime) UnmarshalJSON(b []byte) error {
	t, err := parseEpochJSON(b)
	if err != nil {
		return err
	}
	*e = EpochTime(t)
	return nil
}

// formatEpoch prints t as decimal epoch seconds without float rounding.
func formatEpoch(t time.Time) string {
	sec, nsec := t.Unix(), int64(t.Nanosecond())
	if nsec == 0 {
		return strconv.FormatInt(sec, 10)
	}
	sign := ""
	if sec < 0 {
		// Unix floors: -1.5 s is sec -2 and nsec 5e8.
		sign, sec, nsec = "-", -(sec + 1), 1e9-nsec
	}
	frac := strings.TrimRight(fmt.Sprintf("%09d", nsec), "0")
	return sign + strconv.FormatInt(sec, 10) + "." + frac
}

// maxEpochDigits bounds the integer digits of epoch seconds (year 33658),
// which keeps exponent forms from blowing up.
const maxEpochDigits = 12

// parseEpochJSON parses a JSON number or string as a time.
func parseEpochJSON(b []byte) (time.Time, error) {
	s := string(b)
	if strings.HasPrefix(s, `"`) {
		str, err := strconv.Unquote(s)
		if err != nil {
			return time.Time{}, fmt.Errorf("timestamp %s is not a valid JSON string", s)
		}
		if t, err := parseEpochNumber(str); err == nil {
			return t, nil
		}
		t, err := time.Parse(time.RFC3339Nano, str)
		if err != nil {
			return time.Time{}, fmt.Errorf("timestamp %q is neither epoch seconds nor RFC 3339", str)
		}
		return t.UTC(), nil
	}
	return parseEpochNumber(s)
}

// parseEpochNumber parses a JSON number literal as epoch seconds, exactly to
// the nanosecond (further digits are truncated).
func parseEpochNumber(s string) (time.Time, error) {
	bad := func() (time.Time, error) {
		return time.Time{}, fmt.Errorf("timestamp %q is not a number of epoch seconds", s)
	}
	neg := strings.HasPrefix(s, "-")
	m := strings.TrimPrefix(s, "-")
	exp := 0
	if i := strings.IndexAny(m, "eE"); i >= 0 {
		e, err := strconv.Atoi(strings.TrimPrefix(m[i+1:], "+"))
		if err != nil {
			if errors.Is(err, strconv.ErrRange) {
				return time.Time{}, fmt.Errorf("timestamp %q is out of range", s)
			}
			return bad()
		}
		exp, m = e, m[:i]
	}
	intPart, frac, _ := strings.Cut(m, ".")
	if intPart == "" || !allDigits(intPart) || !allDigits(frac) || (strings.Contains(m, ".") && frac == "") {
		return bad()
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	if digits == "" {
		return time.Unix(0, 0).UTC(), nil
	}
	// point is where the decimal point falls in digits.
	point := len(intPart) - (len(intPart+frac) - len(digits)) + exp
	if point > maxEpochDigits {
		return time.Time{}, fmt.Errorf("timestamp %q is out of range", s)
	}
	var whole, fraction string
	switch {
	case point <= 0:
		if point < -9 {
			return time.Unix(0, 0).UTC(), nil
		}
		fraction = strings.Repeat("0", -point) + digits
	case point >= len(digits):
		whole = digits + strings.Repeat("0", point-len(digits))
	default:
		whole, fraction = digits[:point], digits[point:]
	}
	sec, nsec := int64(0), int64(0)
	if whole != "" {
		sec, _ = strconv.ParseInt(whole, 10, 64)
	}
	if fraction != "" {
		fraction = (fraction + "000000000")[:9]
		nsec, _ = strconv.ParseInt(fraction, 10, 64)
	}
	if neg {
		sec, nsec = -sec, -nsec
	}
	return time.Unix(sec, nsec).UTC(), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
