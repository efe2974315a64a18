package ingest

import "github.com/tallyhq/tally/internal/billing"

// commitment fills li.Commitment from what FOCUS says about commitment
// discounts. FOCUS has no reservation/* or savingsPlan/* columns; it has the
// commitment's id, the status of a usage row (Used, Unused), its
// CommitmentDiscountQuantity (hours for Reserved Instances, money for
// Savings Plans) and ListCost (the public on-demand cost). So:
//
//   - a Reserved Instance's recurring Purchase row carries the purchased
//     hours and the recurring fee; its Unused row the unused hours and
//     their cost (EffectiveCost); its Used rows the effective cost;
//   - a Savings Plan's recurring Purchase row carries the commitment
//     (TotalCommitmentToDate) and its Unused row the part not used, so the
//     used commitment is the first minus the second.
//
// The split of a reservation's fee into amortised upfront and recurring
// parts, start and end times, counts and terms are not in FOCUS.
func (m *focusMapper) commitment(li *billing.LineItem, kind string) error {
	if kind == "" && li.LineItemType != "Usage" {
		return nil
	}
	c := &li.Commitment
	num := func(f focusField) (billing.Amount, error) {
		if m.col[f] < 0 {
			return 0, nil
		}
		return m.amt(f)
	}
	list, err := num(fListCost)
	if err != nil {
		return err
	}
	quantity, err := num(fCommitmentDiscountQuantity)
	if err != nil {
		return err
	}
	hours, err := m.src.quantity(m.col[fCommitmentDiscountQuantity])
	if err != nil {
		return &fieldError{m.names[fCommitmentDiscountQuantity], err}
	}
	unused := m.s(fCommitmentDiscountStatus) == "Unused"
	switch li.LineItemType {
	case "Usage", "DiscountedUsage", "SavingsPlanCoveredUsage":
		c.PublicOnDemandCost = list
	}
	switch {
	case li.LineItemType == "DiscountedUsage":
		c.RIEffectiveCost = li.Amortized
	case li.LineItemType == "RIFee" && unused:
		c.RIUnusedQuantity, c.RIUnusedRecurring = hours, li.Amortized
	case li.LineItemType == "RIFee":
		c.RIPurchasedHours, c.RIRecurringFee = hours, li.Unblended
	case li.LineItemType == "SavingsPlanCoveredUsage":
		c.SPEffectiveCost = li.Amortized
	case li.LineItemType == "SavingsPlanRecurringFee" && unused:
		c.SPUsedCommitment = -quantity
	case li.LineItemType == "SavingsPlanRecurringFee":
		c.SPTotalCommitment, c.SPUsedCommitment = quantity, quantity
		c.SPRecurringCommitment = li.Unblended
	}
	return nil
}
