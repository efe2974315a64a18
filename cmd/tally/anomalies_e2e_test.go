package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/tallyhq/tally/internal/notify/smtptest"
	"github.com/tallyhq/tally/internal/synth"
)

// TestAnomaliesFromSynth generates an organisation with labelled
// anomalies, monitors it through the SDK, and checks that the labelled
// spikes are found with the spend SQL over the raw Parquet gives, that
// re-ingesting the same data keeps the anomalies and sends nothing twice,
// that feedback is stored and filtered on, and that the alerts arrive at
// an SNS endpoint (IMMEDIATE) and by email (DAILY).
func TestAnomaliesFromSynth(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("generates and ingests an organisation")
	}
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	out := t.TempDir()
	if _, err := synth.Generate(context.Background(), synth.Config{Out: out, Format: synth.FormatCUR2, Seed: 1, Rows: 100_000,
		Months: 5, Now: now, Anomalies: true}); err != nil {
		t.Fatal(err)
	}
	labels := readLabelsCSV(t, filepath.Join(out, "anomalies.csv"))

	mail := smtptest.NewServer(t)
	hook := &snsHook{}
	hookSrv := httptest.NewServer(hook)
	defer hookSrv.Close()
	const topic = "arn:aws:sns:us-east-1:123456789012:anomalies"
	clk := &testClock{t: now}
	inst, _ := launch(t, t.TempDir(), &serveHooks{now: clk.Now}, "--smtp-addr", mail.Addr, "--smtp-from", "anomalies@tally.example",
		"--sns-endpoint", topic+"="+hookSrv.URL+"/sns", "--budgets-interval", "1h")
	ce := inst.ce("test", "test")
	ctx := context.Background()

	// The monitor and its subscriptions exist before the data arrives, so
	// everything the ingest finds is new and alerted.
	mon, err := ce.CreateAnomalyMonitor(ctx, &costexplorer.CreateAnomalyMonitorInput{AnomalyMonitor: &types.AnomalyMonitor{
		MonitorName: aws.String("services"), MonitorType: types.MonitorTypeDimensional, MonitorDimension: types.MonitorDimensionService}})
	if err != nil {
		t.Fatal(err)
	}
	abs := func(v string) *types.Expression {
		return &types.Expression{Dimensions: &types.DimensionValues{Key: types.DimensionAnomalyTotalImpactAbsolute,
			MatchOptions: []types.MatchOption{types.MatchOptionGreaterThanOrEqual}, Values: []string{v}}}
	}
	for _, sub := range []types.AnomalySubscription{
		{SubscriptionName: aws.String("now"), Frequency: types.AnomalySubscriptionFrequencyImmediate, MonitorArnList: []string{*mon.MonitorArn},
			Subscribers: []types.Subscriber{{Type: types.SubscriberTypeSns, Address: aws.String(topic)}}, ThresholdExpression: abs("100")},
		{SubscriptionName: aws.String("daily"), Frequency: types.AnomalySubscriptionFrequencyDaily, MonitorArnList: []string{*mon.MonitorArn},
			Subscribers: []types.Subscriber{{Type: types.SubscriberTypeEmail, Address: aws.String("finops@example.com")}}, ThresholdExpression: abs("100")},
	} {
		if _, err := ce.CreateAnomalySubscription(ctx, &costexplorer.CreateAnomalySubscriptionInput{AnomalySubscription: &sub}); err != nil {
			t.Fatal(err)
		}
	}
	inst.ingest(t, out)

	all := getAnomalies(t, ce, &costexplorer.GetAnomaliesInput{MonitorArn: mon.MonitorArn,
		DateInterval: &types.AnomalyDateInterval{StartDate: aws.String("2025-01-01"), EndDate: aws.String("2026-06-15")}, MaxResults: aws.Int32(3)})
	raw, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	spikes := 0
	for _, l := range labels {
		if l[5] != "spike" {
			continue
		}
		impact, _ := strconv.ParseFloat(l[4], 64)
		if impact < 100 {
			continue
		}
		spikes++
		var found *types.Anomaly
		for i, a := range all {
			if aws.ToString(a.DimensionValue) == l[2] && aws.ToString(a.AnomalyStartDate) <= l[1] && aws.ToString(a.AnomalyEndDate) >= l[0] {
				found = &all[i]
			}
		}
		if found == nil {
			t.Errorf("labelled spike %v not found", l)
			continue
		}
		// TotalActualSpend is the service's unblended cost over the
		// anomaly's days without credits and refunds, by SQL over the raw
		// files.
		var want float64
		q := fmt.Sprintf(`SELECT coalesce(sum(line_item_unblended_cost), 0) FROM read_parquet('%s')
			WHERE product['product_name'] = ? AND line_item_line_item_type NOT IN ('Credit', 'Refund') AND CAST(line_item_usage_start_date AS DATE) BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)`,
			filepath.Join(out, "**", "*.parquet"))
		if err := raw.QueryRow(q, l[2], *found.AnomalyStartDate, *found.AnomalyEndDate).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if got := aws.ToFloat64(found.Impact.TotalActualSpend); math.Abs(got-want) > 0.011 {
			t.Errorf("spike on %s %s: TotalActualSpend %.2f, SQL over the raw files %.2f", l[2], l[0], got, want)
		}
		im := found.Impact
		if d := aws.ToFloat64(im.TotalActualSpend) - aws.ToFloat64(im.TotalExpectedSpend) - im.TotalImpact; math.Abs(d) > 0.011 {
			t.Errorf("impact %+v: actual - expected != total impact", im)
		}
		if len(found.RootCauses) == 0 || aws.ToString(found.RootCauses[0].LinkedAccount) != l[3] || aws.ToString(found.RootCauses[0].Service) != l[2] {
			t.Errorf("spike on %s in %s: root causes %+v", l[2], l[3], found.RootCauses)
		}
	}
	if spikes == 0 {
		t.Fatalf("no labelled spike of $100 or more in %v", labels)
	}

	// Alerts: one SNS notification per anomaly of $100 or more.
	big := 0
	for _, a := range all {
		if a.Impact.TotalImpact >= 100 {
			big++
		}
	}
	t.Logf("%d anomalies, %d of $100 or more, %d labelled spikes of $100 or more checked", len(all), big, spikes)
	eventually(t, "the IMMEDIATE alerts", func() bool { return len(hook.received()) == big })
	if n := hook.received()[0]; n.TopicARN != topic || !strings.HasPrefix(n.Subject, "AWS Cost Anomaly Detection: $") {
		t.Errorf("SNS notification %+v", n)
	}

	// The same data again: the same anomalies, nothing sent twice; the next
	// day's run sends yesterday's summary by email.
	clk.Set(now.AddDate(0, 0, 1))
	inst.ingest(t, out)
	again := getAnomalies(t, ce, &costexplorer.GetAnomaliesInput{MonitorArn: mon.MonitorArn,
		DateInterval: &types.AnomalyDateInterval{StartDate: aws.String("2025-01-01"), EndDate: aws.String("2026-06-15")}})
	if len(again) != len(all) {
		t.Fatalf("%d anomalies after re-ingest, %d before", len(again), len(all))
	}
	for i := range all {
		if *all[i].AnomalyId != *again[i].AnomalyId {
			t.Errorf("anomaly %d: id %s became %s", i, *all[i].AnomalyId, *again[i].AnomalyId)
		}
	}
	eventually(t, "the daily summary", func() bool { return len(mail.Mails()) == 1 })
	if m := mail.Mails()[0]; m.To[0] != "finops@example.com" || !strings.Contains(m.Subject(), "daily summary for 2026-06-15") ||
		!strings.Contains(m.Body(), *all[0].AnomalyId) && big > 0 && all[0].Impact.TotalImpact >= 100 {
		t.Errorf("daily summary: %s\n%s", m.Subject(), m.Body())
	}
	if n := len(hook.received()); n != big {
		t.Errorf("%d SNS notifications after re-ingest, want still %d", n, big)
	}

	// Feedback, and the filters.
	id := *all[0].AnomalyId
	if _, err := ce.ProvideAnomalyFeedback(ctx, &costexplorer.ProvideAnomalyFeedbackInput{AnomalyId: &id, Feedback: types.AnomalyFeedbackTypeNo}); err != nil {
		t.Fatal(err)
	}
	no := getAnomalies(t, ce, &costexplorer.GetAnomaliesInput{DateInterval: &types.AnomalyDateInterval{StartDate: aws.String("2025-01-01")},
		Feedback: types.AnomalyFeedbackTypeNo})
	if len(no) != 1 || *no[0].AnomalyId != id || no[0].Feedback != types.AnomalyFeedbackTypeNo {
		t.Errorf("anomalies with feedback NO: %+v", no)
	}
	over := getAnomalies(t, ce, &costexplorer.GetAnomaliesInput{DateInterval: &types.AnomalyDateInterval{StartDate: aws.String("2025-01-01")},
		TotalImpact: &types.TotalImpactFilter{NumericOperator: types.NumericOperatorGreaterThanOrEqual, StartValue: 100}})
	if len(over) != big {
		t.Errorf("%d anomalies of $100 or more, want %d", len(over), big)
	}
	_, err = ce.ProvideAnomalyFeedback(ctx, &costexplorer.ProvideAnomalyFeedbackInput{AnomalyId: aws.String("nope"), Feedback: types.AnomalyFeedbackTypeYes})
	var ve interface{ ErrorCode() string }
	if !errors.As(err, &ve) || ve.ErrorCode() != "ValidationException" {
		t.Errorf("feedback on an unknown anomaly: error = %v, want ValidationException", err)
	}

	// The other kinds of monitor, created after the data: a LINKED_ACCOUNT
	// monitor finds the runaway account, a TAG monitor has a series per
	// value of the tag, a CUSTOM monitor one series.
	accounts, err := ce.CreateAnomalyMonitor(ctx, &costexplorer.CreateAnomalyMonitorInput{AnomalyMonitor: &types.AnomalyMonitor{
		MonitorName: aws.String("accounts"), MonitorType: types.MonitorTypeDimensional, MonitorDimension: types.MonitorDimensionLinkedAccount}})
	if err != nil {
		t.Fatal(err)
	}
	byAccount := getAnomalies(t, ce, &costexplorer.GetAnomaliesInput{MonitorArn: accounts.MonitorArn,
		DateInterval: &types.AnomalyDateInterval{StartDate: aws.String("2025-01-01")}})
	for _, l := range labels {
		if l[2] != "" || l[3] == "" {
			continue // not the runaway account
		}
		hit := false
		for _, a := range byAccount {
			hit = hit || aws.ToString(a.DimensionValue) == l[3] && aws.ToString(a.AnomalyStartDate) <= l[1] && aws.ToString(a.AnomalyEndDate) >= l[0]
		}
		if !hit {
			t.Errorf("runaway account %v not found by the LINKED_ACCOUNT monitor", l)
		}
	}
	keys, err := ce.GetTags(ctx, &costexplorer.GetTagsInput{TimePeriod: &types.DateInterval{Start: aws.String("2026-05-01"), End: aws.String("2026-06-01")}})
	if err != nil {
		t.Fatal(err)
	}
	teamKey := ""
	for _, k := range keys.Tags {
		if strings.EqualFold(k, "team") || strings.HasSuffix(strings.ToLower(k), ":team") {
			teamKey = k
		}
	}
	team, err := ce.CreateAnomalyMonitor(ctx, &costexplorer.CreateAnomalyMonitorInput{AnomalyMonitor: &types.AnomalyMonitor{
		MonitorName: aws.String("teams"), MonitorType: types.MonitorTypeDimensional, MonitorDimension: types.MonitorDimensionTag,
		MonitorSpecification: &types.Expression{Tags: &types.TagValues{Key: aws.String(teamKey)}}}})
	if err != nil {
		t.Fatal(err)
	}
	custom, err := ce.CreateAnomalyMonitor(ctx, &costexplorer.CreateAnomalyMonitorInput{AnomalyMonitor: &types.AnomalyMonitor{
		MonitorName: aws.String("one account"), MonitorType: types.MonitorTypeCustom,
		MonitorSpecification: &types.Expression{Dimensions: &types.DimensionValues{Key: types.DimensionLinkedAccount, Values: []string{labels[0][3]}}}}})
	if err != nil {
		t.Fatal(err)
	}
	mons, err := ce.GetAnomalyMonitors(ctx, &costexplorer.GetAnomalyMonitorsInput{MonitorArnList: []string{*team.MonitorArn, *custom.MonitorArn}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mons.AnomalyMonitors {
		min := int32(2)
		if m.MonitorType == types.MonitorTypeCustom {
			min = 1
		}
		if m.DimensionalValueCount < min || aws.ToString(m.LastEvaluatedDate) != "2026-06-16" {
			t.Errorf("monitor %s: %d series, evaluated %s", aws.ToString(m.MonitorName), m.DimensionalValueCount, aws.ToString(m.LastEvaluatedDate))
		}
	}

	// One CLI call: the same anomalies through the aws CLI.
	res, stderr, err := inst.cli(t, "ce", "get-anomalies", "--monitor-arn", *mon.MonitorArn,
		"--date-interval", "StartDate=2025-01-01,EndDate=2026-06-15")
	if err != nil {
		t.Fatalf("aws ce get-anomalies: %v\n%s", err, stderr)
	}
	if got, _ := res["Anomalies"].([]any); len(got) != len(all) {
		t.Errorf("aws ce get-anomalies: %d anomalies, SDK %d", len(got), len(all))
	}
}

func getAnomalies(t *testing.T, ce *costexplorer.Client, in *costexplorer.GetAnomaliesInput) []types.Anomaly {
	t.Helper()
	var out []types.Anomaly
	p := costexplorer.NewGetAnomaliesPaginator(ce, in)
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Anomalies...)
	}
	return out
}

// readLabelsCSV reads anomalies.csv, adding the kind of each label as a
// sixth column: a spike has both a service and an account and ends within
// two days.
func readLabelsCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for _, r := range recs[1:] {
		s, _ := time.Parse(time.DateOnly, r[0])
		e, _ := time.Parse(time.DateOnly, r[1])
		kind := "other"
		if r[2] != "" && r[3] != "" && e.Sub(s) <= 24*time.Hour {
			kind = "spike"
		}
		out = append(out, append(r, kind))
	}
	return out
}
