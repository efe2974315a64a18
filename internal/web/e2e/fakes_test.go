package e2e_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/awsjson/awsjsontest"
	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/budgets"
	"github.com/tallyhq/tally/internal/costexplorer"
	"github.com/tallyhq/tally/internal/server"
	"github.com/tallyhq/tally/internal/web"
	"github.com/tallyhq/tally/internal/web/e2e"
)

// These tests drive the Budgets and Tags pages against small in-memory
// services behind the real protocol layer (generated bindings, strict
// decoding, SigV4), so the pages' requests are checked against the AWS
// shapes whether or not the real services are built yet; cmd/tally's
// TestBrowser covers the real ones.

func p[T any](v T) *T { return &v }

var fakeNow = time.Date(2025, 3, 10, 5, 0, 0, 0, time.UTC)

// fakeCE answers the tag operations from a list in memory.
type fakeCE struct {
	costexplorer.Unimplemented
	mu        sync.Mutex
	tags      []costexplorer.CostAllocationTag
	backfills []costexplorer.CostAllocationTagBackfillRequest
	lists     int
}

func (f *fakeCE) GetTags(ctx context.Context, in *costexplorer.GetTagsRequest) (*costexplorer.GetTagsResponse, error) {
	out := []string{"env", "team"}
	if in.TagKey != nil {
		out = []string{"", "ml", "search"}
	}
	return &costexplorer.GetTagsResponse{Tags: out, ReturnSize: p(int32(len(out))), TotalSize: p(int32(len(out)))}, nil
}

func (f *fakeCE) GetDimensionValues(ctx context.Context, in *costexplorer.GetDimensionValuesRequest) (*costexplorer.GetDimensionValuesResponse, error) {
	var out []costexplorer.DimensionValuesWithAttributes
	for _, v := range []string{"Amazon Elastic Compute Cloud - Compute", "Amazon Simple Storage Service", "Tax"} {
		if in.SearchString == nil || strings.Contains(strings.ToLower(v), strings.ToLower(*in.SearchString)) {
			out = append(out, costexplorer.DimensionValuesWithAttributes{Value: p(v), Attributes: map[string]string{}})
		}
	}
	return &costexplorer.GetDimensionValuesResponse{DimensionValues: out, ReturnSize: p(int32(len(out))), TotalSize: p(int32(len(out)))}, nil
}

func (f *fakeCE) ListCostAllocationTags(ctx context.Context, in *costexplorer.ListCostAllocationTagsRequest) (*costexplorer.ListCostAllocationTagsResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return &costexplorer.ListCostAllocationTagsResponse{CostAllocationTags: append([]costexplorer.CostAllocationTag{}, f.tags...)}, nil
}

func (f *fakeCE) UpdateCostAllocationTagsStatus(ctx context.Context, in *costexplorer.UpdateCostAllocationTagsStatusRequest) (*costexplorer.UpdateCostAllocationTagsStatusResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range in.CostAllocationTagsStatus {
		for i := range f.tags {
			if *f.tags[i].TagKey == *e.TagKey {
				f.tags[i].Status = e.Status
				f.tags[i].LastUpdatedDate = p(fakeNow.Format(time.RFC3339))
			}
		}
	}
	return &costexplorer.UpdateCostAllocationTagsStatusResponse{Errors: []costexplorer.UpdateCostAllocationTagsStatusError{}}, nil
}

func (f *fakeCE) StartCostAllocationTagBackfill(ctx context.Context, in *costexplorer.StartCostAllocationTagBackfillRequest) (*costexplorer.StartCostAllocationTagBackfillResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := costexplorer.CostAllocationTagBackfillRequest{BackfillFrom: in.BackfillFrom, RequestedAt: p(fakeNow.Format(time.RFC3339)),
		LastUpdatedAt: p(fakeNow.Format(time.RFC3339)), BackfillStatus: p(costexplorer.CostAllocationTagBackfillStatusProcessing)}
	f.backfills = append(f.backfills, r)
	f.lists = 0
	return &costexplorer.StartCostAllocationTagBackfillResponse{BackfillRequest: &r}, nil
}

// ListCostAllocationTagBackfillHistory lets a backfill finish on the second
// listing, so the page has to poll.
func (f *fakeCE) ListCostAllocationTagBackfillHistory(ctx context.Context, in *costexplorer.ListCostAllocationTagBackfillHistoryRequest) (*costexplorer.ListCostAllocationTagBackfillHistoryResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists++
	if f.lists > 1 {
		for i := range f.backfills {
			if *f.backfills[i].BackfillStatus == costexplorer.CostAllocationTagBackfillStatusProcessing {
				f.backfills[i].BackfillStatus = p(costexplorer.CostAllocationTagBackfillStatusSucceeded)
				f.backfills[i].CompletedAt = p(fakeNow.Add(time.Minute).Format(time.RFC3339))
			}
		}
	}
	return &costexplorer.ListCostAllocationTagBackfillHistoryResponse{BackfillRequests: append([]costexplorer.CostAllocationTagBackfillRequest{}, f.backfills...)}, nil
}

// fakeBudgets keeps budgets, notifications and subscribers in memory; a
// new budget's spend is set by spend.
type fakeBudgets struct {
	budgets.Unimplemented
	mu      sync.Mutex
	budgets map[string]budgets.Budget
	notes   map[string][]budgets.Notification
	subs    map[string][]budgets.Subscriber // by budget name + notification key
	spend   func(b budgets.Budget) *budgets.CalculatedSpend
	updated []budgets.Budget // what UpdateBudget received
}

func noteKey(budget string, n *budgets.Notification) string {
	b, _ := json.Marshal([]any{budget, n.NotificationType, n.ComparisonOperator, n.Threshold, n.ThresholdType})
	return string(b)
}

func (f *fakeBudgets) notFound(name string) error {
	return budgets.NewNotFoundException("budget " + name + " not found")
}

func (f *fakeBudgets) DescribeBudgets(ctx context.Context, in *budgets.DescribeBudgetsRequest) (*budgets.DescribeBudgetsResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &budgets.DescribeBudgetsResponse{Budgets: []budgets.Budget{}}
	for _, name := range []string{"Platform", "Team ML EC2", "Storage", "UI budget"} {
		if b, ok := f.budgets[name]; ok {
			out.Budgets = append(out.Budgets, b)
		}
	}
	return out, nil
}

func (f *fakeBudgets) CreateBudget(ctx context.Context, in *budgets.CreateBudgetRequest) (*budgets.CreateBudgetResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b := *in.Budget
	if _, dup := f.budgets[*b.BudgetName]; dup {
		return nil, budgets.NewDuplicateRecordException("duplicate budget")
	}
	b.CalculatedSpend = f.spend(b)
	f.budgets[*b.BudgetName] = b
	for _, n := range in.NotificationsWithSubscribers {
		f.notes[*b.BudgetName] = append(f.notes[*b.BudgetName], *n.Notification)
		f.subs[noteKey(*b.BudgetName, n.Notification)] = n.Subscribers
	}
	return &budgets.CreateBudgetResponse{}, nil
}

func (f *fakeBudgets) UpdateBudget(ctx context.Context, in *budgets.UpdateBudgetRequest) (*budgets.UpdateBudgetResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	old, ok := f.budgets[*in.NewBudget.BudgetName]
	if !ok {
		return nil, f.notFound(*in.NewBudget.BudgetName)
	}
	f.updated = append(f.updated, *in.NewBudget)
	b := *in.NewBudget
	b.CalculatedSpend = old.CalculatedSpend
	f.budgets[*b.BudgetName] = b
	return &budgets.UpdateBudgetResponse{}, nil
}

func (f *fakeBudgets) DescribeNotificationsForBudget(ctx context.Context, in *budgets.DescribeNotificationsForBudgetRequest) (*budgets.DescribeNotificationsForBudgetResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.budgets[*in.BudgetName]; !ok {
		return nil, f.notFound(*in.BudgetName)
	}
	return &budgets.DescribeNotificationsForBudgetResponse{Notifications: append([]budgets.Notification{}, f.notes[*in.BudgetName]...)}, nil
}

func (f *fakeBudgets) DescribeSubscribersForNotification(ctx context.Context, in *budgets.DescribeSubscribersForNotificationRequest) (*budgets.DescribeSubscribersForNotificationResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return &budgets.DescribeSubscribersForNotificationResponse{Subscribers: f.subs[noteKey(*in.BudgetName, in.Notification)]}, nil
}

func (f *fakeBudgets) DescribeBudgetPerformanceHistory(ctx context.Context, in *budgets.DescribeBudgetPerformanceHistoryRequest) (*budgets.DescribeBudgetPerformanceHistoryResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.budgets[*in.BudgetName]
	if !ok {
		return nil, f.notFound(*in.BudgetName)
	}
	var list []budgets.BudgetedAndActualAmounts
	for i, actual := range []string{"80.5", "95", "130.25", "60"} {
		start := time.Date(2024, time.Month(12+i), 1, 0, 0, 0, 0, time.UTC)
		list = append(list, budgets.BudgetedAndActualAmounts{BudgetedAmount: b.BudgetLimit, ActualAmount: &budgets.Spend{Amount: p(actual), Unit: p("USD")},
			TimePeriod: &budgets.TimePeriod{Start: awsjson.NewEpochTime(start), End: awsjson.NewEpochTime(start.AddDate(0, 1, 0))}})
	}
	return &budgets.DescribeBudgetPerformanceHistoryResponse{BudgetPerformanceHistory: &budgets.BudgetPerformanceHistory{
		BudgetName: b.BudgetName, BudgetType: b.BudgetType, TimeUnit: b.TimeUnit, BudgetedAndActualAmountsList: list}}, nil
}

func (f *fakeBudgets) CreateNotification(ctx context.Context, in *budgets.CreateNotificationRequest) (*budgets.CreateNotificationResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.notes[*in.BudgetName] = append(f.notes[*in.BudgetName], *in.Notification)
	f.subs[noteKey(*in.BudgetName, in.Notification)] = in.Subscribers
	return &budgets.CreateNotificationResponse{}, nil
}

func spend(actual, forecast string) *budgets.CalculatedSpend {
	return &budgets.CalculatedSpend{ActualSpend: &budgets.Spend{Amount: p(actual), Unit: p("USD")},
		ForecastedSpend: &budgets.Spend{Amount: p(forecast), Unit: p("USD")}}
}

func monthly(name, limit string, s *budgets.CalculatedSpend) budgets.Budget {
	return budgets.Budget{BudgetName: p(name), BudgetType: p(budgets.BudgetTypeCost), TimeUnit: p(budgets.TimeUnitMonthly),
		BudgetLimit: &budgets.Spend{Amount: p(limit), Unit: p("USD")}, CalculatedSpend: s}
}

// startFakes serves the UI and the fakes like tally serve does.
func startFakes(t *testing.T) (string, *fakeCE, *fakeBudgets) {
	t.Helper()
	ce := &fakeCE{tags: []costexplorer.CostAllocationTag{
		{TagKey: p("team"), Type: p(costexplorer.CostAllocationTagTypeUserDefined), Status: p(costexplorer.CostAllocationTagStatusActive),
			LastUpdatedDate: p("2025-01-02T03:04:05Z"), LastUsedDate: p("2025-03-01T00:00:00Z")},
		{TagKey: p("env"), Type: p(costexplorer.CostAllocationTagTypeUserDefined), Status: p(costexplorer.CostAllocationTagStatusInactive)},
		{TagKey: p("aws:createdBy"), Type: p(costexplorer.CostAllocationTagTypeAWSGenerated), Status: p(costexplorer.CostAllocationTagStatusActive)},
	}}
	alarm := budgets.Notification{NotificationType: p(budgets.NotificationTypeActual), ComparisonOperator: p(budgets.ComparisonOperatorGreaterThan),
		Threshold: p(100.0), ThresholdType: p(budgets.ThresholdTypePercentage), NotificationState: p(budgets.NotificationStateAlarm)}
	bu := &fakeBudgets{
		budgets: map[string]budgets.Budget{
			"Platform":    monthly("Platform", "1000", spend("1234.565", "2100")),
			"Team ML EC2": monthly("Team ML EC2", "500", spend("250.5", "610")),
			"Storage":     monthly("Storage", "300", spend("12.25", "40")),
		},
		notes: map[string][]budgets.Notification{"Platform": {alarm}},
		subs:  map[string][]budgets.Subscriber{noteKey("Platform", &alarm): {{SubscriptionType: p(budgets.SubscriptionTypeEmail), Address: p("ops@example.com")}}},
		spend: func(budgets.Budget) *budgets.CalculatedSpend { return spend("42", "84") },
	}
	router, err := awsjson.NewRouter([]awsjson.Service{costexplorer.ServiceDef(ce), budgets.ServiceDef(bu)}, awsjsontest.Strict(t))
	if err != nil {
		t.Fatal(err)
	}
	keys := auth.TestKeys()
	// As in tally serve: signatures are checked against the wall clock, the
	// pages resolve "this month" against the services' business clock.
	srv := server.New(server.Config{Keys: keys, API: router,
		Web: web.Handler(web.Config{Keys: keys, Now: func() time.Time { return fakeNow }, Profile: "aws", Version: "test",
			Watches: func() []web.WatchSource { return fakeWatches }})})
	srv.SetReady()
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return hs.URL, ce, bu
}

// fakeWatches are the sources the Data page shows as watched: one that
// found nothing new since its last ingest, one that cannot be read.
var fakeWatches = []web.WatchSource{
	{Source: "s3://billing/exports/", LastSync: fakeNow.Add(-time.Minute), Outcome: web.WatchNothing,
		LastIngest: fakeNow.Add(-time.Hour), Rows: 1234, Waiting: 1, NextPoll: fakeNow.Add(4 * time.Minute),
		Periods: []billing.BillingPeriod{
			{Source: "cur:111111111111", Month: time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC)},
			{Source: "cur:111111111111", Month: time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC)},
		}},
	{Source: "/srv/exports", LastSync: fakeNow.Add(-time.Minute), Outcome: web.WatchFailed,
		Err: "open /srv/exports: permission denied", NextPoll: fakeNow.Add(4 * time.Minute)},
}

func TestBudgetsAndTagsPages(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	b := e2e.Require(t)
	base, ce, bu := startFakes(t)
	res := b.Run(t, base,
		e2e.Scenario{Name: "budgets", Params: map[string]any{"create": map[string]any{"name": "UI budget", "amount": "250",
			"service": "Amazon Elastic Compute Cloud - Compute", "serviceSearch": "compute", "email": "me@example.com"},
			"edit": map[string]any{"name": "Team ML EC2", "amount": "650"}}},
		e2e.Scenario{Name: "tags", Params: map[string]any{"toggle": "team", "backfill": "2024-06-01T00:00:00Z"}},
		e2e.Scenario{Name: "data"},
	)

	t.Run("data watches", func(t *testing.T) {
		var got struct {
			Watches []struct {
				Source, Outcome string
				Cells           []string
			}
		}
		if err := json.Unmarshal(res["data"], &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Watches) != 2 {
			t.Fatalf("watches = %+v, want both watched sources", got.Watches)
		}
		for i, want := range [][]string{
			{"s3://billing/exports/", "Nothing new", "1 incomplete delivery waiting for files", "cur:111111111111: 2024-11 to 2024-12 (2 months)", "1,234"},
			{"/srv/exports", "Failed", "open /srv/exports: permission denied"},
		} {
			w := got.Watches[i]
			text := strings.Join(w.Cells, " | ")
			for _, s := range want {
				if !strings.Contains(text, s) {
					t.Errorf("watch %d row %q lacks %q", i, text, s)
				}
			}
			if w.Source != want[0] || len(w.Cells) != 6 || w.Cells[1] == "—" || w.Cells[5] == "—" {
				t.Errorf("watch %d = %+v", i, w)
			}
		}
	})

	t.Run("budgets", func(t *testing.T) {
		type card struct{ Name, State, Alarm, Actual, Forecast, Limit, ActualText string }
		var got struct {
			Unavailable                   string
			Cards, AfterCreate, AfterEdit []card
			Details                       string
		}
		if err := json.Unmarshal(res["budgets"], &got); err != nil {
			t.Fatal(err)
		}
		want := []card{
			{"Platform", "Over budget", "ALARM: Actual > 100% of the limit", "1234.565", "2100", "1000", "$1,234.57"},
			{"Team ML EC2", "Forecast over budget", "", "250.5", "610", "500", "$250.50"},
			{"Storage", "On track", "", "12.25", "40", "300", "$12.25"},
		}
		if diff := cmp.Diff(want, got.Cards); diff != "" {
			t.Errorf("budget cards (-want +got):\n%s", diff)
		}
		want = append(want, card{"UI budget", "On track", "", "42", "84", "250", "$42.00"})
		if diff := cmp.Diff(want, got.AfterCreate); diff != "" {
			t.Errorf("after creating a budget (-want +got):\n%s", diff)
		}
		want[1].Limit, want[1].State = "650", "On track"
		if diff := cmp.Diff(want, got.AfterEdit); diff != "" {
			t.Errorf("after raising Team ML EC2's limit to 650 (-want +got):\n%s", diff)
		}
		bu.mu.Lock()
		// The page sends the budget back without what the service computes.
		u, _ := json.Marshal(bu.updated)
		if want := `[{"BudgetName":"Team ML EC2","BudgetLimit":{"Amount":"650","Unit":"USD"},"TimeUnit":"MONTHLY","BudgetType":"COST"}]`; string(u) != want {
			t.Errorf("UpdateBudget got\n%s\nwant\n%s", u, want)
		}
		created := bu.budgets["UI budget"]
		notes := bu.notes["UI budget"]
		bu.mu.Unlock()
		gotJSON, _ := json.Marshal(struct {
			B budgets.Budget
			N []budgets.Notification
		}{created, notes})
		wantJSON := `{"B":{"BudgetName":"UI budget","BudgetLimit":{"Amount":"250","Unit":"USD"},"TimeUnit":"MONTHLY",` +
			`"CalculatedSpend":{"ActualSpend":{"Amount":"42","Unit":"USD"},"ForecastedSpend":{"Amount":"84","Unit":"USD"}},"BudgetType":"COST",` +
			`"FilterExpression":{"Dimensions":{"Key":"SERVICE","Values":["Amazon Elastic Compute Cloud - Compute"]}},"Metrics":["UnblendedCost"]},` +
			`"N":[{"NotificationType":"ACTUAL","ComparisonOperator":"GREATER_THAN","Threshold":80,"ThresholdType":"PERCENTAGE"}]}`
		if string(gotJSON) != wantJSON {
			t.Errorf("the form created\n%s\nwant\n%s", gotJSON, wantJSON)
		}
		for _, s := range []string{"History", "Dec 2024", "$130.25", "Actual > 80% of the limit", "email: me@example.com"} {
			if !strings.Contains(got.Details, s) {
				t.Errorf("details lack %q:\n%s", s, got.Details)
			}
		}
	})

	t.Run("tags", func(t *testing.T) {
		type row struct{ Key, Type, Status string }
		var got struct {
			Unavailable       string
			Rows, AfterToggle []row
			Backfills         []string
		}
		if err := json.Unmarshal(res["tags"], &got); err != nil {
			t.Fatal(err)
		}
		want := []row{{"team", "User-defined", "Active"}, {"env", "User-defined", "Inactive"}, {"aws:createdBy", "AWS-generated", "Active"}}
		if diff := cmp.Diff(want, got.Rows); diff != "" {
			t.Errorf("tag rows (-want +got):\n%s", diff)
		}
		want[0].Status = "Inactive"
		if diff := cmp.Diff(want, got.AfterToggle); diff != "" {
			t.Errorf("after deactivating team (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"SUCCEEDED"}, got.Backfills); diff != "" {
			t.Errorf("backfill history (-want +got):\n%s", diff)
		}
		ce.mu.Lock()
		defer ce.mu.Unlock()
		if len(ce.backfills) != 1 || *ce.backfills[0].BackfillFrom != "2024-06-01T00:00:00Z" {
			t.Errorf("backfills requested: %+v", ce.backfills)
		}
	})
}
