package synth

import "strings"

// focusCategory is a line's ChargeCategory.
func focusCategory(l *line) string {
	if l.part == partUnused {
		return "Usage"
	}
	switch l.typ {
	case ltRIFee, ltFee, ltSPRecurringFee, ltSPUpfrontFee:
		return "Purchase"
	case ltCredit:
		return "Credit"
	case ltRefund:
		return "Adjustment"
	case ltTax:
		return "Tax"
	}
	return "Usage"
}

func focusFrequency(l *line) string {
	switch focusCategory(l) {
	case "Usage":
		return "Usage-Based"
	case "Purchase":
		if l.typ == ltRIFee || l.typ == ltSPRecurringFee || l.ri == nil && l.sp == nil {
			return "Recurring"
		}
	}
	return "One-Time"
}

// focusStatus is CommitmentDiscountStatus: set on usage rows of a
// commitment only.
func focusStatus(l *line) string {
	switch {
	case l.part == partUnused:
		return "Unused"
	case l.typ == ltDiscountedUsage || l.typ == ltSPCovered:
		return "Used"
	}
	return ""
}

// focusUsageRow reports whether a row is usage of a resource (on demand or
// covered), the rows with consumed quantities and list prices.
func focusUsageRow(l *line) bool {
	return l.part == partMain && (l.typ == ltUsage || l.typ == ltDiscountedUsage || l.typ == ltSPCovered)
}

// focusBilled is BilledCost: the net (EDP-discounted) unblended cost.
// Covered usage and unused-commitment rows are billed through the fees.
func focusBilled(l *line) float64 {
	if l.part == partUnused || l.typ == ltSPCovered {
		return 0
	}
	return l.net
}

// focusEffective is EffectiveCost: the net amortised cost, the same per-line
// formula as CUR's NetAmortizedCost.
func focusEffective(l *line) float64 {
	if l.part == partUnused {
		if l.typ == ltRIFee {
			return round10(net(l.riUnusedUpfront) + net(l.riUnusedRecurring))
		}
		return net(l.spUpfront + l.spRecurr - l.spUsed)
	}
	switch l.typ {
	case ltDiscountedUsage:
		return net(l.riEffective)
	case ltSPCovered:
		return net(l.spEffective)
	case ltRIFee, ltSPRecurringFee, ltSPUpfrontFee:
		return 0
	case ltFee:
		if l.ri != nil {
			return 0
		}
	}
	return l.net
}

func focusList(l *line) float64 {
	switch {
	case l.part == partUnused:
		return 0
	case focusUsageRow(l):
		return l.odCost
	}
	return l.cost
}

func focusContracted(l *line) float64 {
	switch {
	case l.part == partUnused:
		return 0
	case focusUsageRow(l):
		return net(l.odCost)
	}
	return l.net
}

func focusPricingQuantity(l *line) float64 {
	if l.part == partUnused {
		return focusUnused(l)
	}
	return l.amount
}

func focusCommitmentQuantity(l *line) float64 {
	switch {
	case l.part == partUnused:
		return focusUnused(l)
	case l.typ == ltSPCovered:
		return l.spEffective
	case l.typ == ltSPRecurringFee:
		return l.spTotal
	}
	return l.amount
}

func focusPricingCategory(l *line) string {
	switch {
	case l.ri != nil || l.sp != nil && l.typ != ltSPUpfrontFee && l.typ != ltSPRecurringFee || l.part == partUnused:
		if focusCategory(l) == "Usage" {
			return "Committed"
		}
		return "Standard"
	case l.typ == ltUsage && strings.HasPrefix(l.sku.off.usage, "SpotUsage"):
		return "Dynamic"
	}
	switch focusCategory(l) {
	case "Usage", "Purchase":
		return "Standard"
	}
	return ""
}
