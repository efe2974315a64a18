package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/smithy-go"
)

// uiTable is what run.mjs reads from the explorer's table.
type uiTable struct {
	Headers []string `json:"headers"`
	Rows    []uiRow  `json:"rows"`
	Foot    *uiRow   `json:"foot"`
	Total   string   `json:"total"`
	Error   string   `json:"error"`
	URL     string   `json:"url"`
}

type uiRow struct {
	Key     string   `json:"key"`
	Label   string   `json:"label"`
	Amounts []string `json:"amounts"`
	Texts   []string `json:"texts"`
}

// uiAPITable is the API's answer to the same question: amounts by group key
// and bucket.
type uiAPITable struct {
	buckets []string
	rows    map[string][]*big.Rat
}

func uiRat(t *testing.T, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("not a decimal: %q", s)
	}
	return r
}

// uiUSD prints an amount as the page does: dollars, cents rounded half away
// from zero, thousands separated.
func uiUSD(r *big.Rat) string {
	neg := r.Sign() < 0
	a := new(big.Rat).Abs(r)
	cents := new(big.Rat).Mul(a, big.NewRat(100, 1))
	q, m := new(big.Int).QuoRem(cents.Num(), cents.Denom(), new(big.Int))
	if new(big.Int).Mul(m, big.NewInt(2)).Cmp(cents.Denom()) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	s := fmt.Sprintf("%03d", q)
	whole, frac := s[:len(s)-2], s[len(s)-2:]
	var parts []string
	for len(whole) > 3 {
		parts = append([]string{whole[len(whole)-3:]}, parts...)
		whole = whole[:len(whole)-3]
	}
	parts = append([]string{whole}, parts...)
	out := "$" + strings.Join(parts, ",") + "." + frac
	if neg && q.Sign() != 0 {
		out = "-" + out
	}
	return out
}

// uiCosts asks the API, through the Go SDK, what the explorer shows.
func uiCosts(t *testing.T, ce *costexplorer.Client, in *costexplorer.GetCostAndUsageInput) uiAPITable {
	t.Helper()
	metric := in.Metrics[0]
	tab := uiAPITable{rows: map[string][]*big.Rat{}}
	index := map[string]int{}
	for {
		out, err := ce.GetCostAndUsage(context.Background(), in)
		if err != nil {
			t.Fatalf("GetCostAndUsage: %v", err)
		}
		for _, r := range out.ResultsByTime {
			start := aws.ToString(r.TimePeriod.Start)
			if _, ok := index[start]; !ok {
				index[start] = len(tab.buckets)
				tab.buckets = append(tab.buckets, start)
			}
			add := func(key, amount string) {
				for len(tab.rows[key]) < len(tab.buckets) {
					tab.rows[key] = append(tab.rows[key], new(big.Rat))
				}
				tab.rows[key][index[start]].Add(tab.rows[key][index[start]], uiRat(t, amount))
			}
			if len(in.GroupBy) == 0 {
				add("Total", aws.ToString(r.Total[metric].Amount))
			}
			for _, g := range r.Groups {
				add(g.Keys[0], aws.ToString(g.Metrics[metric].Amount))
			}
		}
		if out.NextPageToken == nil {
			break
		}
		in.NextPageToken = out.NextPageToken
	}
	for k := range tab.rows {
		for len(tab.rows[k]) < len(tab.buckets) {
			tab.rows[k] = append(tab.rows[k], new(big.Rat))
		}
	}
	return tab
}

// uiCheckTable compares every cell the page shows, its exact amount and its
// text, with the API's numbers, and the row, column and grand totals with
// sums of them.
func uiCheckTable(t *testing.T, what string, got uiTable, want uiAPITable) {
	t.Helper()
	if got.Error != "" {
		t.Fatalf("%s: the page shows an error: %s", what, got.Error)
	}
	if len(got.Headers) != len(want.buckets)+2 {
		t.Errorf("%s: %d header cells %q, want %d periods + label + total", what, len(got.Headers), got.Headers, len(want.buckets))
	}
	var gotKeys, wantKeys []string
	for _, r := range got.Rows {
		gotKeys = append(gotKeys, r.Key)
	}
	for k := range want.rows {
		wantKeys = append(wantKeys, k)
	}
	sort.Strings(gotKeys)
	sort.Strings(wantKeys)
	if strings.Join(gotKeys, "|") != strings.Join(wantKeys, "|") {
		t.Fatalf("%s: rows %q, want %q", what, gotKeys, wantKeys)
	}
	grand := new(big.Rat)
	cols := make([]*big.Rat, len(want.buckets))
	for i := range cols {
		cols[i] = new(big.Rat)
	}
	for _, r := range got.Rows {
		w := want.rows[r.Key]
		if len(r.Amounts) != len(w)+1 {
			t.Errorf("%s row %s: %d cells, want %d", what, r.Key, len(r.Amounts), len(w)+1)
			continue
		}
		sum := new(big.Rat)
		for i, a := range w {
			if uiRat(t, r.Amounts[i]).Cmp(a) != 0 {
				t.Errorf("%s row %s, %s: page %s, API %s", what, r.Key, want.buckets[i], r.Amounts[i], a.FloatString(10))
			}
			if r.Texts[i] != uiUSD(a) {
				t.Errorf("%s row %s, %s: page shows %q, want %q", what, r.Key, want.buckets[i], r.Texts[i], uiUSD(a))
			}
			sum.Add(sum, a)
			cols[i].Add(cols[i], a)
		}
		if uiRat(t, r.Amounts[len(w)]).Cmp(sum) != 0 || r.Texts[len(w)] != uiUSD(sum) {
			t.Errorf("%s row %s total: page %s (%q), want %s", what, r.Key, r.Amounts[len(w)], r.Texts[len(w)], sum.FloatString(10))
		}
		grand.Add(grand, sum)
	}
	if got.Foot != nil {
		for i, c := range cols {
			if uiRat(t, got.Foot.Amounts[i]).Cmp(c) != 0 {
				t.Errorf("%s column total %s: page %s, want %s", what, want.buckets[i], got.Foot.Amounts[i], c.FloatString(10))
			}
		}
	}
	if uiRat(t, got.Total).Cmp(grand) != 0 {
		t.Errorf("%s: page total %s, want %s", what, got.Total, grand.FloatString(10))
	}
	t.Logf("%s: %d rows x %d periods equal the API's, total %s", what, len(got.Rows), len(want.buckets), uiUSD(grand))
}

func uiDecode(t *testing.T, raw json.RawMessage, v any) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
}

// uiNotImplemented tells whether an SDK error is Tally's answer for an
// operation it does not implement yet.
func uiNotImplemented(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "NotImplementedException"
}

func uiMonthStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

func uiContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
