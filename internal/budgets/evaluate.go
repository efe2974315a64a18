package budgets

import (
	"bytes"
	"context"
	"errors"
	"math/big"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/store"
)

// Evaluate brings every budget up to date with the data and the clock.
// Budgets past their end date are deleted. For the others it measures the
// spend and forecast of the current period, recomputes auto-adjusted
// limits, and moves each notification between OK and ALARM; a move to ALARM
// (a crossing) queues one alert per subscriber, stored in the same
// transaction as the new state, so each crossing is delivered once.
// Evaluate runs after every ingest and on a timer; a budget is also
// evaluated whenever it or one of its notifications changes.
func (s *Service) Evaluate(ctx context.Context) error {
	docs, err := s.cfg.Store.BudgetDocs(ctx, "")
	if err != nil {
		return err
	}
	var errs []error
	for _, d := range docs {
		r, err := decodeRecord(d)
		if err == nil {
			err = s.evaluateOne(ctx, r.Account, r.Name)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// evaluateOne refreshes one budget under the lock, from its stored state:
// the lock is held for one budget at a time, so API calls wait for one
// budget's evaluation at most.
// The actions it begins (or finds begun by a process that stopped) run
// after the lock is released.
func (s *Service) evaluateOne(ctx context.Context, account, name string) error {
	r, err := s.evaluateLocked(ctx, account, name)
	if err != nil || r == nil {
		return err
	}
	s.settle(ctx, r)
	return nil
}

func (s *Service) evaluateLocked(ctx context.Context, account, name string) (*record, error) {
	unlock, err := s.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	doc, err := s.cfg.Store.BudgetDoc(ctx, account, name)
	if err != nil || doc == nil {
		return nil, err // deleted meanwhile: nothing to do
	}
	r, err := decodeRecord(doc)
	if err != nil {
		return nil, err
	}
	return r, s.refresh(ctx, r, doc)
}

// Run evaluates every budget at once and then every interval, until ctx
// ends.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := s.Evaluate(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Error("budgets: evaluation failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// refresh evaluates one budget and stores it when anything changed; old is
// its stored document, nil to store it anyway. The caller holds s.mu.
func (s *Service) refresh(ctx context.Context, r *record, old []byte) error {
	now := s.now()
	if r.expired(now) {
		_, err := s.cfg.Store.DeleteBudget(ctx, r.Account, r.Name)
		s.cfg.Logger.Info("budgets: deleted a budget past its end date", "account", r.Account, "budget", r.Name, "end", r.End)
		return err
	}
	snap, err := s.measure(ctx, r, now)
	if err != nil {
		return err
	}
	r.Spend = snap
	if err := s.autoAdjust(ctx, r, now); err != nil {
		return err
	}
	msgs := append(transitions(r, now, s.cfg.Webhooks), actionTransitions(r, now, s.cfg.Webhooks)...)
	if old != nil && len(msgs) == 0 && bytes.Equal(old, r.encode()) {
		return nil
	}
	return s.save(ctx, r, msgs)
}

// transitions moves r's notifications to the state its spend calls for and
// returns the alerts of the crossings, to its subscribers and to hooks.
func transitions(r *record, now time.Time, hooks []string) []store.Message {
	if r.Spend == nil {
		return nil // nothing measured (an RI or Savings Plans budget without commitments)
	}
	var msgs []store.Message
	for _, n := range r.Notifications {
		c := n.check(r)
		switch {
		case c.breached && n.State != NotificationStateAlarm:
			n.State, n.Since = NotificationStateAlarm, now
			n.Crossings++
			msgs = append(msgs, alerts(r, n, c, now, hooks)...)
		case !c.breached && n.State == NotificationStateAlarm:
			n.State, n.Since = NotificationStateOk, now
		}
	}
	return msgs
}

// check is a notification compared with the budget's spend.
type check struct {
	breached         bool
	value, threshold *big.Rat
	limit            limitChange
}

// check compares the actual or forecasted spend with the threshold: a
// percentage of the period's limit, or an absolute amount. Without a
// forecast, a FORECASTED notification is not breached.
func (n *notification) check(r *record) check {
	c := check{threshold: ratOfFloat(n.Threshold)}
	c.limit, _ = r.limitFor(r.Spend.Period.Start)
	if n.ThresholdType == ThresholdTypePercentage {
		limit, ok := ratOf(c.limit.Amount)
		if !ok {
			limit = new(big.Rat)
		}
		c.threshold.Mul(c.threshold, limit).Quo(c.threshold, big.NewRat(100, 1))
	}
	spend := r.Spend.Actual
	if n.Type == NotificationTypeForecasted {
		spend = r.Spend.Forecast
	}
	v, ok := ratOf(spend)
	if !ok {
		return c
	}
	c.value = v
	switch cmp := v.Cmp(c.threshold); n.Operator {
	case ComparisonOperatorGreaterThan:
		c.breached = cmp > 0
	case ComparisonOperatorLessThan:
		c.breached = cmp < 0
	case ComparisonOperatorEqualTo:
		c.breached = cmp == 0
	}
	return c
}

// autoAdjust recomputes the limit of an auto-adjusting budget for the
// current period: HISTORICAL averages the spend of the last
// BudgetAdjustmentPeriod periods (leading periods without cost are left out,
// and LookBackAvailablePeriods counts the rest); FORECAST takes the forecast
// of the current period. The limit is rounded to cents.
func (s *Service) autoAdjust(ctx context.Context, r *record, now time.Time) error {
	a := r.AutoAdjust
	if a == nil || r.Spend == nil {
		return nil
	}
	cur := r.periodAt(now)
	var amount *big.Rat
	switch a.Type {
	case AutoAdjustTypeHistorical:
		periods := lastPeriods(r.TimeUnit, unitStart(r.TimeUnit, cur.Start), a.Periods)
		spends, err := s.spendByPeriod(ctx, r, periods)
		if err != nil {
			return err
		}
		for len(spends) > 0 && spends[0].Sign() == 0 {
			spends = spends[1:]
		}
		a.LookBack = len(spends)
		amount = new(big.Rat)
		for _, v := range spends {
			amount.Add(amount, ratOfScaled(v))
		}
		if len(spends) > 0 {
			amount.Quo(amount, big.NewRat(int64(len(spends)), 1))
		}
	case AutoAdjustTypeForecast:
		f, ok := ratOf(r.Spend.Forecast)
		if !ok {
			return nil
		}
		amount = f
	}
	change := limitChange{From: cur.Start, Amount: roundRat(amount, 2), Unit: r.Spend.Unit}
	if l, ok := r.limitFor(cur.Start); !ok || l.Amount != change.Amount || l.Unit != change.Unit || l.From.Before(cur.Start) {
		r.setLimits(cur.Start, []limitChange{change})
		a.LastAdjusted = now
	}
	return nil
}

// lastPeriods returns the n calendar periods before the one starting at s,
// oldest first.
func lastPeriods(unit TimeUnit, s time.Time, n int) []billing.Period {
	out := make([]billing.Period, n)
	for i := n - 1; i >= 0; i-- {
		prev := unitStart(unit, s.Add(-time.Nanosecond))
		out[i] = billing.Period{Start: prev, End: s}
		s = prev
	}
	return out
}
