package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/tallyhq/tally/internal/billing"
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
	uiExport.once.Do(func() {
		if uiExport.dir, uiExport.err = os.MkdirTemp("", "tally-ui-export-"); uiExport.err != nil {
			return
		}
		_, uiExport.err = synth.Generate(context.Background(), synth.Config{Out: uiExport.dir, Now: now, Seed: 11, Accounts: 5,
			Start: uiMonthStart(now).AddDate(0, -5, 0), Rows: 30000})
	})
	if uiExport.err != nil {
		t.Fatal(uiExport.err)
	}
	return uiExport.dir
}

// uiExport is the export of uiSynthExport, generated once for both browser
// tests (they only read it); TestMain removes it.
var uiExport struct {
	once sync.Once
	dir  string
	err  error
}

// TestBrowser loads every page of the web UI in headless Chromium against a
// server with a synthetic organisation's data, uses the controls, and
// checks that the numbers on the page equal the API's. Screenshots are kept
// in test-artifacts/web/.
func TestBrowser(t *testing.T) {
	t.Parallel()
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
	acct := aws.String(inst.app.TestAccount("")()) // the payer, the account the test key acts as
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
	var budgetParams map[string]any
	if budgetsErr == nil {
		// Create a budget with a filter and an alert through the form.
		budgetParams = map[string]any{"create": map[string]any{"name": "EC2 from the UI", "amount": "250", "service": ec2,
			"serviceSearch": "Compute", "email": "finops@example.com"}}
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
		e2e.Scenario{Name: "budgets", Params: budgetParams},
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
		periods, err := inst.app.Store.Periods(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Periods) != len(periods) || len(periods) != 6 {
			t.Fatalf("page lists %d periods, store %d (want 6)", len(got.Periods), len(periods))
		}
		for _, p := range periods {
			month := p.Period.Month.Format("2006-01")
			state := map[bool]string{true: "Final", false: "Estimated"}[billing.Final(p.Period.Month, p.Final, p.IngestedAt, now)]
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
			Cards, AfterCreate []struct{ Name, Actual, Forecast, Limit string }
		}
		uiDecode(t, res["budgets"], &cards)
		cards.Cards = cards.AfterCreate
		created, err := bc.DescribeBudget(ctx, &budgets.DescribeBudgetInput{AccountId: acct, BudgetName: aws.String("EC2 from the UI"),
			ShowFilterExpression: aws.Bool(true)})
		if err != nil {
			t.Fatalf("the budget created on the page: %v", err)
		}
		if fe := created.Budget.FilterExpression; fe == nil || fe.Dimensions == nil || fe.Dimensions.Key != btypes.DimensionService ||
			strings.Join(fe.Dimensions.Values, "|") != ec2 || aws.ToString(created.Budget.BudgetLimit.Amount) != "250" {
			t.Errorf("the page created %+v", created.Budget)
		}
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

// TestBrowserSignIn signs in with an access key of a credentials file and
// checks that the account sees in the browser what the API shows it: only
// its own usage.
func TestBrowserSignIn(t *testing.T) {
	t.Parallel()
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

	// Learn the organisation's accounts from a test-mode server, then serve
	// the same data directory with the credentials.
	data := t.TempDir()
	probe, stopProbe := launch(t, data, &serveHooks{now: func() time.Time { return now }})
	probe.ingest(t, export)
	periods, err := probe.app.Store.Periods(ctx)
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
	stopProbe()
	inst := startOn(t, data, now, "--credentials", creds)

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
