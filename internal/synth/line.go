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
//
// Every string a writer takes from a line is a function of the line's shape
// (see shapeOf): lines of one shape differ only in dates, amounts and money,
// which lets writers encode the strings once per shape.
type line struct {
	typ        lineType
	part       uint8 // FOCUS: partUnused marks the unused-commitment row of a fee
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
	// discount is the EDP discount: net minus unblended cost on discounted
	// lines, the period's total on EdpDiscount lines.
	discount float64
	taxType  sym
}

// FOCUS row parts of one line.
const (
	partMain   uint8 = iota
	partUnused       // the unused commitment of an RIFee or SavingsPlanRecurringFee
)

// edpKeep is what remains of a discounted charge after the EDP discount.
const edpKeep = 1 - edpRate

// discounted reports whether the EDP discount applies to a line: usage at
// on-demand rates and the fees of Reserved Instances and Savings Plans. Tax,
// support, credits and refunds are not discounted.
func discounted(l *line) bool {
	switch l.typ {
	case ltUsage, ltRIFee, ltSPRecurringFee, ltSPUpfrontFee:
		return true
	case ltFee:
		return l.ri != nil
	}
	return false
}

// isUsage reports whether a line is usage (on-demand or covered).
func isUsage(l *line) bool {
	return l.typ == ltUsage || l.typ == ltDiscountedUsage || l.typ == ltSPCovered || l.typ == ltSPNegation
}

// shape identifies lines that share every string column: the usage lines
// of one resource with one line type and commitment, or the month-level
// lines of one account, product and type.
type shape struct {
	res  *resource
	sku  *sku
	acct *account
	ri   *reservation
	sp   *savingsPlan
	typ  lineType
	part uint8
}

func shapeOf(l *line) shape {
	return shape{res: l.res, sku: l.sku, acct: l.acct, ri: l.ri, sp: l.sp, typ: l.typ, part: l.part}
}
