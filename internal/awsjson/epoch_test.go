package awsjson

import (
	"encoding/json"
	"testing"
	"time"
)

func TestEpochTimeUnmarshal(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"1704067200", time.Unix(1704067200, 0)},
		{"1704067200.0", time.Unix(1704067200, 0)},
		{"1515531081.123", time.Unix(1515531081, 123e6)},
		{"1.7040672E9", time.Unix(1704067200, 0)},
		{"1.7040672e+9", time.Unix(1704067200, 0)},
		{"17040672000e-1", time.Unix(1704067200, 0)},
		{"0.000000001", time.Unix(0, 1)},
		{"0.0000000001", time.Unix(0, 0)},
		{"0", time.Unix(0, 0)},
		{"-1.5", time.Unix(-1, -5e8)},
		{"3706473600", time.Date(2087, 6, 15, 0, 0, 0, 0, time.UTC)},
		{`"2024-01-01T00:00:00Z"`, time.Unix(1704067200, 0)},
		{`"2024-01-01T01:00:00+01:00"`, time.Unix(1704067200, 0)},
		{`"1704067200"`, time.Unix(1704067200, 0)},
	} {
		var e EpochTime
		if err := json.Unmarshal([]byte(tc.in), &e); err != nil {
			t.Errorf("Unmarshal(%s): %v", tc.in, err)
			continue
		}
		if !e.Time().Equal(tc.want) {
			t.Errorf("Unmarshal(%s) = %v, want %v", tc.in, e.Time(), tc.want.UTC())
		}
	}
}

func TestEpochTimeUnmarshalErrors(t *testing.T) {
	for _, in := range []string{`"soon"`, `1e13`, `1e99999999999999999999`, `true`, `"1.5.5"`, `"+1"`, `"1."`} {
		var e EpochTime
		if err := json.Unmarshal([]byte(in), &e); err == nil {
			t.Errorf("Unmarshal(%s) = %v, want an error", in, e)
		}
	}
}

func TestEpochTimeMarshal(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Unix(1704067200, 0), "1704067200"},
		{time.Unix(1515531081, 123e6), "1515531081.123"},
		{time.Unix(1, 1), "1.000000001"},
		{time.Unix(-2, 5e8), "-1.5"},
		{time.Unix(0, 0), "0"},
	} {
		got, err := json.Marshal(EpochTime(tc.t))
		if err != nil || string(got) != tc.want {
			t.Errorf("Marshal(%v) = %s, %v; want %s", tc.t, got, err, tc.want)
		}
		// Round trip: what we print we read back exactly.
		var back EpochTime
		if err := json.Unmarshal(got, &back); err != nil || !back.Time().Equal(tc.t) {
			t.Errorf("round trip of %v gave %v, %v", tc.t, back.Time(), err)
		}
	}
}

func TestEpochTimeInStructs(t *testing.T) {
	type wire struct {
		Start *EpochTime `json:"Start,omitzero"`
		End   *EpochTime `json:"End,omitzero"`
	}
	b, err := json.Marshal(wire{Start: NewEpochTime(time.Unix(1704067200, 0))})
	if err != nil || string(b) != `{"Start":1704067200}` {
		t.Errorf("Marshal = %s, %v", b, err)
	}
}
