package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	bsdk "github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/notify/smtptest"
)

// eventually waits up to ten seconds for cond.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// snsHook is an HTTP endpoint that records SNS notifications.
type snsHook struct {
	mu    sync.Mutex
	posts []notify.SNSNotification
}

func (h *snsHook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var n notify.SNSNotification
	if r.Header.Get("x-amz-sns-message-type") != "Notification" || json.Unmarshal(b, &n) != nil {
		http.Error(w, "not an SNS notification", http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.posts = append(h.posts, n)
}

func (h *snsHook) received() []notify.SNSNotification {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]notify.SNSNotification(nil), h.posts...)
}

// slackHook is a Slack-compatible webhook receiver.
type slackHook struct {
	mu    sync.Mutex
	texts []string
}

func (h *slackHook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var m struct{ Text string }
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil || m.Text == "" {
		http.Error(w, "not a Slack message", http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.texts = append(h.texts, m.Text)
}

func (h *slackHook) received() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.texts...)
}

// deliveries returns "KIND address: outcome" for every attempt in the
// delivery log, sorted (attempts of one frozen instant share their time).
func deliveries(t *testing.T, inst *instance) []string {
	t.Helper()
	log, err := inst.app.Store.Outbox().Log(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range log {
		out = append(out, fmt.Sprintf("%s %s: %s", e.Kind, e.Address, e.Outcome))
	}
	sort.Strings(out)
	return out
}

// TestBudgetSpendMatchesRawFiles checks the spend of budgets with service,
// account and tag filters against SQL over the raw Workshop files and
// against GetCostAndUsage with the same filter, and their performance
// history month by month.
func TestBudgetSpendMatchesRawFiles(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("ingests the Workshop files")
	}
	files := workshop(t)
	o := sharedOracle(t, files...)
	clk := &testClock{t: time.Date(2018, 12, 20, 12, 0, 0, 0, time.UTC)}
	inst, _ := launch(t, t.TempDir(), &serveHooks{now: clk.Now}, "--budgets-interval", "1h")
	inst.ingest(t, files...)
	ctx := context.Background()
	bc, ce := inst.budgets("test", "test"), inst.ce("test", "test")
	acct := aws.String(payerAccount) // the account the test key acts as

	for _, tc := range []struct {
		name    string
		filters map[string][]string
		oracle  string // WHERE condition over the oracle's view
		ce      *cetypes.Expression
	}{
		{"service", map[string][]string{"Service": {"Amazon Elastic Compute Cloud - Compute", "EC2 - Other"}},
			"service IN ('Amazon Elastic Compute Cloud - Compute', 'EC2 - Other')",
			&cetypes.Expression{Dimensions: &cetypes.DimensionValues{Key: cetypes.DimensionService, Values: []string{"Amazon Elastic Compute Cloud - Compute", "EC2 - Other"}}}},
		{"account", map[string][]string{"LinkedAccount": {"011254002932"}}, "linked_account = '011254002932'",
			&cetypes.Expression{Dimensions: &cetypes.DimensionValues{Key: cetypes.DimensionLinkedAccount, Values: []string{"011254002932"}}}},
		{"tag", map[string][]string{"TagKeyValue": {"user:environment$Production"}}, "tag_environment = 'Production'",
			&cetypes.Expression{Tags: &cetypes.TagValues{Key: aws.String("environment"), Values: []string{"Production"}}}},
		{"service and account", map[string][]string{"Service": {"Amazon QuickSight"}, "LinkedAccount": {"836060457634"}},
			"service = 'Amazon QuickSight' AND linked_account = '836060457634'",
			&cetypes.Expression{And: []cetypes.Expression{
				{Dimensions: &cetypes.DimensionValues{Key: cetypes.DimensionService, Values: []string{"Amazon QuickSight"}}},
				{Dimensions: &cetypes.DimensionValues{Key: cetypes.DimensionLinkedAccount, Values: []string{"836060457634"}}},
			}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &btypes.Budget{BudgetName: aws.String(tc.name), BudgetType: btypes.BudgetTypeCost, TimeUnit: btypes.TimeUnitMonthly,
				BudgetLimit: &btypes.Spend{Amount: aws.String("100"), Unit: aws.String("USD")},
				TimePeriod:  &btypes.TimePeriod{Start: aws.Time(time.Date(2018, 10, 1, 0, 0, 0, 0, time.UTC))},
				CostFilters: tc.filters}
			if _, err := bc.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: acct, Budget: b}); err != nil {
				t.Fatal(err)
			}
			out, err := bc.DescribeBudget(ctx, &bsdk.DescribeBudgetInput{AccountId: acct, BudgetName: b.BudgetName})
			if err != nil {
				t.Fatal(err)
			}
			actual := aws.ToString(out.Budget.CalculatedSpend.ActualSpend.Amount)

			// The oracle, month by month.
			sums := o.sums(t, "date_trunc('month', ts)", "", tc.oracle)
			month := func(m string) *big.Rat {
				if c, ok := sums[m+"|"]; ok {
					return c["UnblendedCost"]
				}
				return new(big.Rat)
			}
			if got, want := rat(t, actual), month("2018-12-01"); new(big.Rat).Sub(got, want).Abs(new(big.Rat).Sub(got, want)).Cmp(big.NewRat(1, 1e9)) > 0 {
				t.Errorf("ActualSpend %s, oracle %s", actual, want.FloatString(10))
			}

			// GetCostAndUsage with the same filter says the same, to the digit.
			res, err := ce.GetCostAndUsage(ctx, &costexplorer.GetCostAndUsageInput{Granularity: cetypes.GranularityMonthly,
				TimePeriod: &cetypes.DateInterval{Start: aws.String("2018-12-01"), End: aws.String("2019-01-01")},
				Metrics:    []string{"UnblendedCost"}, Filter: tc.ce})
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(res.ResultsByTime[0].Total["UnblendedCost"].Amount); got != actual {
				t.Errorf("GetCostAndUsage says %s, the budget %s", got, actual)
			}

			hist, err := bc.DescribeBudgetPerformanceHistory(ctx, &bsdk.DescribeBudgetPerformanceHistoryInput{AccountId: acct, BudgetName: b.BudgetName})
			if err != nil {
				t.Fatal(err)
			}
			var months []string
			for _, a := range hist.BudgetPerformanceHistory.BudgetedAndActualAmountsList {
				m := aws.ToTime(a.TimePeriod.Start).Format("2006-01-02")
				months = append(months, m)
				got := rat(t, aws.ToString(a.ActualAmount.Amount))
				if d := new(big.Rat).Sub(got, month(m)); d.Abs(d).Cmp(big.NewRat(1, 1e9)) > 0 {
					t.Errorf("history %s: %s, oracle %s", m, got.FloatString(10), month(m).FloatString(10))
				}
			}
			if diff := cmp.Diff([]string{"2018-10-01", "2018-11-01", "2018-12-01"}, months); diff != "" {
				t.Errorf("history months (-want +got):\n%s", diff)
			}
		})
	}
}

// TestBudgetAlertFromCLI is the whole story with the aws CLI: a budget with a
// tag filter shows its spend and forecast at once; an ingest pushes the
// spend over the threshold and the alert arrives by email (through a real
// SMTP exchange) and at the topic's HTTP endpoint; the performance history
// reads back.
func TestBudgetAlertFromCLI(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("ingests the Workshop files")
	}
	files := workshop(t)
	mail := smtptest.NewServer(t)
	hook := &snsHook{}
	hookSrv := httptest.NewServer(hook)
	defer hookSrv.Close()
	slack := &slackHook{}
	slackSrv := httptest.NewServer(slack)
	defer slackSrv.Close()
	const topic = "arn:aws:sns:us-east-1:123456789012:budget-alerts"
	const account = payerAccount // the account the test key acts as
	clk := &testClock{t: time.Date(2018, 12, 20, 12, 0, 0, 0, time.UTC)}
	inst, _ := launch(t, t.TempDir(), &serveHooks{now: clk.Now}, "--smtp-addr", mail.Addr, "--smtp-from", "budgets@tally.example",
		"--sns-endpoint", topic+"="+hookSrv.URL+"/sns", "--webhook", "slack="+slackSrv.URL+"/slack", "--budgets-interval", "1h")
	inst.ingest(t, files[:2]...) // October and November

	budget := `{"BudgetName":"production","BudgetType":"COST","TimeUnit":"MONTHLY",
		"BudgetLimit":{"Amount":"50","Unit":"USD"},"TimePeriod":{"Start":1538352000},
		"CostFilters":{"TagKeyValue":["user:environment$Production"]}}`
	notifications := `[{"Notification":{"NotificationType":"ACTUAL","ComparisonOperator":"GREATER_THAN","Threshold":100,"ThresholdType":"PERCENTAGE"},
		"Subscribers":[{"SubscriptionType":"EMAIL","Address":"finops@example.com"},{"SubscriptionType":"SNS","Address":"` + topic + `"}]}]`
	if _, stderr, err := inst.cli(t, "budgets", "create-budget", "--account-id", account, "--budget", budget,
		"--notifications-with-subscribers", notifications); err != nil {
		t.Fatalf("create-budget: %v\n%s", err, stderr)
	}
	// An AUTOMATIC action at 100% of the budget, run in dry run.
	created, stderr, err := inst.cli(t, "budgets", "create-budget-action", "--account-id", account, "--budget-name", "production",
		"--notification-type", "ACTUAL", "--action-type", "APPLY_IAM_POLICY",
		"--action-threshold", "ActionThresholdValue=100,ActionThresholdType=PERCENTAGE",
		"--definition", `{"IamActionDefinition":{"PolicyArn":"arn:aws:iam::`+account+`:policy/deny-ec2","Groups":["developers"]}}`,
		"--execution-role-arn", "arn:aws:iam::"+account+":role/budgets-actions", "--approval-model", "AUTOMATIC",
		"--subscribers", "SubscriptionType=EMAIL,Address=finops@example.com")
	if err != nil {
		t.Fatalf("create-budget-action: %v\n%s", err, stderr)
	}
	actionID, _ := created["ActionId"].(string)
	describe := func() (actual, forecast string) {
		out, stderr, err := inst.cli(t, "budgets", "describe-budget", "--account-id", account, "--budget-name", "production")
		if err != nil {
			t.Fatalf("describe-budget: %v\n%s", err, stderr)
		}
		var b struct {
			Budget struct {
				CalculatedSpend struct{ ActualSpend, ForecastedSpend struct{ Amount, Unit string } }
			}
		}
		raw, _ := json.Marshal(out)
		json.Unmarshal(raw, &b)
		return b.Budget.CalculatedSpend.ActualSpend.Amount, b.Budget.CalculatedSpend.ForecastedSpend.Amount
	}
	// No December data yet: nothing spent, and the model forecasts the month
	// from October and November.
	actual, forecast := describe()
	t.Logf("before December: actual %s, forecast %s", actual, forecast)
	if actual != "0" || forecast == "" || rat(t, forecast).Sign() <= 0 {
		t.Errorf("before December's data: actual %q forecast %q, want 0 and a positive forecast", actual, forecast)
	}
	if n := len(mail.Mails()) + len(hook.received()); n != 0 {
		t.Errorf("%d alerts before the threshold was crossed", n)
	}

	inst.ingest(t, files[2]) // December: 54.75 USD of Production
	eventually(t, "the emails, the SNS notification and the webhook posts", func() bool {
		return len(mail.Mails()) == 2 && len(hook.received()) == 1 && len(slack.received()) == 2
	})
	hist, stderr, err := inst.cli(t, "budgets", "describe-budget-action-histories", "--account-id", account,
		"--budget-name", "production", "--action-id", actionID)
	if err != nil {
		t.Fatalf("describe-budget-action-histories: %v\n%s", err, stderr)
	}
	raw, _ := json.Marshal(hist)
	if !strings.Contains(string(raw), `"Status":"EXECUTION_SUCCESS"`) || !strings.Contains(string(raw), "DRY RUN") ||
		!strings.Contains(string(raw), "attach IAM policy arn:aws:iam::"+account+":policy/deny-ec2 to groups developers") {
		t.Errorf("action history: %s", raw)
	}
	if texts := slack.received(); !slices.ContainsFunc(texts, func(s string) bool {
		return strings.HasPrefix(s, "*AWS Budgets: production has exceeded your alert threshold*\n")
	}) {
		t.Errorf("webhook posts: %q", texts)
	}
	actual, forecast = describe()
	t.Logf("after December: actual %s, forecast %s", actual, forecast)
	if !strings.HasPrefix(actual, "54.748142") || forecast == "" {
		t.Errorf("after December's data: actual %q forecast %q", actual, forecast)
	}
	var m smtptest.Mail
	for _, mm := range mail.Mails() {
		if !strings.Contains(mm.Subject(), "budget action") {
			m = mm
		}
	}
	if m.From != "budgets@tally.example" || len(m.To) != 1 || m.To[0] != "finops@example.com" ||
		m.Subject() != "AWS Budgets: production has exceeded your alert threshold" || !strings.Contains(m.Body(), "is 54.75 USD") {
		t.Errorf("email from %s to %v, subject %q:\n%s", m.From, m.To, m.Subject(), m.Body())
	}
	n := hook.received()[0]
	if n.Type != "Notification" || n.TopicARN != topic || n.Subject != m.Subject() || n.Message != m.Body() || n.MessageID == "" || n.Timestamp != "2018-12-20T12:00:00.000Z" {
		t.Errorf("SNS notification: %+v", n)
	}

	out, stderr, err := inst.cli(t, "budgets", "describe-budget-performance-history", "--account-id", account, "--budget-name", "production")
	if err != nil {
		t.Fatalf("describe-budget-performance-history: %v\n%s", err, stderr)
	}
	raw, _ = json.Marshal(out)
	var h struct {
		BudgetPerformanceHistory struct {
			BudgetedAndActualAmountsList []struct {
				BudgetedAmount, ActualAmount struct{ Amount string }
				TimePeriod                   struct{ Start float64 } // the CLI prints the wire's epoch seconds
			}
		}
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatalf("history: %v\n%s", err, raw)
	}
	var got []string
	for _, a := range h.BudgetPerformanceHistory.BudgetedAndActualAmountsList {
		start := time.Unix(int64(a.TimePeriod.Start), 0).UTC().Format("2006-01-02")
		got = append(got, start+" "+a.BudgetedAmount.Amount+" "+a.ActualAmount.Amount[:min(6, len(a.ActualAmount.Amount))])
	}
	o := sharedOracle(t, files...)
	sums := o.sums(t, "date_trunc('month', ts)", "", "tag_environment = 'Production'")
	var want []string
	for _, mth := range []string{"2018-10-01", "2018-11-01", "2018-12-01"} {
		v := "0"
		if c, ok := sums[mth+"|"]; ok {
			v = c["UnblendedCost"].FloatString(10)
		}
		want = append(want, mth+" 50 "+v[:min(6, len(v))])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("performance history (-want +got):\n%s", diff)
	}

	// Evaluating again, as the next ingest or timer tick does, crosses
	// nothing new.
	if err := inst.app.Budgets.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if diff := cmp.Diff([]string{"EMAIL finops@example.com: sent", "EMAIL finops@example.com: sent", "SNS " + topic + ": sent",
		"WEBHOOK " + slackSrv.URL + "/slack: sent", "WEBHOOK " + slackSrv.URL + "/slack: sent"}, deliveries(t, inst)); diff != "" {
		t.Errorf("delivery log (-want +got):\n%s", diff)
	}
}

// TestBudgetAlertSurvivesRestart crosses a threshold while the mail server
// refuses, stops Tally before the alert is delivered, and starts it again:
// the alert is delivered once, and the timer moves the notification back to
// OK when a new month starts.
func TestBudgetAlertSurvivesRestart(t *testing.T) {
	t.Parallel()
	csv := sample(t, "sample-anonymous-aws-export-dataset.csv") // 1.68 USD in November 2023
	mail := smtptest.NewServer(t)
	mail.Reject("451 4.3.0 try again later")
	data := t.TempDir()
	clk := &testClock{t: time.Date(2023, 11, 20, 12, 0, 0, 0, time.UTC)}
	flags := []string{"--smtp-addr", mail.Addr, "--budgets-interval", "50ms"}
	first, stop := launch(t, data, &serveHooks{now: clk.Now}, flags...)
	first.ingest(t, csv)
	ctx := context.Background()
	acct := aws.String(samplePayer)
	n := &btypes.Notification{NotificationType: btypes.NotificationTypeActual, ComparisonOperator: btypes.ComparisonOperatorGreaterThan, Threshold: 100}
	if _, err := first.budgets("test", "test").CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: acct,
		Budget: &btypes.Budget{BudgetName: aws.String("small"), BudgetType: btypes.BudgetTypeCost, TimeUnit: btypes.TimeUnitMonthly,
			BudgetLimit: &btypes.Spend{Amount: aws.String("1"), Unit: aws.String("USD")}},
		NotificationsWithSubscribers: []btypes.NotificationWithSubscribers{{Notification: n,
			Subscribers: []btypes.Subscriber{{SubscriptionType: btypes.SubscriptionTypeEmail, Address: aws.String("ops@example.com")}}}},
	}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a refused attempt", func() bool { return len(deliveries(t, first)) > 0 })
	stop()
	if len(mail.Mails()) != 0 {
		t.Fatal("the refusing server accepted mail")
	}

	mail.Reject("")
	second, _ := launch(t, data, &serveHooks{now: clk.Now}, flags...)
	eventually(t, "the email", func() bool { return len(mail.Mails()) > 0 })
	time.Sleep(300 * time.Millisecond) // several timer evaluations
	if got := len(mail.Mails()); got != 1 {
		t.Errorf("%d emails after the restart, want 1", got)
	}
	if diff := cmp.Diff([]string{"EMAIL ops@example.com: retry", "EMAIL ops@example.com: sent"}, deliveries(t, second)); diff != "" {
		t.Errorf("delivery log (-want +got):\n%s", diff)
	}
	state := func() btypes.NotificationState {
		out, err := second.budgets("test", "test").DescribeNotificationsForBudget(ctx, &bsdk.DescribeNotificationsForBudgetInput{AccountId: acct, BudgetName: aws.String("small")})
		if err != nil {
			t.Fatal(err)
		}
		return out.Notifications[0].NotificationState
	}
	if s := state(); s != btypes.NotificationStateAlarm {
		t.Errorf("state after the restart = %s, want ALARM", s)
	}
	clk.Set(time.Date(2023, 12, 2, 0, 0, 0, 0, time.UTC))
	eventually(t, "the timer to move the notification back to OK", func() bool { return state() == btypes.NotificationStateOk })
	if got := len(mail.Mails()); got != 1 {
		t.Errorf("%d emails after the month ended, want 1", got)
	}
}

func TestAlertFlags(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flags []string
		want  string
	}{
		{"endpoint without URL", []string{"--sns-endpoint", "arn:aws:sns:us-east-1:123456789012:alerts"}, "want <topic ARN>=<http(s) URL>"},
		{"endpoint of a queue", []string{"--sns-endpoint", "arn:aws:sqs:us-east-1:123456789012:q=http://127.0.0.1:1/"}, "want <topic ARN>=<http(s) URL>"},
		{"bad sender", []string{"--smtp-addr", "127.0.0.1:25", "--smtp-from", "not an address"}, "--smtp-addr/--smtp-from"},
		{"SMTP address without port", []string{"--smtp-addr", "mail.example.com"}, "--smtp-addr/--smtp-from"},
		{"interval", []string{"--budgets-interval", "0s"}, "--budgets-interval must be positive"},
		{"webhook", []string{"--webhook", "hooks.example.com/x"}, "want an http(s) URL, or slack=<URL>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out syncBuffer
			args := append([]string{"--addr", "127.0.0.1:0", "--data", t.TempDir()}, tc.flags...)
			err := runServe(context.Background(), args, &out, &out, nil)
			if err == nil || !strings.Contains(err.Error()+out.String(), tc.want) {
				t.Errorf("err = %v, output %q; want %q", err, out.String(), tc.want)
			}
		})
	}
}

// TestTestAlert sends a test alert to a webhook, and reports an SNS topic
// without an endpoint as failed.
func TestTestAlert(t *testing.T) {
	slack := &slackHook{}
	srv := httptest.NewServer(slack)
	defer srv.Close()
	var out, errOut syncBuffer
	err := run(context.Background(), []string{"test-alert", "--webhook", "slack=" + srv.URL + "/s",
		"--sns", "arn:aws:sns:us-east-1:123456789012:alerts"}, &out, &errOut)
	if err == nil || !strings.Contains(out.String(), "WEBHOOK "+srv.URL+"/s: sent\n") ||
		!strings.Contains(out.String(), "SNS arn:aws:sns:us-east-1:123456789012:alerts: failed: no SNS endpoint configured") {
		t.Errorf("test-alert: %v\n%s%s", err, out.String(), errOut.String())
	}
	if got := slack.received(); len(got) != 1 || !strings.HasPrefix(got[0], "*Tally: test alert*\n") {
		t.Errorf("webhook received %q", got)
	}
}

// TestBudgetCostCategoryMatchesRawFiles: budgets filtered by a cost
// category defined with CreateCostCategoryDefinition spend what the
// category's rules select (first match wins, then the default), checked
// against SQL over the raw Workshop files that applies the same rules.
func TestBudgetCostCategoryMatchesRawFiles(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("ingests the Workshop files")
	}
	files := workshop(t)
	o := sharedOracle(t, files...)
	clk := &testClock{t: time.Date(2018, 12, 20, 12, 0, 0, 0, time.UTC)}
	inst, _ := launch(t, t.TempDir(), &serveHooks{now: clk.Now}, "--budgets-interval", "1h")
	inst.ingest(t, files...)
	ctx := context.Background()
	bc, ce := inst.budgets("test", "test"), inst.ce("test", "test")
	acct := aws.String(payerAccount)
	if _, err := ce.CreateCostCategoryDefinition(ctx, &costexplorer.CreateCostCategoryDefinitionInput{Name: aws.String("Team"),
		RuleVersion: cetypes.CostCategoryRuleVersionCostCategoryExpressionV1, EffectiveStart: aws.String("2018-10-01T00:00:00Z"),
		DefaultValue: aws.String("Shared"),
		Rules: []cetypes.CostCategoryRule{
			{Value: aws.String("Data"), Rule: &cetypes.Expression{Dimensions: &cetypes.DimensionValues{Key: cetypes.DimensionLinkedAccount,
				Values: []string{"011254002932"}}}},
			{Value: aws.String("Prod"), Rule: &cetypes.Expression{Tags: &cetypes.TagValues{Key: aws.String("environment"), Values: []string{"Production"}}}},
		}}); err != nil {
		t.Fatal(err)
	}
	// The rules in SQL: first match wins, then the default.
	const team = `CASE WHEN linked_account = '011254002932' THEN 'Data'
		WHEN tag_environment = 'Production' THEN 'Prod' ELSE 'Shared' END`
	for _, tc := range []struct {
		name    string
		filters map[string][]string
		expr    *btypes.Expression
		oracle  string
	}{
		{"cost filters", map[string][]string{"CostCategory": {"Team$Prod"}}, nil, team + " = 'Prod'"},
		{"filter expression", nil, &btypes.Expression{CostCategories: &btypes.CostCategoryValues{Key: aws.String("Team"), Values: []string{"Shared", "Data"}}},
			team + " IN ('Shared', 'Data')"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &btypes.Budget{BudgetName: aws.String(tc.name), BudgetType: btypes.BudgetTypeCost, TimeUnit: btypes.TimeUnitMonthly,
				BudgetLimit: &btypes.Spend{Amount: aws.String("100"), Unit: aws.String("USD")},
				TimePeriod:  &btypes.TimePeriod{Start: aws.Time(time.Date(2018, 10, 1, 0, 0, 0, 0, time.UTC))},
				CostFilters: tc.filters, FilterExpression: tc.expr}
			if tc.expr != nil {
				b.Metrics = []btypes.Metric{btypes.MetricUnblendedCost}
			}
			if _, err := bc.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: acct, Budget: b}); err != nil {
				t.Fatal(err)
			}
			out, err := bc.DescribeBudget(ctx, &bsdk.DescribeBudgetInput{AccountId: acct, BudgetName: b.BudgetName})
			if err != nil {
				t.Fatal(err)
			}
			sums := o.sums(t, "date_trunc('month', ts)", "", tc.oracle)
			month := func(m string) *big.Rat {
				if c, ok := sums[m+"|"]; ok {
					return c["UnblendedCost"]
				}
				return new(big.Rat)
			}
			actual := rat(t, aws.ToString(out.Budget.CalculatedSpend.ActualSpend.Amount))
			if want := month("2018-12-01"); want.Sign() == 0 || new(big.Rat).Sub(actual, want).Abs(new(big.Rat).Sub(actual, want)).Cmp(big.NewRat(1, 1e9)) > 0 {
				t.Errorf("ActualSpend %s, oracle %s", actual.FloatString(10), want.FloatString(10))
			}
			hist, err := bc.DescribeBudgetPerformanceHistory(ctx, &bsdk.DescribeBudgetPerformanceHistoryInput{AccountId: acct, BudgetName: b.BudgetName})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range hist.BudgetPerformanceHistory.BudgetedAndActualAmountsList {
				m := aws.ToTime(a.TimePeriod.Start).Format("2006-01-02")
				got := rat(t, aws.ToString(a.ActualAmount.Amount))
				if d := new(big.Rat).Sub(got, month(m)); d.Abs(d).Cmp(big.NewRat(1, 1e9)) > 0 {
					t.Errorf("history %s: %s, oracle %s", m, got.FloatString(10), month(m).FloatString(10))
				}
			}
		})
	}
}
