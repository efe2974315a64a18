package commitments

import (
	"math/big"
	"strings"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/store"
)

// unitsPerOne is 10^billing.Scale: store sums count 10^-Scale units.
var unitsPerOne = new(big.Int).Exp(big.NewInt(10), big.NewInt(billing.Scale), nil)

// sum returns a store sum as a rational, times share when share is not nil.
func sum(r *store.CommitmentRow, s store.CommitmentSum, share *big.Rat) *big.Rat {
	v := new(big.Rat).SetFrac(r.Sums[s], unitsPerOne)
	if share != nil {
		v.Mul(v, share)
	}
	return v
}

// acc adds x to *dst, allocating it.
func acc(dst **big.Rat, x *big.Rat) {
	if *dst == nil {
		*dst = new(big.Rat)
	}
	(*dst).Add(*dst, x)
}

func val(x *big.Rat) *big.Rat {
	if x == nil {
		return new(big.Rat)
	}
	return x
}

func sub(a, b *big.Rat) *big.Rat { return new(big.Rat).Sub(val(a), val(b)) }

func add(a, b *big.Rat) *big.Rat { return new(big.Rat).Add(val(a), val(b)) }

// percent is 100·a/b, 0 when b is 0.
func percent(a, b *big.Rat) *big.Rat {
	if val(b).Sign() == 0 {
		return new(big.Rat)
	}
	r := new(big.Rat).Quo(val(a), b)
	return r.Mul(r, big.NewRat(100, 1))
}

// Format renders a figure as Cost Explorer does: a decimal string, here
// rounded to billing.Scale fractional digits without trailing zeros.
func Format(x *big.Rat) string {
	s := val(x).FloatString(billing.Scale)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// The store sums each computation reads (store.CommitmentQuery.Sums).
var (
	ReservationSums = []store.CommitmentSum{store.SumRIPurchasedHours, store.SumRIPurchasedUnits, store.SumRIUnusedQuantity,
		store.SumRIUnusedNormalized, store.SumRIAmortizedUpfrontFee, store.SumRIRecurringFee, store.SumRIUnusedUpfront,
		store.SumRIUnusedRecurring, store.SumPublicOnDemand}
	SavingsPlanSums = []store.CommitmentSum{store.SumSPTotalCommitment, store.SumSPUsedCommitment,
		store.SumSPRecurringCommitment, store.SumSPAmortizedUpfront, store.SumPublicOnDemand}
	ReservationCoverageSums = []store.CommitmentSum{store.SumUsage, store.SumNormalized, store.SumUnblended}
	SavingsPlanCoverageSums = []store.CommitmentSum{store.SumPublicOnDemand}
)
