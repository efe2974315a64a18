package commitments

import (
	"math/big"
	"sort"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/store"
)

// SPUsage holds the additive figures of Savings Plans in a bucket.
type SPUsage struct {
	TotalCommitment, UsedCommitment                          *big.Rat
	OnDemandCostEquivalent                                   *big.Rat
	AmortizedRecurringCommitment, AmortizedUpfrontCommitment *big.Rat
}

// Add adds o to u.
func (u *SPUsage) Add(o *SPUsage) {
	acc(&u.TotalCommitment, val(o.TotalCommitment))
	acc(&u.UsedCommitment, val(o.UsedCommitment))
	acc(&u.OnDemandCostEquivalent, val(o.OnDemandCostEquivalent))
	acc(&u.AmortizedRecurringCommitment, val(o.AmortizedRecurringCommitment))
	acc(&u.AmortizedUpfrontCommitment, val(o.AmortizedUpfrontCommitment))
}

// SPFigures are the SavingsPlansUtilization, SavingsPlansSavings and
// SavingsPlansAmortizedCommitment figures, named as in the API.
type SPFigures struct {
	TotalCommitment, UsedCommitment, UnusedCommitment, UtilizationPercentage           *big.Rat
	NetSavings, OnDemandCostEquivalent                                                 *big.Rat
	AmortizedRecurringCommitment, AmortizedUpfrontCommitment, TotalAmortizedCommitment *big.Rat
}

// Figures derives the Savings Plans figures of u (see the package doc).
func (u *SPUsage) Figures() SPFigures {
	f := SPFigures{TotalCommitment: val(u.TotalCommitment), UsedCommitment: val(u.UsedCommitment),
		OnDemandCostEquivalent:       val(u.OnDemandCostEquivalent),
		AmortizedRecurringCommitment: val(u.AmortizedRecurringCommitment), AmortizedUpfrontCommitment: val(u.AmortizedUpfrontCommitment)}
	f.UnusedCommitment = sub(f.TotalCommitment, f.UsedCommitment)
	f.UtilizationPercentage = percent(f.UsedCommitment, f.TotalCommitment)
	f.NetSavings = sub(f.OnDemandCostEquivalent, f.TotalCommitment)
	f.TotalAmortizedCommitment = add(f.AmortizedRecurringCommitment, f.AmortizedUpfrontCommitment)
	return f
}

// SavingsPlan is one plan's utilization, bucket by bucket.
type SavingsPlan struct {
	Info store.CommitmentInfo
	// Keys are the values of the attribute dimensions the question grouped
	// by, from the plan's fee lines.
	Keys    []string
	Buckets []SPUsage
}

// Total sums the plan's buckets.
func (p *SavingsPlan) Total() SPUsage {
	var t SPUsage
	for i := range p.Buckets {
		t.Add(&p.Buckets[i])
	}
	return t
}

// SavingsPlans computes the utilization of every plan in ans over the
// buckets, ordered by ARN. ans must come from a store.CommitmentQuery of
// kind SP.
func SavingsPlans(ans *store.CommitmentAnswer, bs Buckets) []SavingsPlan {
	infos := mergeInfos(ans)
	byARN := map[string]*SavingsPlan{}
	for i := range ans.Rows {
		row := &ans.Rows[i]
		if row.Commitment < 0 {
			continue
		}
		info := infos[ans.Commitments[row.Commitment].ARN]
		if info.Kind != billing.CommitmentSP {
			continue
		}
		p := byARN[info.ARN]
		if p == nil {
			p = &SavingsPlan{Info: info, Keys: row.Keys, Buckets: make([]SPUsage, len(bs))}
			byARN[info.ARN] = p
		}
		b := bs.index(row.Bucket)
		if b < 0 {
			continue
		}
		u := &p.Buckets[b]
		switch row.LineItemType {
		case "SavingsPlanRecurringFee":
			p.Keys = row.Keys
			acc(&u.TotalCommitment, sum(row, store.SumSPTotalCommitment, nil))
			acc(&u.UsedCommitment, sum(row, store.SumSPUsedCommitment, nil))
			acc(&u.AmortizedRecurringCommitment, sum(row, store.SumSPRecurringCommitment, nil))
			acc(&u.AmortizedUpfrontCommitment, sum(row, store.SumSPAmortizedUpfront, nil))
		case "SavingsPlanCoveredUsage":
			acc(&u.OnDemandCostEquivalent, sum(row, store.SumPublicOnDemand, nil))
		}
	}
	out := make([]SavingsPlan, 0, len(byARN))
	for _, p := range byARN {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Info.ARN < out[j].Info.ARN })
	return out
}
