package store

import (
	"cmp"
	"context"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
)

// CommitmentStore answers Reserved Instance and Savings Plans questions from
// a small rollup of the lines that matter to them: every line of a
// commitment (usage it covered, its fees) and the on-demand usage a
// commitment could have covered (billing.Eligible), summed per day, line
// item type, commitment and dimension values. A backend MUST NOT read line
// items to answer it.
type CommitmentStore interface {
	// Commitments returns the rows of q.Period, one per (bucket, line item
	// type, commitment, eligibility, group keys), in SortCommitments'
	// order; the commitments they name are listed once in the answer.
	Commitments(ctx context.Context, q *CommitmentQuery) (*CommitmentAnswer, error)
}

// CommitmentQuery selects commitment rows.
type CommitmentQuery struct {
	// Period is half-open and whole days. With Monthly, it MUST be whole
	// months and rows are summed per month; otherwise per day.
	Period  billing.Period
	Monthly bool
	// Kinds restricts the commitment lines returned (billing.CommitmentRI,
	// billing.CommitmentSP); Eligible restricts on-demand usage to the
	// billing.Eligible bits given (0: no on-demand usage).
	Kinds    []string
	Eligible uint8
	Scope    query.Scope
	Filter   query.Expr
	// GroupBy lists dimensions whose values each row carries in Keys.
	GroupBy    []billing.Dimension
	Categories query.Categories
	// Sums lists the sums the caller reads; nil means all. A backend MAY
	// leave the others zero.
	Sums []CommitmentSum
}

// CommitmentAnswer holds the rows of a CommitmentQuery and the commitments
// they refer to.
type CommitmentAnswer struct {
	// Commitments are distinct attribute sets of commitments; one
	// commitment (ARN) may appear with several (its fee lines carry its
	// start and end, its usage lines may not).
	Commitments []CommitmentInfo
	Rows        []CommitmentRow
}

// CommitmentInfo is what the bill says about one commitment.
type CommitmentInfo struct {
	Kind string // billing.CommitmentRI or billing.CommitmentSP
	// ARN is the reservation or Savings Plan ARN.
	ARN                                string
	SubscriptionID                     string
	Start, End                         string // as exported
	NumberOfReservations               string
	NormalizedUnitsPerReservation      string
	LeaseLength, PurchaseOption, Class string
	SavingsPlansType, PaymentOption    string
	PurchaseTerm                       string
}

// CommitmentRow is one cell of a CommitmentAnswer. Commitment indexes
// CommitmentAnswer.Commitments, -1 for on-demand usage.
type CommitmentRow struct {
	Bucket       time.Time
	LineItemType string
	Commitment   int
	Eligible     uint8
	Keys         []string
	// Sums holds the sums of the CommitmentSum columns, in 10^-billing.Scale
	// units.
	Sums [NumCommitmentSums]*big.Int
	// Lines counts the line items summed.
	Lines int64
}

// CommitmentSum names one summed column of a CommitmentRow.
type CommitmentSum int

// The sums every CommitmentRow carries; see billing.Commitment for the
// columns they come from.
const (
	SumUsage                 CommitmentSum = iota // lineItem/UsageAmount
	SumNormalized                                 // lineItem/NormalizedUsageAmount
	SumUnblended                                  // lineItem/UnblendedCost
	SumPublicOnDemand                             // pricing/publicOnDemandCost
	SumRIPurchasedHours                           // RIFee usage amount
	SumRIPurchasedUnits                           // RIFee normalized usage amount
	SumRIRecurringFee                             // RIFee unblended cost
	SumRIAmortizedUpfrontFee                      // reservation/AmortizedUpfrontFeeForBillingPeriod
	SumRIEffectiveCost                            // reservation/EffectiveCost
	SumRIUnusedQuantity                           // reservation/UnusedQuantity
	SumRIUnusedNormalized                         // reservation/UnusedNormalizedUnitQuantity
	SumRIUnusedUpfront                            // reservation/UnusedAmortizedUpfrontFeeForBillingPeriod
	SumRIUnusedRecurring                          // reservation/UnusedRecurringFee
	SumSPEffectiveCost                            // savingsPlan/SavingsPlanEffectiveCost
	SumSPTotalCommitment                          // savingsPlan/TotalCommitmentToDate
	SumSPUsedCommitment                           // savingsPlan/UsedCommitment
	SumSPRecurringCommitment                      // savingsPlan/RecurringCommitmentForBillingPeriod
	SumSPAmortizedUpfront                         // savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod
	NumCommitmentSums
)

// SortCommitments puts an answer in the order every backend returns:
// rows by bucket, keys, commitment ARN (on-demand usage first), line item
// type, eligibility, then the rest of the commitment's attributes; and
// Commitments in the order the rows first name them. Callers that merge
// the attribute sets of one ARN (a fee line carries a reservation's start
// and end, its usage lines may not) thus see them in the same order
// whatever order the backend's aggregation produced.
func SortCommitments(ans *CommitmentAnswer) {
	info := func(r *CommitmentRow) CommitmentInfo {
		if r.Commitment < 0 {
			return CommitmentInfo{}
		}
		return ans.Commitments[r.Commitment]
	}
	slices.SortFunc(ans.Rows, func(a, b CommitmentRow) int {
		ia, ib := info(&a), info(&b)
		return cmp.Or(a.Bucket.Compare(b.Bucket), slices.Compare(a.Keys, b.Keys), strings.Compare(ia.ARN, ib.ARN),
			strings.Compare(a.LineItemType, b.LineItemType), cmp.Compare(a.Eligible, b.Eligible), compareInfo(ia, ib))
	})
	var infos []CommitmentInfo
	index := map[int]int{}
	for i := range ans.Rows {
		r := &ans.Rows[i]
		if r.Commitment < 0 {
			continue
		}
		j, ok := index[r.Commitment]
		if !ok {
			j = len(infos)
			index[r.Commitment] = j
			infos = append(infos, ans.Commitments[r.Commitment])
		}
		r.Commitment = j
	}
	ans.Commitments = infos
}

func compareInfo(a, b CommitmentInfo) int {
	return cmp.Or(strings.Compare(a.Kind, b.Kind), strings.Compare(a.ARN, b.ARN), strings.Compare(a.SubscriptionID, b.SubscriptionID),
		strings.Compare(a.Start, b.Start), strings.Compare(a.End, b.End), strings.Compare(a.NumberOfReservations, b.NumberOfReservations),
		strings.Compare(a.NormalizedUnitsPerReservation, b.NormalizedUnitsPerReservation), strings.Compare(a.LeaseLength, b.LeaseLength),
		strings.Compare(a.PurchaseOption, b.PurchaseOption), strings.Compare(a.Class, b.Class),
		strings.Compare(a.SavingsPlansType, b.SavingsPlansType), strings.Compare(a.PaymentOption, b.PaymentOption),
		strings.Compare(a.PurchaseTerm, b.PurchaseTerm))
}
