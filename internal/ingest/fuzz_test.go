package ingest

import (
	"bytes"
	"strings"
	"testing"
)

func FuzzParseValues(f *testing.F) {
	for _, s := range []string{"", "0", "-1.5", "1e-5", "1E+400", "abc", "2024-09-18 22:00:00", "2023-11-01T00:00:00.000Z",
		"2024-02-30T00:00:00Z", "9999999999999999999999", ".", "-", "2024-01-01T00:00:00.Z", `{"a":1}`, "{a=b, c=d}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if a, err := parseAmount(s); err == nil && s == "" && a != 0 {
			t.Errorf("parseAmount(%q) = %v", s, a)
		}
		parseQuantity(s)
		if tm, err := parseTime(s); err == nil && !tm.IsZero() && tm.Location().String() != "UTC" {
			t.Errorf("parseTime(%q) = %v, not UTC", s, tm)
		}
		parseMapText(s, func(k, v string) {
			if v == "" {
				t.Errorf("parseMapText(%q) gave an empty value for %q", s, k)
			}
		})
		snakeName(s)
	})
}

// FuzzCSVRows feeds arbitrary text as the rows of a legacy CUR CSV and a
// FOCUS CSV: parsing must fail cleanly or succeed, never panic.
func FuzzCSVRows(f *testing.F) {
	f.Add("a,b,c\n")
	f.Add(`"unterminated`)
	f.Add(strings.Repeat(",", 40) + "\n")
	f.Add("x,2024-01-01T00:00:00Z,\"multi\nline\",1e3\n")
	headers := []string{strings.Join(legacyHeader, ","), strings.Join(focusHeader, ","), strings.Join(cur2Header, ",")}
	f.Fuzz(func(t *testing.T, body string) {
		for _, h := range headers {
			src, err := newCSVSource(bytes.NewReader([]byte(h+"\n"+body)), nopCloser{})
			if err != nil {
				continue
			}
			_, m, err := detect(src)
			if err != nil {
				continue
			}
			for i := 0; i < 100; i++ {
				ok, err := src.next()
				if err != nil || !ok {
					break
				}
				m.mapRow()
			}
		}
	})
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

func TestParseAmountExponents(t *testing.T) {
	for in, want := range map[string]string{"1e-99999999": "0", "1.5E2": "150", "-2e-3": "-0.002", "1e-11": "0"} {
		a, err := parseAmount(in)
		if err != nil || a.String() != want {
			t.Errorf("parseAmount(%q) = %v, %v; want %s", in, a, err, want)
		}
	}
	for _, in := range []string{"1e99999999", "1e", "1ex", "e5x"} {
		if _, err := parseAmount(in); err == nil {
			t.Errorf("parseAmount(%q) succeeded, want an error", in)
		}
	}
}
