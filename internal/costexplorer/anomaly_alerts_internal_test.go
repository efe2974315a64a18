package costexplorer

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func stored(id, series, detected string, impact float64, pct *float64, feedback AnomalyFeedbackType) storedAnomaly {
	a := storedAnomaly{Series: series, DetectedOn: detected}
	a.AnomalyId, a.DimensionValue, a.MonitorArn = ptr(id), ptr(series), ptr("m")
	a.AnomalyStartDate, a.AnomalyEndDate = ptr("2026-06-01"), ptr("2026-06-02")
	a.Impact = &Impact{TotalImpact: ptr(impact), TotalActualSpend: ptr(impact), TotalExpectedSpend: ptr(0.0), TotalImpactPercentage: pct}
	if feedback != "" {
		a.Feedback = ptr(feedback)
	}
	return a
}

func TestAlertable(t *testing.T) {
	rejected := stored("r", "svc", "2026-06-01", 300, nil, AnomalyFeedbackTypeNo)
	all := []storedAnomaly{rejected}
	for _, tc := range []struct {
		name string
		a    storedAnomaly
		want bool
	}{
		{"other series", stored("a", "other", "", 100, nil, ""), true},
		{"same series, under twice the rejected impact", stored("b", "svc", "", 550, nil, ""), false},
		{"same series, over twice the rejected impact", stored("c", "svc", "", 650, nil, ""), true},
		{"the rejected anomaly itself", rejected, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := alertable(tc.a, append(all, tc.a)); got != tc.want {
				t.Errorf("alertable = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestThresholds(t *testing.T) {
	leaf := func(key Dimension, v string) Expression {
		return Expression{Dimensions: &DimensionValues{Key: ptr(key), MatchOptions: []MatchOption{MatchOptionGreaterThanOrEqual}, Values: []string{v}}}
	}
	abs, pct := leaf(DimensionAnomalyTotalImpactAbsolute, "100"), leaf(DimensionAnomalyTotalImpactPercentage, "50")
	a := stored("a", "s", "", 150, ptr(40.0), "")
	for _, tc := range []struct {
		name string
		sub  AnomalySubscription
		want bool
	}{
		{"absolute met", AnomalySubscription{ThresholdExpression: &abs}, true},
		{"percentage not met", AnomalySubscription{ThresholdExpression: &pct}, false},
		{"and", AnomalySubscription{ThresholdExpression: &Expression{And: []Expression{abs, pct}}}, false},
		{"or", AnomalySubscription{ThresholdExpression: &Expression{Or: []Expression{abs, pct}}}, true},
		{"deprecated Threshold", AnomalySubscription{Threshold: ptr(200.0)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := meets(&tc.sub, a); got != tc.want {
				t.Errorf("meets = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDigests(t *testing.T) {
	now := time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC) // a Wednesday
	list := []storedAnomaly{
		stored("today", "s", "2026-06-10", 10, nil, ""),
		stored("yesterday", "s", "2026-06-09", 10, nil, ""),
		stored("last-week", "s", "2026-06-03", 10, nil, ""),
		stored("history", "s", "", 10, nil, ""),
	}
	sub := func(f AnomalySubscriptionFrequency) *AnomalySubscription {
		return &AnomalySubscription{SubscriptionArn: ptr("arn"), SubscriptionName: ptr("n"), AccountId: ptr("1"), Frequency: ptr(f),
			Subscribers: []Subscriber{{Type: ptr(SubscriberTypeEmail), Address: ptr("a@example.com")}}}
	}
	for _, tc := range []struct {
		freq AnomalySubscriptionFrequency
		want []string
	}{
		{AnomalySubscriptionFrequencyImmediate, slices.Repeat([]string{"AWS Cost Anomaly Detection: $10.00 anomaly in s"}, 3)},
		{AnomalySubscriptionFrequencyDaily, []string{"AWS Cost Anomaly Detection: daily summary for 2026-06-09, 1 anomalies"}},
		{AnomalySubscriptionFrequencyWeekly, []string{"AWS Cost Anomaly Detection: weekly summary 2026-06-01 to 2026-06-07, 1 anomalies"}},
	} {
		t.Run(string(tc.freq), func(t *testing.T) {
			var got []string
			for _, m := range subscriptionAlerts(sub(tc.freq), list, now) {
				got = append(got, m.Subject)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("subjects (-want +got):\n%s", diff)
			}
		})
	}
}
