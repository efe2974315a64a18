package synth

// lineType is a CUR line item type.
type lineType uint8

const (
	ltUsage lineType = iota
	ltDiscountedUsage
	ltRIFee
	ltFee
	ltSPCovered
	ltSPNegation
	ltSPRecurringFee
	ltSPUpfrontFee
	ltCredit
	ltRefund
	ltTax
	ltEdpDiscount
	numLineTypes
)

var lineTypeNames = [numLineTypes]string{"Usage", "DiscountedUsage", "RIFee", "Fee", "SavingsPlanCoveredUsage",
	"SavingsPlanNegation", "SavingsPlanRecurringFee", "SavingsPlanUpfrontFee", "Credit", "Refund", "Tax", "EdpDiscount"}

// line is one line item, independent of the export format. Strings are
// syms; money is rounded to ten decimals.
type line struct {
	typ        lineType
	start, end int64 // unix seconds
	acct       *account
	res        *resource // nil for lines without a resource
	sku        *sku      // product; nil only for lines without a product
	usageType  sym
	op         sym
	desc       sym
	az         sym
	billType   sym

	amount, rate, cost, net float64
	odRate, odCost          float64
	norm                    float64

	ri *reservation
	// Reservation columns: effective cost, amortised upfront and recurring
	// fee for usage; for RIFee lines the period totals and unused parts.
	riEffective, riUpfrontForUsage, riRecurringForUsage       float64
	riUpfrontPeriod, riUnusedUpfront, riUnusedRecurring       float64
	riUnusedQuantity, riTotalUnits                            float64
	sp                                                        *savingsPlan
	spEffective, spRate, spTotal, spUsed, spUpfront, spRecurr float64
	discount                                                  float64 // EDP amount on EdpDiscount lines
	taxType                                                   sym
}
