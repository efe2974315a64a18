package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/aws/smithy-go"

	"github.com/tallyhq/tally/internal/synth"
	"github.com/tallyhq/tally/internal/web/e2e"
)

// browserNow is the business clock of the browser tests. Signatures, the
// SDK's and the pages', are dated and checked by the wall clock.
var browserNow = time.Date(2025, 3, 10, 5, 0, 0, 0, time.UTC)

// uiSynthExport writes a small synthetic organisation's CUR 2.0 export: the
// five months before now's and now's month to date.
func uiSynthExport(t *testing.T, now time.Time) string {
	t.Helper()
	out := t.TempDir()
	_, err := synth.Generate(context.Background(), synth.Config{Out: out, Now: now, Seed: 11, Accounts: 5,
		Start: uiMonthStart(now).AddDate(0, -5, 0), Rows: 30000})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

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

// TestBrowser loads every page of the web UI in headless Chromium against a
// server with a synthetic organisation's data, uses the controls, and
// checks that the numbers on the page equal the API's. Screenshots are kept
// in test-artifacts/web/.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	b := e2e.Require(t)
	now := browserNow
	export := uiSynthExport(t, now)
	inst := start(t, now)
	day := func(t time.Time) string { return t.Format("2006-01-02") }
	thisMonth := uiMonthStart(now)
	lastMonth := thisMonth.AddDate(0, -1, 0)
	tomorrow := now.Truncate(24*time.Hour).AddDate(0, 0, 1)
	inst.ingest(t, export)
	// A failed ingest shows on the Data page.
	bad := filepath.Join(t.TempDir(), "broken.csv")
	os.WriteFile(bad, []byte("not,a,billing,file\n1,2,3,4\n"), 0o600)
	if err := run(context.Background(), []string{"ingest", "--data", inst.data, bad}, &syncBuffer{}, &syncBuffer{}); err == nil {
		t.Fatal("ingest of a broken file succeeded")
	}
	ctx := context.Background()
	ce := inst.ce("test", "test")

	period := func(s, e string) *cetypes.DateInterval {
		return &cetypes.DateInterval{Start: aws.String(s), End: aws.String(e)}
	}
	tags, err := ce.GetTags(ctx, &costexplorer.GetTagsInput{TimePeriod: period(day(lastMonth), day(thisMonth))})
	if err != nil {
		t.Fatal(err)
	}
	teamKey := ""
	for _, k := range tags.Tags {
		if strings.EqualFold(k, "team") || strings.HasSuffix(strings.ToLower(k), ":team") {
			teamKey = k
		}
	}
	if teamKey == "" {
		t.Fatalf("no team tag key in %q", tags.Tags)
	}
	const ec2 = "Amazon Elastic Compute Cloud - Compute"
	sharedPath := "/explorer?" + url.Values{"range": {"custom"}, "start": {day(lastMonth)}, "end": {day(lastMonth.AddDate(0, 0, 14))},
		"granularity": {"DAILY"}, "metric": {"AmortizedCost"}, "group": {"DIMENSION:LINKED_ACCOUNT"}, "chart": {"line"},
		"filter": {`[["exclude","DIMENSION","RECORD_TYPE",["Tax"]]]`}}.Encode()

	emptyPath := "/explorer?" + url.Values{"range": {"custom"}, "start": {day(thisMonth.AddDate(0, -8, 0))},
		"end": {day(thisMonth.AddDate(0, -7, 0))}}.Encode()

	// Budgets and tag management are compared with the API where the server
	// has them; otherwise the pages must say they are not available.
	bc := inst.budgets("test", "test")
	acct := aws.String("000000000000")
	_, budgetsErr := bc.DescribeBudgets(ctx, &budgets.DescribeBudgetsInput{AccountId: acct})
	if budgetsErr == nil {
		_, err := bc.CreateBudget(ctx, &budgets.CreateBudgetInput{AccountId: acct, Budget: &btypes.Budget{
			BudgetName: aws.String("EC2 monthly"), BudgetType: btypes.BudgetTypeCost, TimeUnit: btypes.TimeUnitMonthly,
			BudgetLimit: &btypes.Spend{Amount: aws.String("100"), Unit: aws.String("USD")},
			FilterExpression: &btypes.Expression{Dimensions: &btypes.ExpressionDimensionValues{
				Key: btypes.DimensionService, Values: []string{ec2}}},
			Metrics: []btypes.Metric{btypes.MetricUnblendedCost}}})
		if err != nil {
			t.Fatalf("CreateBudget: %v", err)
		}
	}
	_, tagsErr := ce.ListCostAllocationTags(ctx, &costexplorer.ListCostAllocationTagsInput{})
	var tagParams map[string]any
	backfillFrom := thisMonth.AddDate(0, -3, 0).Format(time.RFC3339)
	if tagsErr == nil {
		// Deactivate the team tag and start a backfill through the page; this
		// scenario runs last, as it changes what the explorer would show.
		tagParams = map[string]any{"toggle": teamKey, "backfill": backfillFrom}
	}
	// The API's answers, asked before the pages change anything (the tags
	// scenario deactivates a tag).
	wantDefault := uiCosts(t, ce, &costexplorer.GetCostAndUsageInput{TimePeriod: period(day(thisMonth.AddDate(0, -5, 0)), day(tomorrow)),
		Granularity: cetypes.GranularityMonthly, Metrics: []string{"UnblendedCost"},
		GroupBy: []cetypes.GroupDefinition{{Type: cetypes.GroupDefinitionTypeDimension, Key: aws.String("SERVICE")}}})
	wantControls := uiCosts(t, ce, &costexplorer.GetCostAndUsageInput{TimePeriod: period(day(lastMonth), day(thisMonth)),
		Granularity: cetypes.GranularityMonthly, Metrics: []string{"UnblendedCost"},
		GroupBy: []cetypes.GroupDefinition{{Type: cetypes.GroupDefinitionTypeTag, Key: aws.String(teamKey)}},
		Filter:  &cetypes.Expression{Dimensions: &cetypes.DimensionValues{Key: cetypes.DimensionService, Values: []string{ec2}}}})
	wantShared := uiCosts(t, ce, &costexplorer.GetCostAndUsageInput{TimePeriod: period(day(lastMonth), day(lastMonth.AddDate(0, 0, 14))),
		Granularity: cetypes.GranularityDaily, Metrics: []string{"AmortizedCost"},
		GroupBy: []cetypes.GroupDefinition{{Type: cetypes.GroupDefinitionTypeDimension, Key: aws.String("LINKED_ACCOUNT")}},
		Filter: &cetypes.Expression{Not: &cetypes.Expression{Dimensions: &cetypes.DimensionValues{
			Key: cetypes.DimensionRecordType, Values: []string{"Tax"}}}}})
	wantEmpty := uiCosts(t, ce, &costexplorer.GetCostAndUsageInput{TimePeriod: period(day(thisMonth.AddDate(0, -5, 0)), day(thisMonth.AddDate(0, 1, 0))),
		Granularity: cetypes.GranularityMonthly, Metrics: []string{"UnblendedCost"},
		GroupBy: []cetypes.GroupDefinition{{Type: cetypes.GroupDefinitionTypeDimension, Key: aws.String("SERVICE")}}})
	res := b.Run(t, inst.url,
		e2e.Scenario{Name: "explorer-default"},
		e2e.Scenario{Name: "explorer-controls", Params: map[string]any{"tagKey": teamKey, "service": ec2, "serviceSearch": "Compute"}},
		e2e.Scenario{Name: "explorer-url", Params: map[string]any{"path": sharedPath, "shot": "explorer-shared-daily-lines"}},
		e2e.Scenario{Name: "explorer-empty", Params: map[string]any{"path": emptyPath}},
		e2e.Scenario{Name: "data"},
		e2e.Scenario{Name: "budgets"},
		e2e.Scenario{Name: "tags", Params: tagParams},
	)

	t.Run("default view", func(t *testing.T) {
		var got struct{ Table uiTable }
		uiDecode(t, res["explorer-default"], &got)
		want := wantDefault
		uiCheckTable(t, "last 6 months by service", got.Table, want)
	})

	t.Run("each team on EC2 last month", func(t *testing.T) {
		var got struct {
			Chips            []string
			Table, Reloaded  uiTable
			Tooltip, CSV     string
			CSVName          string
			LineSeries       int
			LineURL, BackURL string
		}
		uiDecode(t, res["explorer-controls"], &got)
		want := wantControls
		if len(want.rows) < 2 {
			t.Fatalf("the data has %d team groups on EC2 last month; the check needs several", len(want.rows))
		}
		uiCheckTable(t, "EC2 by team, last month", got.Table, want)
		uiCheckTable(t, "the same view reloaded from its URL", got.Reloaded, want)
		if want := []string{"Service is " + ec2 + "×"}; strings.Join(got.Chips, "|") != strings.Join(want, "|") {
			t.Errorf("filter chips %q, want %q", got.Chips, want)
		}
		q, _ := url.ParseQuery(strings.TrimPrefix(got.Table.URL[strings.Index(got.Table.URL, "?"):], "?"))
		if q.Get("range") != "last-month" || q.Get("group") != "TAG:"+teamKey || !strings.Contains(q.Get("filter"), ec2) {
			t.Errorf("the URL does not hold the view: %s", got.Table.URL)
		}
		// The tooltip of the one bucket lists each team with its amount.
		for key, amounts := range want.rows {
			if amounts[0].Sign() == 0 {
				continue
			}
			if !strings.Contains(got.Tooltip, uiUSD(amounts[0])) {
				t.Errorf("tooltip lacks %s of %s:\n%s", uiUSD(amounts[0]), key, got.Tooltip)
			}
		}
		if got.LineSeries != min(len(want.rows), 10) || !strings.Contains(got.LineURL, "chart=line") || !strings.Contains(got.BackURL, "chart=bar") {
			t.Errorf("line view: %d lines (want %d), URL %s, back to %s", got.LineSeries, min(len(want.rows), 10), got.LineURL, got.BackURL)
		}
		// The CSV holds the same exact amounts.
		lines := strings.Split(strings.TrimSpace(got.CSV), "\r\n")
		if len(lines) != len(want.rows)+2 || !strings.HasPrefix(lines[0], `"Tag: `+teamKey+`","`+day(lastMonth)+`","Total"`) {
			t.Fatalf("CSV %s:\n%s", got.CSVName, got.CSV)
		}
		for _, r := range got.Table.Rows {
			row := fmt.Sprintf("%q,", r.Label)
			found := false
			for _, l := range lines {
				if strings.HasPrefix(l, row) {
					found = true
					cells := strings.Split(strings.TrimPrefix(l, row), ",")
					if uiRat(t, cells[0]).Cmp(want.rows[r.Key][0]) != 0 {
						t.Errorf("CSV %s: %s, want %s", r.Key, cells[0], want.rows[r.Key][0].FloatString(10))
					}
				}
			}
			if !found {
				t.Errorf("CSV lacks row %s", row)
			}
		}
	})

	t.Run("shared link", func(t *testing.T) {
		var got struct{ Table uiTable }
		uiDecode(t, res["explorer-url"], &got)
		want := wantShared
		uiCheckTable(t, "amortized by account, daily, without tax", got.Table, want)
	})

	t.Run("range without data", func(t *testing.T) {
		var got struct {
			Hint  string
			Table uiTable
		}
		uiDecode(t, res["explorer-empty"], &got)
		first, last := thisMonth.AddDate(0, -5, 0), thisMonth
		if want := fmt.Sprintf("covers %s to %s", first.Format("2006-01"), last.Format("2006-01")); !strings.Contains(got.Hint, want) {
			t.Errorf("hint %q lacks %q", got.Hint, want)
		}
		want := wantEmpty
		uiCheckTable(t, "the range the data covers", got.Table, want)
	})

	t.Run("data", func(t *testing.T) {
		var got struct {
			Periods []struct{ Source, Month, State, Invoice, Rows string }
			Ingests [][]string
			Stats   map[string]string
		}
		uiDecode(t, res["data"], &got)
		periods, err := inst.app.store.Periods(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Periods) != len(periods) || len(periods) != 6 {
			t.Fatalf("page lists %d periods, store %d (want 6)", len(got.Periods), len(periods))
		}
		for _, p := range periods {
			month := p.Period.Month.Format("2006-01")
			state := map[bool]string{true: "Final", false: "Estimated"}[p.Final]
			found := false
			for _, g := range got.Periods {
				if g.Source == p.Period.Source && g.Month == month {
					found = true
					if g.State != state || g.Rows != fmt.Sprint(p.Rows) {
						t.Errorf("period %s %s: page %s with %s rows, store %s with %d", p.Period.Source, month, g.State, g.Rows, state, p.Rows)
					}
				}
			}
			if !found {
				t.Errorf("page lacks period %s", p.Period)
			}
		}
		if len(got.Ingests) != 2 || got.Ingests[0][1] != "Failed" || !strings.Contains(got.Ingests[0][4], "broken.csv") || got.Ingests[1][1] != "OK" {
			t.Errorf("recent ingests, newest first: want the failed one then the good one, got %q", got.Ingests)
		}
	})

	t.Run("budgets", func(t *testing.T) {
		var got struct{ Unavailable string }
		uiDecode(t, res["budgets"], &got)
		if uiNotImplemented(budgetsErr) {
			if !strings.Contains(got.Unavailable, "Budgets are not available on this server yet") {
				t.Errorf("budgets unimplemented: the page should say so, shows %q", got.Unavailable)
			}
			return
		}
		if budgetsErr != nil {
			t.Fatalf("DescribeBudgets: %v", budgetsErr)
		}
		if got.Unavailable != "" {
			t.Errorf("budgets work, yet the page says %q", got.Unavailable)
		}
		var cards struct {
			Cards []struct{ Name, Actual, Forecast, Limit string }
		}
		uiDecode(t, res["budgets"], &cards)
		all, err := bc.DescribeBudgets(ctx, &budgets.DescribeBudgetsInput{AccountId: acct})
		if err != nil {
			t.Fatal(err)
		}
		if len(cards.Cards) != len(all.Budgets) {
			t.Fatalf("page shows %d budgets, API %d", len(cards.Cards), len(all.Budgets))
		}
		for i, b := range all.Budgets {
			c := cards.Cards[i]
			same := func(what, page string, s *btypes.Spend) {
				if s == nil {
					return
				}
				if uiRat(t, page).Cmp(uiRat(t, aws.ToString(s.Amount))) != 0 {
					t.Errorf("budget %s %s: page %s, API %s", c.Name, what, page, aws.ToString(s.Amount))
				}
			}
			if c.Name != aws.ToString(b.BudgetName) {
				t.Errorf("budget %d: page %s, API %s", i, c.Name, aws.ToString(b.BudgetName))
			}
			same("limit", c.Limit, b.BudgetLimit)
			if b.CalculatedSpend != nil {
				same("actual", c.Actual, b.CalculatedSpend.ActualSpend)
				same("forecast", c.Forecast, b.CalculatedSpend.ForecastedSpend)
			}
		}
	})

	t.Run("tags", func(t *testing.T) {
		var got struct {
			Unavailable  string
			FallbackKeys []string
		}
		uiDecode(t, res["tags"], &got)
		if uiNotImplemented(tagsErr) {
			if !strings.Contains(got.Unavailable, "Tag management is not available") {
				t.Errorf("tag management unimplemented: the page should say so, shows %q", got.Unavailable)
			}
			if !uiContains(got.FallbackKeys, teamKey) {
				t.Errorf("fallback list %q lacks %s", got.FallbackKeys, teamKey)
			}
			return
		}
		if tagsErr != nil {
			t.Fatalf("ListCostAllocationTags: %v", tagsErr)
		}
		var rows struct {
			Rows, AfterToggle []struct{ Key, Status string }
			Backfills         []string
		}
		uiDecode(t, res["tags"], &rows)
		if !uiContains(rows.Backfills, "SUCCEEDED") {
			t.Errorf("backfill from %s through the page: history %q, want one SUCCEEDED", backfillFrom, rows.Backfills)
		}
		rows.Rows = rows.AfterToggle
		list, err := ce.ListCostAllocationTags(ctx, &costexplorer.ListCostAllocationTagsInput{MaxResults: aws.Int32(1000)})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{}
		for _, tag := range list.CostAllocationTags {
			want[aws.ToString(tag.TagKey)] = string(tag.Status)
		}
		gotMap := map[string]string{}
		for _, r := range rows.Rows {
			gotMap[r.Key] = r.Status
		}
		if want[teamKey] != "Inactive" {
			t.Errorf("after deactivating %s on the page the API says %s", teamKey, want[teamKey])
		}
		if fmt.Sprint(gotMap) != fmt.Sprint(want) {
			t.Errorf("tag statuses: page %v, API %v", gotMap, want)
		}
	})
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

// TestBrowserSignIn signs in with an access key of a credentials file and
// checks that the account sees in the browser what the API shows it: only
// its own usage.
func TestBrowserSignIn(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	b := e2e.Require(t)
	now := browserNow
	export := uiSynthExport(t, now)
	ctx := context.Background()
	day := func(t time.Time) string { return t.Format("2006-01-02") }
	lastMonth, thisMonth := uiMonthStart(now).AddDate(0, -1, 0), uiMonthStart(now)
	lastMonthPeriod := &cetypes.DateInterval{Start: aws.String(day(lastMonth)), End: aws.String(day(thisMonth))}

	// Learn the organisation's accounts from a test-mode server.
	probe := start(t, now)
	probe.ingest(t, export)
	periods, err := probe.app.store.Periods(ctx)
	if err != nil || len(periods) == 0 {
		t.Fatalf("periods: %v %v", periods, err)
	}
	payer := periods[0].Period.Source[strings.LastIndex(periods[0].Period.Source, ":")+1:]
	accounts, err := probe.ce("test", "test").GetDimensionValues(ctx, &costexplorer.GetDimensionValuesInput{
		TimePeriod: lastMonthPeriod, Dimension: cetypes.DimensionLinkedAccount})
	if err != nil {
		t.Fatal(err)
	}
	member := ""
	for _, v := range accounts.DimensionValues {
		if aws.ToString(v.Value) != payer {
			member = aws.ToString(v.Value)
		}
	}
	if member == "" {
		t.Fatalf("no member account besides the payer %s", payer)
	}
	creds := filepath.Join(t.TempDir(), "credentials.csv")
	os.WriteFile(creds, []byte("access_key_id,secret_access_key,account_id\nAKIAPAYER,payer-secret,"+payer+
		"\nAKIAMEMBER,member-secret,"+member+"\n"), 0o600)
	inst := start(t, now, "--credentials", creds)
	inst.ingest(t, export)

	res := b.Run(t, inst.url, e2e.Scenario{Name: "signin", Params: map[string]any{
		"key": "AKIAMEMBER", "secret": "member-secret", "wrongSecret": "not-the-secret"}})
	var got struct {
		RedirectedTo, Wrong, Who, AfterSignOut string
		Table                                  uiTable
	}
	uiDecode(t, res["signin"], &got)
	if got.RedirectedTo != "/signin" || got.AfterSignOut != "/signin" {
		t.Errorf("without a session the pages should ask to sign in: landed on %s, after sign-out %s", got.RedirectedTo, got.AfterSignOut)
	}
	if !strings.Contains(got.Wrong, "does not accept") {
		t.Errorf("a wrong secret should be refused, page says %q", got.Wrong)
	}
	if got.Who != "Account "+member {
		t.Errorf("header shows %q, want Account %s", got.Who, member)
	}
	in := func() *costexplorer.GetCostAndUsageInput {
		return &costexplorer.GetCostAndUsageInput{TimePeriod: lastMonthPeriod, Granularity: cetypes.GranularityMonthly,
			Metrics: []string{"UnblendedCost"},
			GroupBy: []cetypes.GroupDefinition{{Type: cetypes.GroupDefinitionTypeDimension, Key: aws.String("LINKED_ACCOUNT")}}}
	}
	want := uiCosts(t, inst.ce("AKIAMEMBER", "member-secret"), in())
	uiCheckTable(t, "the member's last month by account", got.Table, want)
	if len(want.rows) != 1 || want.rows[member] == nil {
		t.Errorf("the member should see only its own account, sees %d", len(want.rows))
	}
	if all := uiCosts(t, inst.ce("AKIAPAYER", "payer-secret"), in()); len(all.rows) <= 1 {
		t.Errorf("the payer should see several accounts, sees %d", len(all.rows))
	}
}
