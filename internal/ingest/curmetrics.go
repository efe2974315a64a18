package ingest

import (
	"math/big"
	"strings"

	"github.com/tallyhq/tally/internal/billing"
)

// metrics fills the cost and usage metrics with the per-line formulas of
// data-formats.md §5.
func (m *curMapper) metrics(li *billing.LineItem, riARN string) error {
	var err error
	if li.Unblended, err = m.amt(cUnblendedCost); err != nil {
		return err
	}
	li.Blended = li.Unblended
	if m.col[cBlendedCost] >= 0 {
		if li.Blended, err = m.amt(cBlendedCost); err != nil {
			return err
		}
	}
	if li.NetUnblended, err = m.netAmt(cNetUnblendedCost, cUnblendedCost); err != nil {
		return err
	}
	if li.UsageQuantity, err = m.qty(cUsageAmount); err != nil {
		return err
	}
	if !m.src.blank(m.col[cNormalizedUsageAmount]) {
		if li.NormalizedUsage, err = m.qty(cNormalizedUsageAmount); err != nil {
			return err
		}
	} else if m.col[cNormalizationFactor] >= 0 {
		f, err := m.qty(cNormalizationFactor)
		if err != nil {
			return err
		}
		li.NormalizedUsage = li.UsageQuantity * f
	}
	li.Amortized, li.NetAmortized, err = m.amortized(li, riARN)
	return err
}

// amortized computes AmortizedCost and NetAmortizedCost of one line.
func (m *curMapper) amortized(li *billing.LineItem, riARN string) (gross, net billing.Amount, err error) {
	sum := func(fs ...curField) (billing.Amount, error) {
		var t billing.Amount
		for _, f := range fs {
			a, err := m.amt(f)
			if err != nil {
				return 0, err
			}
			t += a
		}
		return t, nil
	}
	netSum := func(pairs ...[2]curField) (billing.Amount, error) {
		var t billing.Amount
		for _, p := range pairs {
			a, err := m.netAmt(p[0], p[1])
			if err != nil {
				return 0, err
			}
			t += a
		}
		return t, nil
	}
	switch lt := li.LineItemType; {
	case lt == "SavingsPlanCoveredUsage":
		if gross, err = sum(cSPEffectiveCost); err != nil {
			return
		}
		net, err = netSum([2]curField{cSPNetEffectiveCost, cSPEffectiveCost})
	case lt == "SavingsPlanRecurringFee":
		var total, used, upfront, recurring, netUpfront billing.Amount
		if total, err = sum(cSPTotalCommitmentToDate); err != nil {
			return
		}
		if used, err = sum(cSPUsedCommitment); err != nil {
			return
		}
		gross = total - used
		if upfront, err = sum(cSPAmortizedUpfrontCommitment); err != nil {
			return
		}
		if recurring, err = sum(cSPRecurringCommitment); err != nil {
			return
		}
		if netUpfront, err = m.netAmt(cSPNetAmortizedUpfrontCommitment, cSPAmortizedUpfrontCommitment); err != nil {
			return
		}
		unused := upfront + recurring - used
		switch {
		case li.Unblended != 0:
			net = mulDiv(unused, li.NetUnblended, li.Unblended)
		case upfront != 0:
			net = mulDiv(unused, netUpfront, upfront)
		default:
			net = unused
		}
	case lt == "SavingsPlanNegation", lt == "SavingsPlanUpfrontFee":
		return 0, 0, nil
	case lt == "DiscountedUsage":
		if gross, err = sum(cRIEffectiveCost); err != nil {
			return
		}
		net, err = netSum([2]curField{cRINetEffectiveCost, cRIEffectiveCost})
	case lt == "RIFee":
		if gross, err = sum(cRIUnusedAmortizedUpfront, cRIUnusedRecurringFee); err != nil {
			return
		}
		net, err = netSum([2]curField{cRINetUnusedAmortizedUpfront, cRIUnusedAmortizedUpfront},
			[2]curField{cRINetUnusedRecurringFee, cRIUnusedRecurringFee})
	case lt == "Fee" && riARN != "":
		return 0, 0, nil
	case lt == "Refund" && li.ServiceCode == "ComputeSavingsPlans":
		return 0, li.NetUnblended, nil
	case strings.HasSuffix(lt, "Discount"):
		return li.Unblended, 0, nil
	default:
		return li.Unblended, li.NetUnblended, nil
	}
	return gross, net, err
}

// mulDiv returns x·num/den rounded half away from zero, or x when den is
// zero or the result does not fit.
func mulDiv(x, num, den billing.Amount) billing.Amount {
	if den == 0 {
		return x
	}
	p := new(big.Int).Mul(big.NewInt(int64(x)), big.NewInt(int64(num)))
	d := big.NewInt(int64(den))
	neg := (p.Sign() < 0) != (d.Sign() < 0)
	p.Abs(p)
	d.Abs(d)
	q, r := p.QuoRem(p, d, new(big.Int))
	if r.Lsh(r, 1).Cmp(d) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if !q.IsInt64() {
		return x
	}
	if neg {
		return -billing.Amount(q.Int64())
	}
	return billing.Amount(q.Int64())
}
