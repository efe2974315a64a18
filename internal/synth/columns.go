package synth

// colKind says how a column's value is taken from a line.
type colKind uint8

const (
	kStr colKind = iota
	kTime
	kDbl
	kID       // identity_line_item_id, unique per line
	kInterval // identity_time_interval
	kProduct  // product map
	kTags     // resource_tags map
	kCostCat  // cost_category map
	kTagsAll  // tags map: every tag source under its original key
	kDiscount // discount map
)

// section groups columns that are all null unless the line has a
// reservation or a Savings Plan, so writers can skip them in one step.
type section uint8

const (
	secAlways section = iota
	secRI
	secSP
)

// column is one CUR column: its CUR 2.0 name, legacy category and name, and
// how to read it from a line. Strings, static times and whether a double is
// present depend only on the line's shape; dyn marks the times that change
// from line to line (usage dates).
type column struct {
	name, cat, legacy string
	kind              colKind
	sec               section
	dyn               bool
	str               func(*line) sym
	tm                func(*line) int64
	dbl               func(*line) (float64, bool)
}

func s(name, cat, legacy string, f func(*line) sym) column {
	return column{name: name, cat: cat, legacy: legacy, kind: kStr, str: f}
}

func d(name, cat, legacy string, f func(*line) (float64, bool)) column {
	return column{name: name, cat: cat, legacy: legacy, kind: kDbl, dbl: f}
}

func tcol(name, cat, legacy string, f func(*line) int64) column {
	return column{name: name, cat: cat, legacy: legacy, kind: kTime, tm: f}
}

func dynTime(c column) column { c.dyn = true; return c }

// net applies the EDP discount to an amount of a Reserved Instance or
// Savings Plan column.
func net(v float64) float64 { return round10(v * edpKeep) }

// cur2Columns returns the CUR 2.0 columns in the order of AWS's table
// dictionary (alphabetical within each group).
func (o *org) cur2Columns(m *monthPlan) (cols []column) {
	f := &o.fees
	inv := m.invoice
	attr := func(a int) func(*line) sym {
		return func(l *line) sym {
			if l.sku == nil {
				return 0
			}
			return l.sku.attr[a]
		}
	}
	ri := func(sec section, c column) column { c.sec = sec; return c }
	cols = []column{
		s("bill_bill_type", "bill", "BillType", func(l *line) sym { return l.billType }),
		s("bill_billing_entity", "bill", "BillingEntity", func(*line) sym { return f.billing }),
		tcol("bill_billing_period_end_date", "bill", "BillingPeriodEndDate", func(*line) int64 { return m.end }),
		tcol("bill_billing_period_start_date", "bill", "BillingPeriodStartDate", func(*line) int64 { return m.start }),
		s("bill_invoice_id", "bill", "InvoiceId", func(*line) sym { return inv }),
		s("bill_invoicing_entity", "bill", "InvoicingEntity", func(*line) sym { return f.invoicing }),
		s("bill_payer_account_id", "bill", "PayerAccountId", func(*line) sym { return o.payer.id }),
		s("bill_payer_account_name", "bill", "PayerAccountName", func(*line) sym { return o.payer.name }),
		{name: "cost_category", cat: "costCategory", kind: kCostCat},
		{name: "discount", cat: "discount", kind: kDiscount, dbl: func(l *line) (float64, bool) { return l.discount, discounted(l) }},
		d("discount_bundled_discount", "discount", "BundledDiscount", func(*line) (float64, bool) { return 0, false }),
		d("discount_total_discount", "discount", "TotalDiscount", func(l *line) (float64, bool) { return l.discount, discounted(l) }),
		{name: "identity_line_item_id", cat: "identity", legacy: "LineItemId", kind: kID},
		{name: "identity_time_interval", cat: "identity", legacy: "TimeInterval", kind: kInterval},
		s("line_item_availability_zone", "lineItem", "AvailabilityZone", func(l *line) sym { return l.az }),
		d("line_item_blended_cost", "lineItem", "BlendedCost", func(l *line) (float64, bool) { return l.cost, l.typ != ltEdpDiscount }),
		s("line_item_blended_rate", "lineItem", "BlendedRate", rateOf),
		s("line_item_currency_code", "lineItem", "CurrencyCode", func(*line) sym { return f.usd }),
		s("line_item_legal_entity", "lineItem", "LegalEntity", func(*line) sym { return f.legal }),
		s("line_item_line_item_description", "lineItem", "LineItemDescription", func(l *line) sym { return l.desc }),
		s("line_item_line_item_type", "lineItem", "LineItemType", func(l *line) sym { return o.lineTypeSyms[l.typ] }),
		d("line_item_net_unblended_cost", "lineItem", "NetUnblendedCost", func(l *line) (float64, bool) { return l.net, true }),
		s("line_item_net_unblended_rate", "lineItem", "NetUnblendedRate", func(l *line) sym {
			if l.typ == ltUsage {
				return l.sku.netRateStr
			}
			return rateOf(l)
		}),
		d("line_item_normalization_factor", "lineItem", "NormalizationFactor", func(l *line) (float64, bool) { return l.norm, l.norm != 0 && (isUsage(l) || l.typ == ltRIFee) }),
		d("line_item_normalized_usage_amount", "lineItem", "NormalizedUsageAmount", func(l *line) (float64, bool) {
			return round10(l.norm * l.amount), l.norm != 0 && (isUsage(l) || l.typ == ltRIFee)
		}),
		s("line_item_operation", "lineItem", "Operation", func(l *line) sym { return l.op }),
		s("line_item_product_code", "lineItem", "ProductCode", func(l *line) sym { return l.sku.code }),
		s("line_item_resource_id", "lineItem", "ResourceId", func(l *line) sym {
			if l.res == nil {
				return 0
			}
			return l.res.id
		}),
		s("line_item_tax_type", "lineItem", "TaxType", func(l *line) sym { return l.taxType }),
		d("line_item_unblended_cost", "lineItem", "UnblendedCost", func(l *line) (float64, bool) { return l.cost, true }),
		s("line_item_unblended_rate", "lineItem", "UnblendedRate", rateOf),
		s("line_item_usage_account_id", "lineItem", "UsageAccountId", func(l *line) sym { return l.acct.id }),
		s("line_item_usage_account_name", "lineItem", "UsageAccountName", func(l *line) sym { return l.acct.name }),
		d("line_item_usage_amount", "lineItem", "UsageAmount", func(l *line) (float64, bool) { return l.amount, true }),
		dynTime(tcol("line_item_usage_end_date", "lineItem", "UsageEndDate", func(l *line) int64 { return l.end })),
		dynTime(tcol("line_item_usage_start_date", "lineItem", "UsageStartDate", func(l *line) int64 { return l.start })),
		s("line_item_usage_type", "lineItem", "UsageType", func(l *line) sym { return l.usageType }),
		s("pricing_currency", "pricing", "currency", func(*line) sym { return f.usd }),
		s("pricing_lease_contract_length", "pricing", "LeaseContractLength", func(l *line) sym { return riStr(l, func(r *reservation) sym { return r.lease }) }),
		s("pricing_offering_class", "pricing", "OfferingClass", func(l *line) sym { return riStr(l, func(r *reservation) sym { return r.class }) }),
		d("pricing_public_on_demand_cost", "pricing", "publicOnDemandCost", func(l *line) (float64, bool) { return l.odCost, isUsage(l) }),
		s("pricing_public_on_demand_rate", "pricing", "publicOnDemandRate", func(l *line) sym {
			if l.res == nil {
				return 0
			}
			return l.sku.rateStr
		}),
		s("pricing_purchase_option", "pricing", "PurchaseOption", func(l *line) sym { return riStr(l, func(r *reservation) sym { return r.option }) }),
		s("pricing_rate_code", "pricing", "RateCode", func(l *line) sym { return l.sku.rateCode }),
		s("pricing_rate_id", "pricing", "RateId", func(l *line) sym { return l.sku.rateID }),
		s("pricing_term", "pricing", "term", func(l *line) sym { return o.term(l) }),
		s("pricing_unit", "pricing", "unit", func(l *line) sym { return l.sku.unit }),
		{name: "product", cat: "product", kind: kProduct},
	}
	for a, pa := range productAttrs {
		if pa.static {
			cols = append(cols, s(pa.cur2, "product", pa.legacy, attr(a)))
		}
	}
	r := func(name, legacy string, fn func(*line) (float64, bool)) column {
		return ri(secRI, d(name, "reservation", legacy, fn))
	}
	rs := func(name, legacy string, fn func(*line) sym) column {
		return ri(secRI, s(name, "reservation", legacy, fn))
	}
	cols = append(cols,
		r("reservation_amortized_upfront_cost_for_usage", "AmortizedUpfrontCostForUsage", func(l *line) (float64, bool) { return l.riUpfrontForUsage, l.typ == ltDiscountedUsage }),
		r("reservation_amortized_upfront_fee_for_billing_period", "AmortizedUpfrontFeeForBillingPeriod", func(l *line) (float64, bool) { return l.riUpfrontPeriod, l.typ == ltRIFee }),
		rs("reservation_availability_zone", "AvailabilityZone", func(*line) sym { return 0 }),
		r("reservation_effective_cost", "EffectiveCost", func(l *line) (float64, bool) { return l.riEffective, l.typ == ltDiscountedUsage }),
		rs("reservation_end_time", "EndTime", func(l *line) sym { return l.ri.endStr }),
		rs("reservation_modification_status", "ModificationStatus", func(*line) sym { return o.riOriginal }),
		r("reservation_net_amortized_upfront_cost_for_usage", "NetAmortizedUpfrontCostForUsage", func(l *line) (float64, bool) { return net(l.riUpfrontForUsage), l.typ == ltDiscountedUsage }),
		r("reservation_net_amortized_upfront_fee_for_billing_period", "NetAmortizedUpfrontFeeForBillingPeriod", func(l *line) (float64, bool) { return net(l.riUpfrontPeriod), l.typ == ltRIFee }),
		r("reservation_net_effective_cost", "NetEffectiveCost", func(l *line) (float64, bool) { return net(l.riEffective), l.typ == ltDiscountedUsage }),
		r("reservation_net_recurring_fee_for_usage", "NetRecurringFeeForUsage", func(l *line) (float64, bool) { return net(l.riRecurringForUsage), l.typ == ltDiscountedUsage }),
		r("reservation_net_unused_amortized_upfront_fee_for_billing_period", "NetUnusedAmortizedUpfrontFeeForBillingPeriod", func(l *line) (float64, bool) { return net(l.riUnusedUpfront), l.typ == ltRIFee }),
		r("reservation_net_unused_recurring_fee", "NetUnusedRecurringFee", func(l *line) (float64, bool) { return net(l.riUnusedRecurring), l.typ == ltRIFee }),
		r("reservation_net_upfront_value", "NetUpfrontValue", func(l *line) (float64, bool) { return net(l.ri.upfront), l.typ == ltRIFee || l.typ == ltFee }),
		rs("reservation_normalized_units_per_reservation", "NormalizedUnitsPerReservation", func(l *line) sym { return l.ri.normUnits }),
		rs("reservation_number_of_reservations", "NumberOfReservations", func(l *line) sym { return l.ri.countStr }),
		r("reservation_recurring_fee_for_usage", "RecurringFeeForUsage", func(l *line) (float64, bool) { return l.riRecurringForUsage, l.typ == ltDiscountedUsage }),
		rs("reservation_reservation_a_r_n", "ReservationARN", func(l *line) sym { return l.ri.arn }),
		rs("reservation_start_time", "StartTime", func(l *line) sym { return l.ri.startStr }),
		rs("reservation_subscription_id", "SubscriptionId", func(l *line) sym { return l.ri.subscription }),
		rs("reservation_total_reserved_normalized_units", "TotalReservedNormalizedUnits", func(l *line) sym { return 0 }),
		rs("reservation_total_reserved_units", "TotalReservedUnits", func(l *line) sym { return 0 }),
		rs("reservation_units_per_reservation", "UnitsPerReservation", func(l *line) sym { return 0 }),
		r("reservation_unused_amortized_upfront_fee_for_billing_period", "UnusedAmortizedUpfrontFeeForBillingPeriod", func(l *line) (float64, bool) { return l.riUnusedUpfront, l.typ == ltRIFee }),
		r("reservation_unused_normalized_unit_quantity", "UnusedNormalizedUnitQuantity", func(l *line) (float64, bool) {
			return round10(l.riUnusedQuantity * l.sku.norm), l.typ == ltRIFee
		}),
		r("reservation_unused_quantity", "UnusedQuantity", func(l *line) (float64, bool) { return l.riUnusedQuantity, l.typ == ltRIFee }),
		r("reservation_unused_recurring_fee", "UnusedRecurringFee", func(l *line) (float64, bool) { return l.riUnusedRecurring, l.typ == ltRIFee }),
		r("reservation_upfront_value", "UpfrontValue", func(l *line) (float64, bool) { return l.ri.upfront, l.typ == ltRIFee || l.typ == ltFee }),
		column{name: "resource_tags", cat: "resourceTags", kind: kTags},
	)
	defer func() { cols = append(cols, column{name: "tags", cat: "tags", kind: kTagsAll}) }()
	p := func(name, legacy string, fn func(*line) (float64, bool)) column {
		return ri(secSP, d(name, "savingsPlan", legacy, fn))
	}
	ps := func(name, legacy string, fn func(*line) sym) column {
		return ri(secSP, s(name, "savingsPlan", legacy, fn))
	}
	fee := func(l *line) bool { return l.typ == ltSPRecurringFee }
	cols = append(cols,
		p("savings_plan_amortized_upfront_commitment_for_billing_period", "AmortizedUpfrontCommitmentForBillingPeriod", func(l *line) (float64, bool) { return l.spUpfront, fee(l) }),
		ps("savings_plan_end_time", "EndTime", func(l *line) sym { return l.sp.endStr }),
		ps("savings_plan_instance_type_family", "InstanceTypeFamily", func(l *line) sym { return l.sp.family }),
		p("savings_plan_net_amortized_upfront_commitment_for_billing_period", "NetAmortizedUpfrontCommitmentForBillingPeriod", func(l *line) (float64, bool) { return net(l.spUpfront), fee(l) }),
		p("savings_plan_net_recurring_commitment_for_billing_period", "NetRecurringCommitmentForBillingPeriod", func(l *line) (float64, bool) { return net(l.spRecurr), fee(l) }),
		p("savings_plan_net_savings_plan_effective_cost", "NetSavingsPlanEffectiveCost", func(l *line) (float64, bool) { return net(l.spEffective), l.typ == ltSPCovered }),
		ps("savings_plan_offering_type", "OfferingType", func(l *line) sym { return l.sp.offering }),
		ps("savings_plan_payment_option", "PaymentOption", func(l *line) sym { return l.sp.payment }),
		ps("savings_plan_purchase_term", "PurchaseTerm", func(l *line) sym { return l.sp.term }),
		p("savings_plan_recurring_commitment_for_billing_period", "RecurringCommitmentForBillingPeriod", func(l *line) (float64, bool) { return l.spRecurr, fee(l) }),
		ps("savings_plan_region", "Region", func(l *line) sym { return l.sp.region }),
		ps("savings_plan_savings_plan_a_r_n", "SavingsPlanARN", func(l *line) sym { return l.sp.arn }),
		p("savings_plan_savings_plan_effective_cost", "SavingsPlanEffectiveCost", func(l *line) (float64, bool) { return l.spEffective, l.typ == ltSPCovered }),
		p("savings_plan_savings_plan_rate", "SavingsPlanRate", func(l *line) (float64, bool) { return l.spRate, l.typ == ltSPCovered }),
		ps("savings_plan_start_time", "StartTime", func(l *line) sym { return l.sp.startStr }),
		p("savings_plan_total_commitment_to_date", "TotalCommitmentToDate", func(l *line) (float64, bool) { return l.spTotal, fee(l) }),
		p("savings_plan_used_commitment", "UsedCommitment", func(l *line) (float64, bool) { return l.spUsed, fee(l) }),
	)
	return cols
}

func riStr(l *line, f func(*reservation) sym) sym {
	if l.ri == nil {
		return 0
	}
	return f(l.ri)
}

// term is pricing/term: OnDemand for on-demand usage, Reserved for
// reservation lines, empty for fees, tax and adjustments.
func (o *org) term(l *line) sym {
	switch l.typ {
	case ltUsage, ltSPCovered, ltSPNegation:
		return o.fees.onDemand
	case ltDiscountedUsage, ltRIFee:
		return o.fees.reserved
	}
	return 0
}

// rateOf is the unblended rate of usage lines as the string CUR carries.
func rateOf(l *line) sym {
	switch l.typ {
	case ltUsage, ltSPCovered:
		return l.sku.rateStr
	case ltSPNegation:
		return l.sku.negRateStr
	case ltDiscountedUsage:
		return l.sku.zeroRate
	}
	return 0
}
