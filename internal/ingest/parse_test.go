package ingest

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
)

func TestParseTime(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want "" for zero, "error" for an error
	}{
		{"", ""},
		{"2023-11-01T00:00:00Z", "2023-11-01T00:00:00Z"},
		{"2023-11-01T00:00:00.000Z", "2023-11-01T00:00:00Z"},
		{"2024-09-18 22:00:00", "2024-09-18T22:00:00Z"},
		{"2024-09-18 22:00:00.123456789", "2024-09-18T22:00:00.123456789Z"},
		{"2024-09-18T22:00:00+02:00", "2024-09-18T20:00:00Z"},
		{"2024-09-18T22:00:00", "2024-09-18T22:00:00Z"},
		{"2024-09-18", "2024-09-18T00:00:00Z"},
		{"2024-02-30T00:00:00Z", "error"},
		{"2024-13-01", "error"},
		{"yesterday", "error"},
	} {
		got, err := parseTime(tc.in)
		var s string
		switch {
		case err != nil:
			s = "error"
		case !got.IsZero():
			s = got.Format(time.RFC3339Nano)
		}
		if s != tc.want {
			t.Errorf("parseTime(%q) = %q (%v), want %q", tc.in, s, err, tc.want)
		}
	}
}

func TestSnakeName(t *testing.T) {
	// Pairs from data-formats.md §1.4.
	for in, want := range map[string]string{
		"lineItem/UsageStartDate":                   "line_item_usage_start_date",
		"reservation/ReservationARN":                "reservation_reservation_a_r_n",
		"savingsPlan/SavingsPlanARN":                "savings_plan_savings_plan_a_r_n",
		"pricing/publicOnDemandCost":                "pricing_public_on_demand_cost",
		"product/servicecode":                       "product_servicecode",
		"resourceTags/aws:createdBy":                "resource_tags_aws_created_by",
		"resourceTags/aws:autoscaling:groupName":    "resource_tags_aws_autoscaling_group_name",
		"resourceTags/aws:ec2spot:fleet-request-id": "resource_tags_aws_ec2spot_fleet_request_id",
		"resourceTags/user:Cost Center":             "resource_tags_user_cost_center",
		"bill/PayerAccountId":                       "bill_payer_account_id",
	} {
		if got := snakeName(in); got != want {
			t.Errorf("snakeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTagKeys(t *testing.T) {
	for in, want := range map[string]string{
		"user_cost_center":              "cost_center",
		"aws_created_by":                "aws:createdBy",
		"aws_cloudformation_stack_name": "aws:cloudformation:stack-name",
		"aws_ec2spot_fleet_request_id":  "aws:ec2spot:fleet-request-id",
		"aws_something_new":             "aws:something_new",
		"other":                         "other",
	} {
		if got := normalizedTagKey(in); got != want {
			t.Errorf("normalizedTagKey(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"user:Environment": "Environment", "aws:createdBy": "aws:createdBy", "department": "department"} {
		if got := legacyTagKey(in); got != want {
			t.Errorf("legacyTagKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseMapText(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    map[string]string
		wantErr bool
	}{
		{"", map[string]string{}, false},
		{"{}", map[string]string{}, false},
		{`{"a":"x","b":true,"c":1.50,"d":null,"e":"","f":{"g":1}}`, map[string]string{"a": "x", "b": "true", "c": "1.50", "f": `{"g":1}`}, false},
		{"{user_team=web, user_env=prod, empty=}", map[string]string{"user_team": "web", "user_env": "prod"}, false},
		{"not json", nil, true},
		{`{"a":`, nil, true},
	} {
		got := map[string]string{}
		err := parseMapText(tc.in, func(k, v string) { got[k] = v })
		if (err != nil) != tc.wantErr {
			t.Errorf("parseMapText(%q) error = %v, want error %v", tc.in, err, tc.wantErr)
			continue
		}
		if !tc.wantErr {
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("parseMapText(%q) (-want +got):\n%s", tc.in, diff)
			}
		}
	}
}

// TestParquetRowGroupsAndPages reads a file of many small row groups and
// pages, so that every column crosses page and row-group boundaries at
// different rows, with INT96 timestamps.
func TestParquetRowGroupsAndPages(t *testing.T) {
	type row struct {
		Payer  string            `parquet:"bill_payer_account_id"`
		Period deprecated.Int96  `parquet:"bill_billing_period_start_date"`
		Acct   string            `parquet:"line_item_usage_account_id,dict"`
		Type   string            `parquet:"line_item_line_item_type"`
		Start  deprecated.Int96  `parquet:"line_item_usage_start_date"`
		End    deprecated.Int96  `parquet:"line_item_usage_end_date"`
		Code   string            `parquet:"line_item_product_code,dict"`
		Cost   *float64          `parquet:"line_item_unblended_cost,optional"`
		Tags   map[string]string `parquet:"resource_tags"`
	}
	int96 := func(tm time.Time) deprecated.Int96 {
		days := tm.Unix()/86400 + julianUnixEpoch
		nanos := uint64(tm.UnixNano() % int64(24*time.Hour))
		return deprecated.Int96{uint32(nanos), uint32(nanos >> 32), uint32(days)}
	}
	period := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	var rows []row
	var wantCost float64
	for i := range 5000 {
		start := period.Add(time.Duration(i) * time.Minute)
		r := row{Payer: "1", Period: int96(period), Acct: fmt.Sprint(i % 7), Type: "Usage", Start: int96(start),
			End: int96(start.Add(time.Hour)), Code: "AmazonS3"}
		if i%3 != 0 {
			c := float64(i%100) / 8
			r.Cost = &c
			wantCost += c
		}
		if i%5 == 0 {
			r.Tags = map[string]string{"user_n": fmt.Sprint(i), "user_k": "v"}
		}
		rows = append(rows, r)
	}
	p := writeParquet(t, filepath.Join(t.TempDir(), "rg.parquet"), rows, parquet.MaxRowsPerRowGroup(777), parquet.PageBufferSize(300))
	w := newMemWriter(true)
	mustLoad(t, w, p)
	if len(w.rows) != 5000 {
		t.Fatalf("got %d rows", len(w.rows))
	}
	var gotCost float64
	for i, li := range w.rows {
		gotCost += li.Unblended.Float64()
		start := period.Add(time.Duration(i) * time.Minute)
		if !li.UsageStart.Equal(start) || !li.UsageEnd.Equal(start.Add(time.Hour)) || li.UsageAccountID != fmt.Sprint(i%7) {
			t.Fatalf("row %d = %v %v %q", i, li.UsageStart, li.UsageEnd, li.UsageAccountID)
		}
		wantTags := map[string]string{}
		if i%5 == 0 {
			wantTags = map[string]string{"n": fmt.Sprint(i), "k": "v"}
		}
		if diff := cmp.Diff(wantTags, li.Tags); diff != "" {
			t.Fatalf("row %d tags (-want +got):\n%s", i, diff)
		}
	}
	if d := gotCost - wantCost; d > 1e-6 || d < -1e-6 {
		t.Errorf("cost = %v, want %v", gotCost, wantCost)
	}
	if w.committed[0].Period.Month != period {
		t.Errorf("period = %v", w.committed[0].Period)
	}
}
