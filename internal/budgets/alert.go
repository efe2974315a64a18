package budgets

import (
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/store"
)

// withHooks returns subs and a recipient of kind WEBHOOK for each of hooks,
// which receive every alert.
func withHooks(subs []subscriber, hooks []string) []subscriber {
	out := slices.Clip(subs)
	for _, h := range hooks {
		out = append(out, subscriber{Type: SubscriptionType(store.Webhook), Address: h})
	}
	return out
}

// alerts returns the messages of one crossing, one per subscriber and
// webhook. Their
// IDs derive from the budget, the notification (with its creation time),
// the crossing's number and the subscriber, so a crossing evaluated again
// after a crash queues nothing new.
func alerts(r *record, n *notification, c check, now time.Time, hooks []string) []store.Message {
	subject, body := alertText(r, n, c, now)
	var out []store.Message
	for _, sub := range withHooks(n.Subscribers, hooks) {
		kind := store.MessageKind(sub.Type) // EMAIL, SNS or WEBHOOK
		id := notify.MessageID(r.Account, r.Name, n.Created.Format(time.RFC3339Nano), string(n.Type), string(n.Operator),
			strconv.FormatFloat(n.Threshold, 'g', -1, 64), string(n.ThresholdType), strconv.Itoa(n.Crossings), string(sub.Type), sub.Address)
		out = append(out, store.Message{ID: id, Kind: kind, Address: sub.Address, Subject: subject, Body: body,
			Ref: r.Account + "/" + r.Name, Created: now})
	}
	return out
}

var (
	verbActual   = map[ComparisonOperator]string{ComparisonOperatorGreaterThan: "has exceeded", ComparisonOperatorLessThan: "has fallen below", ComparisonOperatorEqualTo: "has reached"}
	verbForecast = map[ComparisonOperator]string{ComparisonOperatorGreaterThan: "is forecasted to exceed", ComparisonOperatorLessThan: "is forecasted to fall below", ComparisonOperatorEqualTo: "is forecasted to reach"}
	compareWords = map[ComparisonOperator]string{ComparisonOperatorGreaterThan: "greater than", ComparisonOperatorLessThan: "less than", ComparisonOperatorEqualTo: "equal to"}
	compareSigns = map[ComparisonOperator]string{ComparisonOperatorGreaterThan: ">", ComparisonOperatorLessThan: "<", ComparisonOperatorEqualTo: "="}
	periodWords  = map[TimeUnit]string{TimeUnitDaily: "day", TimeUnitMonthly: "month", TimeUnitQuarterly: "quarter", TimeUnitAnnually: "year", TimeUnitCustom: "budget period"}
)

// alertText writes the subject and plain-text body of an alert, in the
// shape of AWS Budgets' own notifications.
func alertText(r *record, n *notification, c check, now time.Time) (subject, body string) {
	verb := verbActual[n.Operator]
	if n.Type == NotificationTypeForecasted {
		verb = verbForecast[n.Operator]
	}
	subject = fmt.Sprintf("AWS Budgets: %s %s your alert threshold", r.Name, verb)
	what := "Cost"
	switch r.Type {
	case BudgetTypeCost:
	case BudgetTypeRiUtilization, BudgetTypeSavingsPlansUtilization:
		what = "Utilization"
	case BudgetTypeRiCoverage, BudgetTypeSavingsPlansCoverage:
		what = "Coverage"
	default:
		what = "Usage"
	}
	unit := r.Spend.Unit
	money := func(v *big.Rat) string {
		if v == nil {
			return "unknown"
		}
		return roundRat(v, 2) + " " + unit
	}
	threshold := compareSigns[n.Operator] + " " + money(c.threshold)
	if n.ThresholdType == ThresholdTypePercentage {
		threshold = fmt.Sprintf("%s %s%% (%s)", compareSigns[n.Operator], strconv.FormatFloat(n.Threshold, 'f', -1, 64), money(c.threshold))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "AWS Budget Notification %s\nAWS Account %s\n\nDear AWS Customer,\n\n", now.Format("January 2, 2006"), r.Account)
	fmt.Fprintf(&b, "You requested that we alert you when the %s %s associated with your %s budget is %s %s for the current %s. ",
		n.Type, what, r.Name, compareWords[n.Operator], money(c.threshold), periodWords[r.TimeUnit])
	fmt.Fprintf(&b, "The %s %s associated with this budget is %s.\n\n", n.Type, what, money(c.value))
	fmt.Fprintf(&b, "Budget Name: %s\nBudget Type: %s\n", r.Name, strings.ToUpper(what[:1])+strings.ToLower(what[1:]))
	if c.limit.Amount != "" {
		fmt.Fprintf(&b, "Budgeted Amount: %s %s\n", c.limit.Amount, c.limit.Unit)
	}
	fmt.Fprintf(&b, "Alert Type: %s\nAlert Threshold: %s\n%s Amount: %s\n", n.Type, threshold, n.Type, money(c.value))
	fmt.Fprintf(&b, "Budget Period: %s to %s (UTC)\n\n", r.Spend.Period.Start.Format("2006-01-02"), r.Spend.Period.End.Format("2006-01-02"))
	b.WriteString("This alert was computed by Tally from your own billing data.\n")
	return subject, b.String()
}
