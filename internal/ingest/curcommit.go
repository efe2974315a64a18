package ingest

import "github.com/tallyhq/tally/internal/billing"

// commitment fills li.Commitment from the reservation/* and savingsPlan/*
// columns. Only lines of a commitment and on-demand usage (the base of
// coverage) read them, so other lines cost nothing.
func (m *curMapper) commitment(li *billing.LineItem, riARN string) error {
	sp := li.SavingsPlanARN != ""
	if riARN == "" && !sp && li.LineItemType != "Usage" {
		return nil
	}
	c := &li.Commitment
	var err error
	amt := func(f curField, dst *billing.Amount) {
		if err == nil && m.col[f] >= 0 {
			*dst, err = m.amt(f)
		}
	}
	qty := func(f curField, dst *float64) {
		if err == nil && m.col[f] >= 0 {
			*dst, err = m.qty(f)
		}
	}
	amt(cPublicOnDemandCost, &c.PublicOnDemandCost)
	if riARN != "" {
		c.ReservationARN = riARN
		c.RIStart, c.RIEnd = m.s(cRIStart), m.s(cRIEnd)
		c.NumberOfReservations = m.s(cRINumberOfReservations)
		c.NormalizedUnitsPerReservation = m.s(cRINormalizedUnitsPerReservation)
		c.LeaseLength, c.PurchaseOption, c.OfferingClass = m.s(cLeaseLength), m.s(cPurchaseOption), m.s(cOfferingClass)
		amt(cRIEffectiveCost, &c.RIEffectiveCost)
		amt(cRIAmortizedUpfrontForUsage, &c.RIAmortizedUpfrontForUsage)
		amt(cRIRecurringForUsage, &c.RIRecurringForUsage)
		amt(cRIAmortizedUpfrontFee, &c.RIAmortizedUpfrontFee)
		amt(cRIUnusedAmortizedUpfront, &c.RIUnusedUpfront)
		amt(cRIUnusedRecurringFee, &c.RIUnusedRecurring)
		qty(cRIUnusedQuantity, &c.RIUnusedQuantity)
		qty(cRIUnusedNormalized, &c.RIUnusedNormalized)
		if li.LineItemType == "RIFee" {
			c.RIPurchasedHours, c.RIPurchasedUnits = li.UsageQuantity, li.NormalizedUsage
			c.RIRecurringFee = li.Unblended
		}
	}
	if sp {
		c.SPStart, c.SPEnd, c.PurchaseTerm = m.s(cSPStart), m.s(cSPEnd), m.s(cSPPurchaseTerm)
		amt(cSPEffectiveCost, &c.SPEffectiveCost)
		amt(cSPTotalCommitmentToDate, &c.SPTotalCommitment)
		amt(cSPUsedCommitment, &c.SPUsedCommitment)
		amt(cSPRecurringCommitment, &c.SPRecurringCommitment)
		amt(cSPAmortizedUpfrontCommitment, &c.SPAmortizedUpfront)
	}
	return err
}
