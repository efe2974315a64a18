package budgets

import (
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/notify"
)

// Limits of the Budgets service.
const (
	// MaxBudgetsPerAccount is AWS's quota of budgets per account.
	MaxBudgetsPerAccount = 20000
	// MaxNotifications is the number of notifications a budget may have.
	MaxNotifications = 10
	// MaxEmailSubscribers and MaxSNSSubscribers bound a notification's
	// subscribers.
	MaxEmailSubscribers = 10
	MaxSNSSubscribers   = 1
	// MaxTags is AWS's limit of user tags per resource.
	MaxTags = 50
)

// maxAdjustmentPeriods is the largest BudgetAdjustmentPeriod per TimeUnit.
var maxAdjustmentPeriods = map[TimeUnit]int{TimeUnitDaily: 60, TimeUnitMonthly: 12, TimeUnitQuarterly: 4, TimeUnitAnnually: 1}

// define applies the wire budget b to r: a new record, or the stored one for
// UpdateBudget, whose history (limits, notifications, tags) it keeps. It
// checks every rule the generated validation cannot express.
func define(r *record, b *Budget, now time.Time) error {
	r.Type, r.TimeUnit = deref(b.BudgetType), deref(b.TimeUnit)
	if err := defineTimePeriod(r, b.TimePeriod, now); err != nil {
		return err
	}
	if err := defineFilters(r, b); err != nil {
		return err
	}
	if err := defineAutoAdjust(r, b.AutoAdjustData); err != nil {
		return err
	}
	if err := defineLimits(r, b, now); err != nil {
		return err
	}
	r.BillingView = ""
	if v := deref(b.BillingViewArn); v != "" {
		if v != "arn:aws:billing::"+r.Account+":billingview/primary" {
			return fail(errNotFound, fmt.Sprintf("billing view %s does not exist: Tally serves the primary view of each account, arn:aws:billing::%s:billingview/primary", v, r.Account))
		}
		r.BillingView = v
	}
	r.Updated = now
	return nil
}

// defineTimePeriod sets Start (default: the start of the current period)
// and End (default: 2087-06-15). UpdateBudget without a TimePeriod keeps
// the budget's.
func defineTimePeriod(r *record, tp *TimePeriod, now time.Time) error {
	start, end := unitStart(r.TimeUnit, now), defaultEnd
	if !r.Start.IsZero() && tp == nil {
		start, end = r.Start, r.End
	}
	if tp != nil && tp.Start != nil {
		start = tp.Start.Time()
	}
	if tp != nil && tp.End != nil {
		end = tp.End.Time()
	}
	switch {
	case !start.Before(end):
		return invalidf("the start date %s must come before the end date %s", start.Format(time.RFC3339), end.Format(time.RFC3339))
	case end.After(defaultEnd):
		return invalidf("the end date %s must not come after 2087-06-15T00:00:00Z", end.Format(time.RFC3339))
	case !end.After(now):
		return invalidf("the end date %s has passed", end.Format(time.RFC3339))
	}
	r.Start, r.End = start, end
	return nil
}

// defineFilters applies CostFilters and CostTypes, or FilterExpression and
// Metrics: "not both or a different combination".
func defineFilters(r *record, b *Budget) error {
	classic := len(b.CostFilters) > 0 || b.CostTypes != nil
	modern := b.FilterExpression != nil || b.Metrics != nil
	if classic && modern {
		return invalidf("use either FilterExpression and Metrics or CostFilters and CostTypes, not both or a different combination")
	}
	if _, err := costFiltersExpr(b.CostFilters); err != nil {
		return err
	}
	if _, err := filterExpr(b.FilterExpression); err != nil {
		return err
	}
	if c := b.CostTypes; c != nil && deref(c.UseBlended) && deref(c.UseAmortized) {
		return invalidf("CostTypes cannot set both UseBlended and UseAmortized")
	}
	for _, m := range b.Metrics {
		usage := m == MetricUsageQuantity || m == MetricNormalizedUsageAmount || m == MetricHours
		if (r.Type == BudgetTypeCost && usage) || (r.Type == BudgetTypeUsage && !usage) {
			return invalidf("metric %s does not fit a %s budget", m, r.Type)
		}
	}
	r.CostFilters, r.Filter, r.Metrics, r.CostTypes = nil, b.FilterExpression, b.Metrics, b.CostTypes
	if len(b.CostFilters) > 0 {
		r.CostFilters = b.CostFilters
	}
	if r.Type == BudgetTypeCost && !modern {
		r.CostTypes = withDefaults(b.CostTypes)
	}
	return nil
}

func defineAutoAdjust(r *record, a *AutoAdjustData) error {
	if a == nil {
		r.AutoAdjust = nil
		return nil
	}
	if !r.tracksSpend() || r.TimeUnit == TimeUnitCustom {
		return invalidf("auto-adjusting budgets are COST or USAGE budgets with a DAILY, MONTHLY, QUARTERLY or ANNUALLY time unit")
	}
	aa := &autoAdjust{Type: deref(a.AutoAdjustType)}
	if aa.Type == AutoAdjustTypeHistorical {
		if a.HistoricalOptions == nil {
			return invalidf("AutoAdjustType HISTORICAL needs HistoricalOptions with a BudgetAdjustmentPeriod")
		}
		aa.Periods = int(deref(a.HistoricalOptions.BudgetAdjustmentPeriod))
		if max := maxAdjustmentPeriods[r.TimeUnit]; aa.Periods > max {
			return invalidf("BudgetAdjustmentPeriod of a %s budget is at most %d, got %d", r.TimeUnit, max, aa.Periods)
		}
	}
	if old := r.AutoAdjust; old != nil && old.Type == aa.Type && old.Periods == aa.Periods {
		aa.LookBack, aa.LastAdjusted = old.LookBack, old.LastAdjusted
	}
	r.AutoAdjust = aa
	return nil
}

// defineLimits applies BudgetLimit or PlannedBudgetLimits: the limit changes
// from the current period on, and earlier periods keep theirs.
func defineLimits(r *record, b *Budget, now time.Time) error {
	from := r.periodAt(now).Start
	if !r.tracksSpend() {
		if b.PlannedBudgetLimits != nil {
			return invalidf("PlannedBudgetLimits are available for COST and USAGE budgets only")
		}
		limit := Spend{Amount: ptr("100"), Unit: ptr("PERCENTAGE")}
		if b.BudgetLimit != nil {
			if v, ok := ratOf(deref(b.BudgetLimit.Amount)); !ok || v.Cmp(ratOfFloat(100)) != 0 {
				return invalidf("the BudgetLimit of a %s budget must be 100", r.Type)
			}
			limit = *b.BudgetLimit
		}
		r.Limit, r.Planned = &limit, nil
		r.setLimits(from, []limitChange{{From: from, Amount: deref(limit.Amount), Unit: deref(limit.Unit)}})
		return nil
	}
	switch {
	case b.BudgetLimit != nil && b.PlannedBudgetLimits != nil:
		return invalidf("only one of BudgetLimit or PlannedBudgetLimits can be present")
	case b.PlannedBudgetLimits != nil:
		if r.AutoAdjust != nil {
			return invalidf("an auto-adjusting budget cannot have PlannedBudgetLimits")
		}
		if err := checkPlanned(r, b.PlannedBudgetLimits, now); err != nil {
			return err
		}
		r.Limit, r.Planned = nil, b.PlannedBudgetLimits
		r.setLimits(from, plannedChanges(b.PlannedBudgetLimits))
	case b.BudgetLimit != nil:
		if _, ok := ratOf(deref(b.BudgetLimit.Amount)); !ok {
			return invalidf("BudgetLimit amount %q is not a number", deref(b.BudgetLimit.Amount))
		}
		r.Limit, r.Planned = b.BudgetLimit, nil
		r.setLimits(from, []limitChange{{From: from, Amount: deref(b.BudgetLimit.Amount), Unit: deref(b.BudgetLimit.Unit)}})
	case r.AutoAdjust != nil:
		r.Limit, r.Planned = nil, nil // computed from the data
	default:
		return invalidf("BudgetLimit is required for COST and USAGE budgets")
	}
	return nil
}

// checkPlanned applies the rules of PlannedBudgetLimits: MONTHLY or
// QUARTERLY budgets; keys are epoch seconds of month (quarter) starts, UTC;
// one unit; the plan holds the current period (or the first one, for a
// budget that starts in the future) and the following ones without gaps, at
// most 12 months (4 quarters) in all. Keys before the current period are
// accepted, so that a plan read back and sent again a month later stays
// valid; they do not rewrite the history. Tally does not insist on all 12
// (4) periods: the last planned limit goes on applying, as AWS documents for
// a plan that has run out.
func checkPlanned(r *record, planned map[string]Spend, now time.Time) error {
	n, what := 12, "month"
	switch r.TimeUnit {
	case TimeUnitMonthly:
	case TimeUnitQuarterly:
		n, what = 4, "quarter"
	default:
		return invalidf("PlannedBudgetLimits are available for MONTHLY and QUARTERLY budgets only")
	}
	ref := now
	if r.Start.After(ref) {
		ref = r.Start
	}
	first := unitStart(r.TimeUnit, ref)
	unit := ""
	have := map[time.Time]bool{}
	for k, v := range planned {
		sec, err := strconv.ParseInt(k, 10, 64)
		t := time.Unix(sec, 0).UTC()
		if err != nil || !t.Equal(unitStart(r.TimeUnit, t)) {
			return invalidf("PlannedBudgetLimits key %q is not the start of a %s (UTC) in epoch seconds", k, what)
		}
		if _, ok := ratOf(deref(v.Amount)); !ok {
			return invalidf("PlannedBudgetLimits amount %q is not a number", deref(v.Amount))
		}
		if unit != "" && deref(v.Unit) != unit {
			return invalidf("PlannedBudgetLimits mix the units %s and %s", unit, deref(v.Unit))
		}
		unit = deref(v.Unit)
		have[t] = true
	}
	last := first
	for i := 0; i < n; i++ {
		last = unitNext(r.TimeUnit, last)
	}
	gap := false
	for t := first; t.Before(last); t = unitNext(r.TimeUnit, t) {
		switch {
		case have[t] && gap:
			return invalidf("PlannedBudgetLimits skip the %s before %s", what, t.Format("2006-01-02"))
		case !have[t] && t.Equal(first):
			return invalidf("PlannedBudgetLimits must start with the current %s, %d (%s)", what, first.Unix(), first.Format("2006-01-02"))
		case !have[t]:
			gap = true
		}
		delete(have, t)
	}
	for t := range have {
		if !t.Before(last) {
			return invalidf("PlannedBudgetLimits reach beyond %d %ss from the current one: %d (%s)", n, what, t.Unix(), t.Format("2006-01-02"))
		}
	}
	return nil
}

// defineNotification checks a notification and its subscribers.
func defineNotification(w *Notification, subs []Subscriber, now time.Time) (*notification, error) {
	n := &notification{Type: deref(w.NotificationType), Operator: deref(w.ComparisonOperator), Threshold: deref(w.Threshold),
		ThresholdType: thresholdType(w.ThresholdType), State: NotificationStateOk, Since: now, Created: now}
	for _, s := range subs {
		sub, err := defineSubscriber(&s)
		if err != nil {
			return nil, err
		}
		for _, have := range n.Subscribers {
			if have == sub {
				return nil, fail(errDuplicate, fmt.Sprintf("subscriber %s %s is listed twice", sub.Type, sub.Address))
			}
		}
		n.Subscribers = append(n.Subscribers, sub)
	}
	if msg := subscriberLimits(n.Subscribers); msg != "" {
		return nil, fail(errTooMany, msg)
	}
	return n, nil
}

// defineSubscriber checks the address: an email address, or an SNS topic
// ARN; neither may contain line breaks.
func defineSubscriber(w *Subscriber) (subscriber, error) {
	s := subscriber{Type: deref(w.SubscriptionType), Address: deref(w.Address)}
	if strings.ContainsAny(s.Address, "\r\n") {
		return s, invalidf("a subscriber address cannot contain line breaks")
	}
	switch s.Type {
	case SubscriptionTypeEmail:
		a, err := mail.ParseAddress(s.Address)
		if err != nil || a.Address != s.Address {
			return s, invalidf("%q is not an email address", s.Address)
		}
	case SubscriptionTypeSns:
		if !notify.ValidTopicARN(s.Address) {
			return s, invalidf("%q is not an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:alerts", s.Address)
		}
	}
	return s, nil
}

// subscriberLimits says why subs break the limits of one SNS and ten email
// subscribers per notification, or "" when they keep them.
func subscriberLimits(subs []subscriber) string {
	email, sns := 0, 0
	for _, s := range subs {
		if s.Type == SubscriptionTypeSns {
			sns++
		} else {
			email++
		}
	}
	if email > MaxEmailSubscribers || sns > MaxSNSSubscribers {
		return fmt.Sprintf("a notification can have %d SNS subscriber and %d email subscribers, got %d and %d",
			MaxSNSSubscribers, MaxEmailSubscribers, sns, email)
	}
	return ""
}

// defineTags checks resource tags: at most MaxTags, no reserved aws: keys.
func defineTags(have []tag, add []ResourceTag) ([]tag, error) {
	out := append([]tag(nil), have...)
	for _, t := range add {
		k, v := deref(t.Key), deref(t.Value)
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return nil, invalidf("tag key %s: the aws: prefix is reserved for AWS", k)
		}
		replaced := false
		for i := range out {
			if out[i].Key == k {
				out[i].Value, replaced = v, true
			}
		}
		if !replaced {
			out = append(out, tag{Key: k, Value: v})
		}
	}
	if len(out) > MaxTags {
		return nil, fail(errQuota, fmt.Sprintf("a budget can have at most %d tags, this would give it %d", MaxTags, len(out)))
	}
	return out, nil
}
