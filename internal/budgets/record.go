package budgets

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/billing"
)

// recordVersion is the version of the stored document.
const recordVersion = 1

// record is a budget as Tally stores it: the definition the caller gave,
// normalised, and the state Tally keeps about it. It is stored as one JSON
// document (see Store) and always read and written whole.
type record struct {
	V       int    `json:"v"`
	Account string `json:"account"`
	Name    string `json:"name"`
	// Scope is the account whose data the budget sees, as query.Scope
	// defines it; "" sees everything (budgets of the built-in test identity).
	Scope    string     `json:"scope,omitempty"`
	Type     BudgetType `json:"type"`
	TimeUnit TimeUnit   `json:"timeUnit"`
	Start    time.Time  `json:"start"`
	End      time.Time  `json:"end"`
	// Limit is the fixed BudgetLimit as given; Planned the
	// PlannedBudgetLimits as given. At most one is set.
	Limit   *Spend           `json:"limit,omitempty"`
	Planned map[string]Spend `json:"planned,omitempty"`
	// Limits records which limit applies from which period start on, for
	// the current period and the performance history.
	Limits        []limitChange       `json:"limits,omitempty"`
	CostFilters   map[string][]string `json:"costFilters,omitempty"`
	CostTypes     *CostTypes          `json:"costTypes,omitempty"`
	Filter        *Expression         `json:"filter,omitempty"`
	Metrics       []Metric            `json:"metrics,omitempty"`
	AutoAdjust    *autoAdjust         `json:"autoAdjust,omitempty"`
	BillingView   string              `json:"billingView,omitempty"`
	Notifications []*notification     `json:"notifications,omitempty"`
	Tags          []tag               `json:"tags,omitempty"`
	Actions       []*action           `json:"actions,omitempty"`
	// deleted are actions deleted whose last events are not stored yet.
	deleted []*action
	// Spend is the spend of the current period as last measured.
	Spend   *spendSnapshot `json:"spend,omitempty"`
	Created time.Time      `json:"created"`
	Updated time.Time      `json:"updated"`
}

// limitChange says that from From on (a period start) the limit is
// Amount Unit.
type limitChange struct {
	From   time.Time `json:"from"`
	Amount string    `json:"amount"`
	Unit   string    `json:"unit"`
}

// autoAdjust is AutoAdjustData with what Tally computed.
type autoAdjust struct {
	Type         AutoAdjustType `json:"type"`
	Periods      int            `json:"periods,omitempty"`
	LookBack     int            `json:"lookBack,omitempty"`
	LastAdjusted time.Time      `json:"lastAdjusted,omitzero"`
}

// notification is a budget notification with its state and subscribers.
type notification struct {
	Type          NotificationType   `json:"type"`
	Operator      ComparisonOperator `json:"operator"`
	Threshold     float64            `json:"threshold"`
	ThresholdType ThresholdType      `json:"thresholdType"`
	State         NotificationState  `json:"state"`
	Since         time.Time          `json:"since"`
	// Created and Crossings make the IDs of alert messages unique: a
	// notification deleted and created again starts afresh.
	Created     time.Time    `json:"created"`
	Crossings   int          `json:"crossings"`
	Subscribers []subscriber `json:"subscribers"`
}

type subscriber struct {
	Type    SubscriptionType `json:"type"`
	Address string           `json:"address"`
}

type tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// spendSnapshot is a measured spend of one period.
type spendSnapshot struct {
	Period   billing.Period `json:"period"`
	Actual   string         `json:"actual"`
	Forecast string         `json:"forecast,omitempty"` // "" when there is no forecast
	Unit     string         `json:"unit"`
}

func decodeRecord(doc []byte) (*record, error) {
	var r record
	if err := json.Unmarshal(doc, &r); err != nil {
		return nil, fmt.Errorf("budgets: stored budget: %w", err)
	}
	if r.V != recordVersion {
		return nil, fmt.Errorf("budgets: stored budget %s/%s has version %d, want %d", r.Account, r.Name, r.V, recordVersion)
	}
	return &r, nil
}

func (r *record) encode() []byte {
	r.V = recordVersion
	b, err := json.Marshal(r)
	if err != nil {
		panic(fmt.Sprintf("budgets: encode record: %v", err)) // only plain data: cannot fail
	}
	return b
}

// ARN returns the budget's ARN.
func (r *record) ARN() string { return budgetARN(r.Account, r.Name) }

func budgetARN(account, name string) string {
	return "arn:aws:budgets::" + account + ":budget/" + name
}

// tracksSpend reports whether Tally computes the budget's spend: COST and
// USAGE budgets. RI and Savings Plans utilization and coverage budgets track
// a percentage instead (tracksCommitment).
func (r *record) tracksSpend() bool { return r.Type == BudgetTypeCost || r.Type == BudgetTypeUsage }

// expired reports whether the budget's end date has passed; AWS deletes such
// budgets and Tally treats them as gone.
func (r *record) expired(now time.Time) bool { return !now.Before(r.End) }

// limitFor returns the limit that applies in the period starting at s: the
// last change from s or before, or the first one for periods before it.
func (r *record) limitFor(s time.Time) (limitChange, bool) {
	if len(r.Limits) == 0 {
		return limitChange{}, false
	}
	l := r.Limits[0]
	for _, c := range r.Limits {
		if !c.From.After(s) {
			l = c
		}
	}
	return l, true
}

// setLimits replaces the limits that apply from the period starting at from
// on with changes, keeping the history before it.
func (r *record) setLimits(from time.Time, changes []limitChange) {
	var kept []limitChange
	for _, c := range r.Limits {
		if c.From.Before(from) {
			kept = append(kept, c)
		}
	}
	fresh := len(kept) == 0
	for _, c := range changes {
		if fresh || !c.From.Before(from) {
			kept = append(kept, c)
		}
	}
	sort.SliceStable(kept, func(i, j int) bool { return kept[i].From.Before(kept[j].From) })
	r.Limits = kept
}

// plannedChanges turns PlannedBudgetLimits into limit changes.
func plannedChanges(planned map[string]Spend) []limitChange {
	var out []limitChange
	for k, v := range planned {
		sec, _ := strconv.ParseInt(k, 10, 64)
		out = append(out, limitChange{From: time.Unix(sec, 0).UTC(), Amount: deref(v.Amount), Unit: deref(v.Unit)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].From.Before(out[j].From) })
	return out
}

// find returns the notification equal to w, or nil.
func (r *record) find(w *Notification) (int, *notification) {
	for i, n := range r.Notifications {
		if n.matches(w) {
			return i, n
		}
	}
	return -1, nil
}

// matches reports whether n is the notification w names. Notifications have
// no identifier: the type, operator, threshold and threshold type identify
// one; NotificationState is not part of it.
func (n *notification) matches(w *Notification) bool {
	return n.Type == deref(w.NotificationType) && n.Operator == deref(w.ComparisonOperator) &&
		n.Threshold == deref(w.Threshold) && n.ThresholdType == thresholdType(w.ThresholdType)
}

func thresholdType(t *ThresholdType) ThresholdType {
	if t == nil {
		return ThresholdTypePercentage
	}
	return *t
}

func (n *notification) wire() Notification {
	return Notification{NotificationType: ptr(n.Type), ComparisonOperator: ptr(n.Operator), Threshold: ptr(n.Threshold),
		ThresholdType: ptr(n.ThresholdType), NotificationState: ptr(n.State)}
}

func (s subscriber) wire() Subscriber {
	return Subscriber{SubscriptionType: ptr(s.Type), Address: ptr(s.Address)}
}

// wire renders the budget as the API returns it, with spend as measured.
func (r *record) wire(now time.Time, spend *spendSnapshot, showFilter bool) Budget {
	b := Budget{
		BudgetName:          ptr(r.Name),
		BudgetType:          ptr(r.Type),
		TimeUnit:            ptr(r.TimeUnit),
		TimePeriod:          &TimePeriod{Start: awsjson.NewEpochTime(r.Start), End: awsjson.NewEpochTime(r.End)},
		CostFilters:         r.CostFilters,
		CostTypes:           r.CostTypes,
		Metrics:             r.Metrics,
		PlannedBudgetLimits: r.Planned,
		LastUpdatedTime:     awsjson.NewEpochTime(r.Updated),
		HealthStatus:        r.health(),
	}
	if l, ok := r.limitFor(r.periodAt(now).Start); ok {
		b.BudgetLimit = &Spend{Amount: ptr(l.Amount), Unit: ptr(l.Unit)}
	}
	if spend != nil {
		b.CalculatedSpend = &CalculatedSpend{ActualSpend: &Spend{Amount: ptr(spend.Actual), Unit: ptr(spend.Unit)}}
		if spend.Forecast != "" {
			b.CalculatedSpend.ForecastedSpend = &Spend{Amount: ptr(spend.Forecast), Unit: ptr(spend.Unit)}
		}
	}
	if a := r.AutoAdjust; a != nil {
		b.AutoAdjustData = &AutoAdjustData{AutoAdjustType: ptr(a.Type)}
		if a.Type == AutoAdjustTypeHistorical {
			b.AutoAdjustData.HistoricalOptions = &HistoricalOptions{BudgetAdjustmentPeriod: ptr(int32(a.Periods))}
			if a.LookBack > 0 {
				b.AutoAdjustData.HistoricalOptions.LookBackAvailablePeriods = ptr(int32(a.LookBack))
			}
		}
		if !a.LastAdjusted.IsZero() {
			b.AutoAdjustData.LastAutoAdjustTime = awsjson.NewEpochTime(a.LastAdjusted)
		}
	}
	if r.BillingView != "" {
		b.BillingViewArn = ptr(r.BillingView)
	}
	if showFilter {
		b.FilterExpression = r.Filter
		if b.FilterExpression == nil && len(r.CostFilters) > 0 {
			b.FilterExpression = costFiltersExpression(r.CostFilters)
		}
	}
	return b
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
