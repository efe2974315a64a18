package commitments

import (
	"math/big"
	"sort"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/store"
)

// RIUsage holds the additive figures of reservations in a bucket; RI
// derives the rest.
type RIUsage struct {
	PurchasedHours, PurchasedUnits, UnusedHours, UnusedUnits *big.Rat
	OnDemandCostOfRIHoursUsed                                *big.Rat
	AmortizedUpfrontFee, AmortizedRecurringFee               *big.Rat
	RICostForUnusedHours                                     *big.Rat
	// UnrealizedSavings is computed per reservation and bucket (it needs
	// that reservation's on-demand rate), then summed.
	UnrealizedSavings *big.Rat
}

// Add adds o to u.
func (u *RIUsage) Add(o *RIUsage) {
	for _, p := range []struct {
		dst **big.Rat
		x   *big.Rat
	}{
		{&u.PurchasedHours, o.PurchasedHours}, {&u.PurchasedUnits, o.PurchasedUnits},
		{&u.UnusedHours, o.UnusedHours}, {&u.UnusedUnits, o.UnusedUnits},
		{&u.OnDemandCostOfRIHoursUsed, o.OnDemandCostOfRIHoursUsed},
		{&u.AmortizedUpfrontFee, o.AmortizedUpfrontFee}, {&u.AmortizedRecurringFee, o.AmortizedRecurringFee},
		{&u.RICostForUnusedHours, o.RICostForUnusedHours}, {&u.UnrealizedSavings, o.UnrealizedSavings},
	} {
		acc(p.dst, val(p.x))
	}
}

// RIFigures are the ReservationAggregates figures, named as in the API.
type RIFigures struct {
	UtilizationPercentage, UtilizationPercentageInUnits                                          *big.Rat
	PurchasedHours, PurchasedUnits, TotalActualHours, TotalActualUnits, UnusedHours, UnusedUnits *big.Rat
	OnDemandCostOfRIHoursUsed, NetRISavings, TotalPotentialRISavings                             *big.Rat
	AmortizedUpfrontFee, AmortizedRecurringFee, TotalAmortizedFee, RICostForUnusedHours          *big.Rat
	RealizedSavings, UnrealizedSavings                                                           *big.Rat
}

// Figures derives the ReservationAggregates of u (see the package doc).
func (u *RIUsage) Figures() RIFigures {
	f := RIFigures{PurchasedHours: val(u.PurchasedHours), PurchasedUnits: val(u.PurchasedUnits),
		UnusedHours: val(u.UnusedHours), UnusedUnits: val(u.UnusedUnits),
		OnDemandCostOfRIHoursUsed: val(u.OnDemandCostOfRIHoursUsed),
		AmortizedUpfrontFee:       val(u.AmortizedUpfrontFee), AmortizedRecurringFee: val(u.AmortizedRecurringFee),
		RICostForUnusedHours: val(u.RICostForUnusedHours), UnrealizedSavings: val(u.UnrealizedSavings)}
	f.TotalActualHours = sub(f.PurchasedHours, f.UnusedHours)
	f.TotalActualUnits = sub(f.PurchasedUnits, f.UnusedUnits)
	f.UtilizationPercentage = percent(f.TotalActualHours, f.PurchasedHours)
	f.UtilizationPercentageInUnits = percent(f.TotalActualUnits, f.PurchasedUnits)
	f.TotalAmortizedFee = add(f.AmortizedUpfrontFee, f.AmortizedRecurringFee)
	f.NetRISavings = sub(f.OnDemandCostOfRIHoursUsed, f.TotalAmortizedFee)
	f.RealizedSavings = sub(f.OnDemandCostOfRIHoursUsed, sub(f.TotalAmortizedFee, f.RICostForUnusedHours))
	f.TotalPotentialRISavings = add(f.RealizedSavings, f.UnrealizedSavings)
	return f
}

// unrealized sets UnrealizedSavings of one reservation's bucket.
func (u *RIUsage) unrealized() {
	actual := sub(u.PurchasedHours, u.UnusedHours)
	u.UnrealizedSavings = new(big.Rat)
	if actual.Sign() <= 0 {
		return
	}
	rate := new(big.Rat).Quo(val(u.OnDemandCostOfRIHoursUsed), actual)
	u.UnrealizedSavings.Sub(rate.Mul(rate, val(u.UnusedHours)), val(u.RICostForUnusedHours))
}

// Reservation is one reservation's utilization, bucket by bucket.
type Reservation struct {
	Info store.CommitmentInfo
	// Keys are the values of the attribute dimensions the question grouped
	// by, from the reservation's fee line when it has one.
	Keys    []string
	Buckets []RIUsage
}

// Total sums the reservation's buckets.
func (r *Reservation) Total() RIUsage {
	var t RIUsage
	for i := range r.Buckets {
		t.Add(&r.Buckets[i])
	}
	return t
}

// Reservations computes the utilization of every reservation in ans over
// the buckets, ordered by subscription id then ARN. ans must come from a
// store.CommitmentQuery of kind RI over StorePeriod.
func Reservations(ans *store.CommitmentAnswer, bs Buckets) []Reservation {
	infos := mergeInfos(ans)
	byARN := map[string]*Reservation{}
	var order []string
	for i := range ans.Rows {
		row := &ans.Rows[i]
		if row.Commitment < 0 {
			continue
		}
		info := infos[ans.Commitments[row.Commitment].ARN]
		if info.Kind != billing.CommitmentRI {
			continue
		}
		r := byARN[info.ARN]
		if r == nil {
			r = &Reservation{Info: info, Keys: row.Keys, Buckets: make([]RIUsage, len(bs))}
			byARN[info.ARN] = r
			order = append(order, info.ARN)
		}
		switch row.LineItemType {
		case "RIFee":
			r.Keys = row.Keys
			for b, share := range bs.shares(row.Bucket, activePeriod(info)) {
				if share == nil {
					continue
				}
				u := &r.Buckets[b]
				acc(&u.PurchasedHours, sum(row, store.SumRIPurchasedHours, share))
				acc(&u.PurchasedUnits, sum(row, store.SumRIPurchasedUnits, share))
				acc(&u.UnusedHours, sum(row, store.SumRIUnusedQuantity, share))
				acc(&u.UnusedUnits, sum(row, store.SumRIUnusedNormalized, share))
				acc(&u.AmortizedUpfrontFee, sum(row, store.SumRIAmortizedUpfrontFee, share))
				acc(&u.AmortizedRecurringFee, sum(row, store.SumRIRecurringFee, share))
				acc(&u.RICostForUnusedHours, add(sum(row, store.SumRIUnusedUpfront, share), sum(row, store.SumRIUnusedRecurring, share)))
			}
		case "DiscountedUsage":
			if b := bs.index(row.Bucket); b >= 0 {
				acc(&r.Buckets[b].OnDemandCostOfRIHoursUsed, sum(row, store.SumPublicOnDemand, nil))
			}
		}
	}
	out := make([]Reservation, 0, len(order))
	for _, arn := range order {
		r := byARN[arn]
		for b := range r.Buckets {
			r.Buckets[b].unrealized()
		}
		out = append(out, *r)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Info.SubscriptionID != out[j].Info.SubscriptionID {
			return out[i].Info.SubscriptionID < out[j].Info.SubscriptionID
		}
		return out[i].Info.ARN < out[j].Info.ARN
	})
	return out
}

// mergeInfos merges the attribute sets of each ARN: a field is the first
// non-empty value any line gave.
func mergeInfos(ans *store.CommitmentAnswer) map[string]store.CommitmentInfo {
	out := map[string]store.CommitmentInfo{}
	for _, c := range ans.Commitments {
		m := out[c.ARN]
		for _, f := range []struct {
			dst *string
			v   string
		}{
			{&m.Kind, c.Kind}, {&m.ARN, c.ARN}, {&m.SubscriptionID, c.SubscriptionID}, {&m.Start, c.Start}, {&m.End, c.End},
			{&m.NumberOfReservations, c.NumberOfReservations}, {&m.NormalizedUnitsPerReservation, c.NormalizedUnitsPerReservation},
			{&m.LeaseLength, c.LeaseLength}, {&m.PurchaseOption, c.PurchaseOption}, {&m.Class, c.Class},
			{&m.SavingsPlansType, c.SavingsPlansType}, {&m.PaymentOption, c.PaymentOption}, {&m.PurchaseTerm, c.PurchaseTerm},
		} {
			if *f.dst == "" {
				*f.dst = f.v
			}
		}
		out[c.ARN] = m
	}
	return out
}

// activePeriod is when a commitment was active, zero bounds when unknown.
func activePeriod(info store.CommitmentInfo) billing.Period {
	var p billing.Period
	if t, err := time.Parse(time.RFC3339, info.Start); err == nil {
		p.Start = t.UTC()
	}
	if t, err := time.Parse(time.RFC3339, info.End); err == nil {
		p.End = t.UTC()
	}
	return p
}
