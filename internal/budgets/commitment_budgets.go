package budgets

import (
	"context"
	"math/big"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/commitments"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store"
)

// tracksCommitment reports whether the budget follows a Reserved Instance
// or Savings Plans percentage: RI_UTILIZATION, RI_COVERAGE,
// SAVINGS_PLANS_UTILIZATION, SAVINGS_PLANS_COVERAGE. Their limit is 100
// (percent) and notifications compare the period's percentage with their
// threshold, so an alert fires when, say, utilization drops below 80%.
func (r *record) tracksCommitment() bool {
	switch r.Type {
	case BudgetTypeRiUtilization, BudgetTypeRiCoverage, BudgetTypeSavingsPlansUtilization, BudgetTypeSavingsPlansCoverage:
		return true
	}
	return false
}

// percentageUnit is the unit of a commitment budget's measure.
const percentageUnit = "PERCENTAGE"

// measureCommitment computes the percentage a commitment budget tracks over
// its current period to date, with the same code as Cost Explorer's
// GetReservationUtilization, GetReservationCoverage,
// GetSavingsPlansUtilization and GetSavingsPlansCoverage (package
// commitments). It returns nil when the store keeps no commitments or the
// period has nothing to measure (no reservation, plan or eligible usage):
// a percentage of nothing is no breach.
func (s *Service) measureCommitment(ctx context.Context, r *record, now time.Time) (*spendSnapshot, error) {
	cs, ok := s.cfg.Costs.(store.CommitmentStore)
	if !ok {
		return nil, nil
	}
	p := r.periodAt(now)
	if end := billing.DayStart(now).AddDate(0, 0, 1); end.Before(p.End) && end.After(p.Start) {
		p.End = end
	}
	f, err := r.filter()
	if err != nil {
		return nil, err
	}
	q := &store.CommitmentQuery{Filter: f, Scope: query.Scope{Account: r.Scope}}
	q.Period, q.Monthly = commitments.StorePeriod(p, true)
	buckets := commitments.Whole(p)
	var pct, base *big.Rat
	switch r.Type {
	case BudgetTypeRiUtilization:
		q.Kinds, q.Sums = []string{billing.CommitmentRI}, commitments.ReservationSums
	case BudgetTypeRiCoverage:
		q.Kinds, q.Eligible, q.Sums = []string{billing.CommitmentRI}, billing.EligibleRI, commitments.ReservationCoverageSums
	case BudgetTypeSavingsPlansUtilization:
		q.Kinds, q.Sums = []string{billing.CommitmentSP}, commitments.SavingsPlanSums
	default:
		q.Kinds, q.Eligible, q.Sums = []string{billing.CommitmentSP}, billing.EligibleSP, commitments.SavingsPlanCoverageSums
	}
	ans, err := cs.Commitments(ctx, q)
	if err != nil {
		return nil, err
	}
	switch r.Type {
	case BudgetTypeRiUtilization:
		var t commitments.RIUsage
		for _, ri := range commitments.Reservations(ans, buckets) {
			t.Add(&ri.Buckets[0])
		}
		f := t.Figures()
		pct, base = f.UtilizationPercentage, f.PurchasedHours
	case BudgetTypeRiCoverage:
		var t commitments.RICoverage
		for _, g := range commitments.ReservationCoverage(ans, buckets) {
			t.Add(&g.Buckets[0])
		}
		pct, base = t.HoursPercentage(), t.TotalRunningHours()
	case BudgetTypeSavingsPlansUtilization:
		var t commitments.SPUsage
		for _, sp := range commitments.SavingsPlans(ans, buckets) {
			t.Add(&sp.Buckets[0])
		}
		f := t.Figures()
		pct, base = f.UtilizationPercentage, f.TotalCommitment
	case BudgetTypeSavingsPlansCoverage:
		var t commitments.SPCoverage
		for _, g := range commitments.SavingsPlansCoverage(ans, buckets) {
			t.Add(&g.Buckets[0])
		}
		pct, base = t.Percentage(), t.TotalCost()
	}
	if base == nil || base.Sign() == 0 {
		return nil, nil
	}
	return &spendSnapshot{Period: r.periodAt(now), Actual: commitments.Format(pct), Unit: percentageUnit}, nil
}
