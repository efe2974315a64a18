package commitments

import (
	"math/big"
	"sort"
	"strings"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/store"
)

// RICoverage holds the additive coverage figures of a bucket and group.
type RICoverage struct {
	ReservedHours, OnDemandHours, ReservedUnits, OnDemandUnits, OnDemandCost *big.Rat
}

// Add adds o to c.
func (c *RICoverage) Add(o *RICoverage) {
	acc(&c.ReservedHours, val(o.ReservedHours))
	acc(&c.OnDemandHours, val(o.OnDemandHours))
	acc(&c.ReservedUnits, val(o.ReservedUnits))
	acc(&c.OnDemandUnits, val(o.OnDemandUnits))
	acc(&c.OnDemandCost, val(o.OnDemandCost))
}

// TotalRunningHours, TotalRunningUnits and the percentages derive from the
// sums (see the package doc).
func (c *RICoverage) TotalRunningHours() *big.Rat { return add(c.ReservedHours, c.OnDemandHours) }

// TotalRunningUnits is ReservedUnits + OnDemandUnits.
func (c *RICoverage) TotalRunningUnits() *big.Rat { return add(c.ReservedUnits, c.OnDemandUnits) }

// HoursPercentage is CoverageHoursPercentage.
func (c *RICoverage) HoursPercentage() *big.Rat {
	return percent(c.ReservedHours, c.TotalRunningHours())
}

// UnitsPercentage is CoverageNormalizedUnitsPercentage.
func (c *RICoverage) UnitsPercentage() *big.Rat {
	return percent(c.ReservedUnits, c.TotalRunningUnits())
}

// SPCoverage holds the additive Savings Plans coverage figures of a bucket
// and group.
type SPCoverage struct {
	SpendCovered, OnDemandCost *big.Rat
}

// Add adds o to c.
func (c *SPCoverage) Add(o *SPCoverage) {
	acc(&c.SpendCovered, val(o.SpendCovered))
	acc(&c.OnDemandCost, val(o.OnDemandCost))
}

// TotalCost is SpendCoveredBySavingsPlans + OnDemandCost.
func (c *SPCoverage) TotalCost() *big.Rat { return add(c.SpendCovered, c.OnDemandCost) }

// Percentage is CoveragePercentage.
func (c *SPCoverage) Percentage() *big.Rat { return percent(c.SpendCovered, c.TotalCost()) }

// Group is one group's coverage, bucket by bucket.
type Group[C any] struct {
	Keys    []string
	Buckets []C
}

// groupKey joins keys unambiguously.
func groupKey(keys []string) string { return strings.Join(keys, "\x00") }

// ReservationCoverage computes RI coverage per group (the store question's
// GroupBy) and bucket, groups ordered by keys. ans must come from a
// store.CommitmentQuery of kind RI with billing.EligibleRI usage.
func ReservationCoverage(ans *store.CommitmentAnswer, bs Buckets) []Group[RICoverage] {
	return coverage(ans, bs, func(row *store.CommitmentRow) bool {
		return row.LineItemType == "DiscountedUsage" || row.Commitment < 0 && row.Eligible&billing.EligibleRI != 0
	}, func(c *RICoverage, row *store.CommitmentRow) {
		switch {
		case row.LineItemType == "DiscountedUsage":
			acc(&c.ReservedHours, sum(row, store.SumUsage, nil))
			acc(&c.ReservedUnits, sum(row, store.SumNormalized, nil))
		case row.Commitment < 0 && row.Eligible&billing.EligibleRI != 0:
			acc(&c.OnDemandHours, sum(row, store.SumUsage, nil))
			acc(&c.OnDemandUnits, sum(row, store.SumNormalized, nil))
			acc(&c.OnDemandCost, sum(row, store.SumUnblended, nil))
		}
	})
}

// SavingsPlansCoverage computes SP coverage per group and bucket. ans must
// come from a store.CommitmentQuery of kind SP with billing.EligibleSP
// usage.
func SavingsPlansCoverage(ans *store.CommitmentAnswer, bs Buckets) []Group[SPCoverage] {
	return coverage(ans, bs, func(row *store.CommitmentRow) bool {
		return row.LineItemType == "SavingsPlanCoveredUsage" || row.Commitment < 0 && row.Eligible&billing.EligibleSP != 0
	}, func(c *SPCoverage, row *store.CommitmentRow) {
		switch {
		case row.LineItemType == "SavingsPlanCoveredUsage":
			acc(&c.SpendCovered, sum(row, store.SumPublicOnDemand, nil))
		case row.Commitment < 0 && row.Eligible&billing.EligibleSP != 0:
			acc(&c.OnDemandCost, sum(row, store.SumPublicOnDemand, nil))
		}
	})
}

// coverage sums the rows that count into groups and buckets with add; only
// groups with such rows appear.
func coverage[C any](ans *store.CommitmentAnswer, bs Buckets, counts func(*store.CommitmentRow) bool, add func(*C, *store.CommitmentRow)) []Group[C] {
	groups := map[string]*Group[C]{}
	for i := range ans.Rows {
		row := &ans.Rows[i]
		b := bs.index(row.Bucket)
		if b < 0 || !counts(row) {
			continue
		}
		k := groupKey(row.Keys)
		g := groups[k]
		if g == nil {
			g = &Group[C]{Keys: row.Keys, Buckets: make([]C, len(bs))}
			groups[k] = g
		}
		add(&g.Buckets[b], row)
	}
	out := make([]Group[C], 0, len(groups))
	for _, g := range groups {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool { return groupKey(out[i].Keys) < groupKey(out[j].Keys) })
	return out
}
