package main

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/tallyhq/tally/internal/synth"
	"github.com/tallyhq/tally/internal/web/e2e"
)

// TestBrowserAnomalies opens the Anomalies page over an organisation with
// labelled anomalies and checks that it lists what GetAnomalies returns
// through the SDK, shows an anomaly's root causes, and that its NO button
// stores the feedback the API then reads back.
func TestBrowserAnomalies(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	b := e2e.Require(t)
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	out := t.TempDir()
	if _, err := synth.Generate(context.Background(), synth.Config{Out: out, Format: synth.FormatCUR2, Seed: 1, Rows: 100_000,
		Months: 5, Now: now, Anomalies: true}); err != nil {
		t.Fatal(err)
	}
	inst := start(t, now)
	inst.ingest(t, out)
	ce := inst.ce("test", "test")
	ctx := context.Background()
	if _, err := ce.CreateAnomalyMonitor(ctx, &costexplorer.CreateAnomalyMonitorInput{AnomalyMonitor: &cetypes.AnomalyMonitor{
		MonitorName: aws.String("AWS services"), MonitorType: cetypes.MonitorTypeDimensional, MonitorDimension: cetypes.MonitorDimensionService}}); err != nil {
		t.Fatal(err)
	}
	const days = 365
	want := getAnomalies(t, ce, &costexplorer.GetAnomaliesInput{
		DateInterval: &cetypes.AnomalyDateInterval{StartDate: aws.String(now.AddDate(0, 0, -days).Format(time.DateOnly)), EndDate: aws.String(now.Format(time.DateOnly))},
		TotalImpact:  &cetypes.TotalImpactFilter{NumericOperator: cetypes.NumericOperatorGreaterThanOrEqual, StartValue: 100}})
	if len(want) == 0 {
		t.Fatal("no anomaly of $100 or more to show")
	}
	res := b.Run(t, inst.url, e2e.Scenario{Name: "anomalies", Params: map[string]any{"min": 100, "days": days}})
	var got struct {
		Count  string
		Bars   int
		Rows   []struct{ ID, Series, Impact string }
		Causes []string
		Notice string
		After  []struct {
			ID      string
			Pressed []string
		}
	}
	uiDecode(t, res["anomalies"], &got)
	if got.Count != strconv.Itoa(len(want)) || len(got.Rows) != len(want) || got.Bars != len(want) {
		t.Errorf("page shows %s anomalies, %d rows, %d bars; GetAnomalies %d", got.Count, len(got.Rows), got.Bars, len(want))
	}
	byID := map[string]cetypes.Anomaly{}
	for _, a := range want {
		byID[*a.AnomalyId] = a
	}
	for _, r := range got.Rows {
		a, ok := byID[r.ID]
		if !ok {
			t.Errorf("row %s is not an anomaly of GetAnomalies", r.ID)
			continue
		}
		if r.Series != aws.ToString(a.DimensionValue) || r.Impact != strconv.FormatFloat(a.Impact.TotalImpact, 'f', -1, 64) {
			t.Errorf("row %s: %s %s, API %s %v", r.ID, r.Series, r.Impact, aws.ToString(a.DimensionValue), a.Impact.TotalImpact)
		}
	}
	if len(got.Rows) == 0 {
		return
	}
	first := byID[got.Rows[0].ID]
	if len(first.RootCauses) > 0 {
		rc := first.RootCauses[0]
		wantCause := []string{aws.ToString(rc.Service), aws.ToString(rc.LinkedAccountName) + " (" + aws.ToString(rc.LinkedAccount) + ")",
			aws.ToString(rc.Region), aws.ToString(rc.UsageType), fmt.Sprintf("$%.2f", rc.Impact.Contribution)}
		if aws.ToString(rc.LinkedAccountName) == "" {
			wantCause[1] = aws.ToString(rc.LinkedAccount)
		}
		if fmt.Sprint(got.Causes) != fmt.Sprint(wantCause) {
			t.Errorf("first root cause on the page %q, API %q", got.Causes, wantCause)
		}
	}
	// The NO button stored the feedback.
	after := getAnomalies(t, ce, &costexplorer.GetAnomaliesInput{
		DateInterval: &cetypes.AnomalyDateInterval{StartDate: aws.String("2025-01-01")}, Feedback: cetypes.AnomalyFeedbackTypeNo})
	if len(after) != 1 || *after[0].AnomalyId != got.Rows[0].ID {
		t.Errorf("anomalies with feedback NO after the click: %+v, want %s", after, got.Rows[0].ID)
	}
	for _, r := range got.After {
		if r.ID == got.Rows[0].ID && fmt.Sprint(r.Pressed) != "[feedback-NO]" {
			t.Errorf("after the click the row shows %v pressed", r.Pressed)
		}
	}
}
