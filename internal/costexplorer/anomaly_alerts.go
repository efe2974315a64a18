package costexplorer

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/store"
)

// alertAnomalies queues the alerts of every subscription: IMMEDIATE, one
// message per anomaly and subscriber, once, as soon as the anomaly reaches
// the threshold; DAILY, a summary of
// the anomalies detected yesterday; WEEKLY, a summary of those detected
// in the last whole week (Monday to Sunday). Only anomalies that reach the
// subscription's threshold and that feedback leaves alertable count.
// Message IDs derive from the subscription, the anomaly or the day or week
// and the subscriber, so that detecting again queues nothing twice.
func (s *Service) alertAnomalies(ctx context.Context) error {
	if s.cfg.Outbox == nil {
		return nil
	}
	objs, err := s.cfg.Store.AnomalyObjects(ctx, store.AnomalySubscription, "")
	if err != nil || len(objs) == 0 {
		return err
	}
	all, err := s.anomalies(ctx, "")
	if err != nil || len(all) == 0 {
		return err
	}
	now := s.cfg.Now().UTC()
	var msgs []store.Message
	for _, o := range objs {
		var sub AnomalySubscription
		if err := json.Unmarshal(o.Doc, &sub); err != nil {
			return fmt.Errorf("costexplorer: subscription %s: %w", o.ARN, err)
		}
		var mine []storedAnomaly
		for _, a := range all {
			if slices.Contains(sub.MonitorArnList, deref(a.MonitorArn)) && alertable(a, all) && meets(&sub, a) {
				mine = append(mine, a)
			}
		}
		msgs = append(msgs, subscriptionAlerts(&sub, mine, now)...)
	}
	if len(msgs) == 0 {
		return nil
	}
	if err := s.cfg.Outbox.Enqueue(ctx, msgs...); err != nil {
		return err
	}
	if s.cfg.Alerted != nil {
		s.cfg.Alerted()
	}
	return nil
}

// alertable applies feedback: on a series where an anomaly was marked NO,
// only an anomaly with more than twice the largest rejected impact is
// alerted.
func alertable(a storedAnomaly, all []storedAnomaly) bool {
	var rejected float64
	for _, b := range all {
		if b.Series == a.Series && deref(b.Feedback) == AnomalyFeedbackTypeNo && deref(b.AnomalyId) != deref(a.AnomalyId) {
			rejected = max(rejected, deref(b.Impact.TotalImpact))
		}
	}
	return deref(a.Feedback) != AnomalyFeedbackTypeNo && (rejected == 0 || deref(a.Impact.TotalImpact) > 2*rejected)
}

// meets reports whether an anomaly reaches a subscription's threshold: the
// deprecated Threshold on the total impact, or the ThresholdExpression.
func meets(sub *AnomalySubscription, a storedAnomaly) bool {
	if sub.ThresholdExpression == nil {
		return deref(a.Impact.TotalImpact) >= deref(sub.Threshold)
	}
	return thresholdMet(sub.ThresholdExpression, a)
}

func thresholdMet(e *Expression, a storedAnomaly) bool {
	switch {
	case e.And != nil:
		for i := range e.And {
			if !thresholdMet(&e.And[i], a) {
				return false
			}
		}
		return true
	case e.Or != nil:
		return slices.ContainsFunc(e.Or, func(l Expression) bool { return thresholdMet(&l, a) })
	case e.Dimensions != nil && len(e.Dimensions.Values) == 1:
		v, _ := strconv.ParseFloat(e.Dimensions.Values[0], 64)
		if deref(e.Dimensions.Key) == DimensionAnomalyTotalImpactPercentage {
			// A new series expected nothing: its percentage is unbounded.
			return a.Impact.TotalImpactPercentage == nil || *a.Impact.TotalImpactPercentage >= v
		}
		return deref(a.Impact.TotalImpact) >= v
	}
	return false
}

// subscriptionAlerts returns the messages of one subscription at now.
func subscriptionAlerts(sub *AnomalySubscription, list []storedAnomaly, now time.Time) []store.Message {
	arn := deref(sub.SubscriptionArn)
	ref := deref(sub.AccountId) + "/" + deref(sub.SubscriptionName)
	var out []store.Message
	send := func(event, subject, body string) {
		for _, sb := range sub.Subscribers {
			kind := store.MessageKind(deref(sb.Type))
			out = append(out, store.Message{ID: notify.MessageID("anomaly", arn, event, string(kind), deref(sb.Address)),
				Kind: kind, Address: deref(sb.Address), Subject: subject, Body: body, Ref: ref, Created: now})
		}
	}
	detectedIn := func(from, to time.Time) []storedAnomaly {
		var in []storedAnomaly
		for _, a := range list {
			if a.DetectedOn != "" && a.DetectedOn >= from.Format(time.DateOnly) && a.DetectedOn < to.Format(time.DateOnly) {
				in = append(in, a)
			}
		}
		return in
	}
	today := billing.DayStart(now)
	switch deref(sub.Frequency) {
	case AnomalySubscriptionFrequencyImmediate:
		// Every anomaly detected since the monitor began, once: the
		// message ID is the anomaly's, so one that reaches the threshold
		// only as it grows is alerted the day it does.
		for _, a := range detectedIn(time.Time{}, today.AddDate(0, 0, 1)) {
			subject := fmt.Sprintf("AWS Cost Anomaly Detection: $%.2f anomaly in %s", deref(a.Impact.TotalImpact), deref(a.DimensionValue))
			send(deref(a.AnomalyId), subject, alertBody(sub, []storedAnomaly{a}, now))
		}
	case AnomalySubscriptionFrequencyDaily:
		day := today.AddDate(0, 0, -1)
		if list := detectedIn(day, today); len(list) > 0 {
			send("daily/"+day.Format(time.DateOnly), fmt.Sprintf("AWS Cost Anomaly Detection: daily summary for %s, %d anomalies",
				day.Format(time.DateOnly), len(list)), alertBody(sub, list, now))
		}
	case AnomalySubscriptionFrequencyWeekly:
		end := today.AddDate(0, 0, -(int(today.Weekday())+6)%7) // this week's Monday
		from := end.AddDate(0, 0, -7)
		if list := detectedIn(from, end); len(list) > 0 {
			send("weekly/"+from.Format(time.DateOnly), fmt.Sprintf("AWS Cost Anomaly Detection: weekly summary %s to %s, %d anomalies",
				from.Format(time.DateOnly), end.AddDate(0, 0, -1).Format(time.DateOnly), len(list)), alertBody(sub, list, now))
		}
	}
	return out
}

// alertBody writes the plain-text alert: each anomaly with its impact and
// its top root causes.
func alertBody(sub *AnomalySubscription, list []storedAnomaly, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "AWS Cost Anomaly Detection %s\nAWS Account %s\nAlert subscription: %s\n\n", now.Format("January 2, 2006"),
		deref(sub.AccountId), deref(sub.SubscriptionName))
	for _, a := range list {
		im := a.Impact
		fmt.Fprintf(&b, "Anomaly %s\n  Monitor: %s\n  Dimension value: %s\n  From %s to %s\n", deref(a.AnomalyId), deref(a.MonitorArn),
			deref(a.DimensionValue), deref(a.AnomalyStartDate), deref(a.AnomalyEndDate))
		fmt.Fprintf(&b, "  Total impact: $%.2f (actual $%.2f, expected $%.2f)", deref(im.TotalImpact), deref(im.TotalActualSpend), deref(im.TotalExpectedSpend))
		if im.TotalImpactPercentage != nil {
			fmt.Fprintf(&b, ", %.2f%%", *im.TotalImpactPercentage)
		}
		b.WriteString("\n")
		for i, rc := range a.RootCauses {
			if i == 3 {
				break
			}
			fmt.Fprintf(&b, "  Root cause: %s, account %s, %s, %s: $%.2f\n", deref(rc.Service), deref(rc.LinkedAccount),
				deref(rc.Region), deref(rc.UsageType), deref(rc.Impact.Contribution))
		}
		b.WriteString("\n")
	}
	return b.String()
}
