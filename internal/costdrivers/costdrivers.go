// Package costdrivers explains the change of a cost between two months as
// a list of drivers, the model behind Cost Explorer's
// GetCostComparisonDrivers. It knows nothing of HTTP or storage and uses
// only the standard library.
//
// # What AWS documents
//
// Cost Comparison "identifies the largest cost drivers driving the cost
// variations between two selected months", "from usage shifts to changes in
// commitment-based discounts like Savings Plans coverage and applied
// credits" (AWS Cost Management User Guide, "Understanding how a cost
// comparison works", ce-understand-cost-comparison.html). The API names
// the drivers in CostDriver.Type (API reference, API_CostDriver.html):
// BUNDLED_DISCOUNT, CREDIT, OUT_OF_CYCLE_CHARGE, REFUND,
// RECURRING_RESERVATION_FEE, RESERVATION_USAGE, RI_VOLUME_DISCOUNT,
// SAVINGS_PLAN_USAGE, SAVINGS_PLAN_RECURRING_FEE, SUPPORT_FEE, TAX,
// UPFRONT_RESERVATION_FEE, USAGE_CHANGE and COMMITMENT; and
// GetCostComparisonDrivers "automatically includes" the SERVICE and
// USAGE_TYPE dimensions. AWS does not publish how it computes each
// driver's impact; the decomposition below is Tally's, chosen so that every
// figure can be recomputed by hand from the bill.
//
// # The decomposition
//
// The caller (package costexplorer) cuts the metric of both months into
// cells of one group, SERVICE, USAGE_TYPE and RECORD_TYPE, and hands the
// cells of one (group, SERVICE, USAGE_TYPE) to Decompose. For each cell,
// with C0, C1 the metric and U0, U1 the usage quantity in the baseline and
// comparison month:
//
//   - RECORD_TYPE Usage (on-demand usage), cost metric, usage in both
//     months: the change splits into a volume effect and a rate effect,
//     the usual price-volume variance split:
//
//     USAGE_CHANGE = (U1 − U0) × r0, where r0 = C0 / U0 (baseline rate)
//     RATE_CHANGE  = (r1 − r0) × U1 = (C1 − C0) − USAGE_CHANGE
//
//     RATE_CHANGE is not among AWS's names (AWS lists none for a price
//     change; tiered prices, blended rates and price changes make one);
//     Tally adds it rather than hide the effect inside USAGE_CHANGE.
//
//   - Usage that is new in the comparison month (U0 = 0) or gone from it
//     (U1 = 0), and any Usage cell of a usage metric (UsageQuantity,
//     NormalizedUsageAmount): the whole change is USAGE_CHANGE.
//
//   - Every other RECORD_TYPE is one driver whose impact is C1 − C0, typed
//     by RecordTypes: DiscountedUsage → RESERVATION_USAGE (Reserved
//     Instance coverage), SavingsPlanCoveredUsage and SavingsPlanNegation
//     → SAVINGS_PLAN_USAGE (Savings Plans coverage), Credit → CREDIT,
//     Refund → REFUND, Tax → TAX, BundledDiscount → BUNDLED_DISCOUNT,
//     Recurring (RIFee) → RECURRING_RESERVATION_FEE, Upfront →
//     UPFRONT_RESERVATION_FEE, Support → SUPPORT_FEE, SavingsPlanRecurringFee
//     → SAVINGS_PLAN_RECURRING_FEE, SavingsPlanUpfrontFee → COMMITMENT,
//     "Other out-of-cycle charges" → OUT_OF_CYCLE_CHARGE, RiVolumeDiscount →
//     RI_VOLUME_DISCOUNT; record types AWS names no driver for (the
//     Enterprise Discount Program and other negotiated discounts) are OTHER.
//
// Amounts are integers of a fixed decimal scale (Tally's 10^-10). The
// volume effect is the only division: it is rounded half away from zero at
// that scale, and the rate effect takes the remainder, so the drivers of a
// cell add up to the cell's change exactly, and those of a group to the
// group's change, to the last digit and so to the cent.
//
// The volume effect of usage whose rate did not change comes out as the
// whole change only up to rounding: usage quantities reach the bill as
// binary fractions, so C1/U1 and C0/U0 differ in their last digits. A rate
// effect smaller than the caller's negligible amount (Tally: half a cent)
// is such noise and is folded into the volume effect.
//
// Each driver carries a waterfall: USAGE_CHANGE goes from C0 to C0 + volume
// and RATE_CHANGE from there to C1, so Comparison − Baseline is the impact
// of every driver. Drivers with no impact are left out.
package costdrivers

import (
	"cmp"
	"math/big"
	"slices"
)

// Driver types: AWS's names (API_CostDriver.html) and Tally's RATE_CHANGE
// and OTHER.
const (
	UsageChange          = "USAGE_CHANGE"
	RateChange           = "RATE_CHANGE"
	ReservationUsage     = "RESERVATION_USAGE"
	SavingsPlanUsage     = "SAVINGS_PLAN_USAGE"
	Credit               = "CREDIT"
	Refund               = "REFUND"
	Tax                  = "TAX"
	BundledDiscount      = "BUNDLED_DISCOUNT"
	RecurringReservation = "RECURRING_RESERVATION_FEE"
	UpfrontReservation   = "UPFRONT_RESERVATION_FEE"
	SupportFee           = "SUPPORT_FEE"
	SavingsPlanRecurring = "SAVINGS_PLAN_RECURRING_FEE"
	Commitment           = "COMMITMENT"
	OutOfCycleCharge     = "OUT_OF_CYCLE_CHARGE"
	RIVolumeDiscount     = "RI_VOLUME_DISCOUNT"
	Other                = "OTHER"
)

// RecordTypes maps Cost Explorer RECORD_TYPE values to their driver type;
// Usage is split by Decompose and absent here.
var RecordTypes = map[string]string{
	"DiscountedUsage":            ReservationUsage,
	"SavingsPlanCoveredUsage":    SavingsPlanUsage,
	"SavingsPlanNegation":        SavingsPlanUsage,
	"Credit":                     Credit,
	"Refund":                     Refund,
	"Tax":                        Tax,
	"BundledDiscount":            BundledDiscount,
	"Recurring":                  RecurringReservation,
	"Upfront":                    UpfrontReservation,
	"Support":                    SupportFee,
	"SavingsPlanRecurringFee":    SavingsPlanRecurring,
	"SavingsPlanUpfrontFee":      Commitment,
	"Other out-of-cycle charges": OutOfCycleCharge,
	"RiVolumeDiscount":           RIVolumeDiscount,
}

// Cell is the metric and usage of one RECORD_TYPE of one usage type in the
// baseline (Base) and comparison (Comp) month. Amounts are integers of a
// fixed decimal scale, the same for all; nil reads as zero.
type Cell struct {
	RecordType string
	UsageType  string
	Base, Comp *big.Int // the metric
	// UsageBase and UsageComp are the usage quantity.
	UsageBase, UsageComp *big.Int
}

// Driver is one cause of a change. Comparison − Baseline = Impact.
type Driver struct {
	Type string
	// Name is the usage type of USAGE_CHANGE and RATE_CHANGE, the
	// RECORD_TYPE of the others.
	Name               string
	Baseline, Compared *big.Int
	Impact             *big.Int
	// Usage says whether UsageBase and UsageComp describe the driver (the
	// usage drivers).
	Usage                bool
	UsageBase, UsageComp *big.Int
}

// Decompose returns the drivers of cells, largest impact first, leaving out
// those without impact. usageMetric says the metric is a usage quantity,
// which has no rate; rate effects smaller in size than negligible (nil:
// none) are folded into the volume effect. The impacts add up to
// Σ(Comp − Base) exactly.
func Decompose(cells []Cell, usageMetric bool, negligible *big.Int) []Driver {
	var out []Driver
	for _, c := range cells {
		c0, c1, u0, u1 := val(c.Base), val(c.Comp), val(c.UsageBase), val(c.UsageComp)
		change := new(big.Int).Sub(c1, c0)
		if c.RecordType != "Usage" {
			t, ok := RecordTypes[c.RecordType]
			if !ok {
				t = Other
			}
			out = append(out, Driver{Type: t, Name: c.RecordType, Baseline: c0, Compared: c1, Impact: change,
				UsageBase: u0, UsageComp: u1})
			continue
		}
		volume := change
		if !usageMetric && u0.Sign() != 0 && u1.Sign() != 0 {
			volume = divRound(new(big.Int).Mul(new(big.Int).Sub(u1, u0), c0), u0)
			if rate := new(big.Int).Sub(change, volume); negligible != nil && rate.CmpAbs(negligible) < 0 {
				volume = change
			}
		}
		mid := new(big.Int).Add(c0, volume)
		out = append(out,
			Driver{Type: UsageChange, Name: c.UsageType, Baseline: c0, Compared: mid, Impact: volume,
				Usage: true, UsageBase: u0, UsageComp: u1},
			Driver{Type: RateChange, Name: c.UsageType, Baseline: mid, Compared: c1, Impact: new(big.Int).Sub(c1, mid)})
	}
	out = slices.DeleteFunc(out, func(d Driver) bool { return d.Impact.Sign() == 0 })
	slices.SortStableFunc(out, func(a, b Driver) int {
		return cmp.Compare(0, new(big.Int).Abs(a.Impact).Cmp(new(big.Int).Abs(b.Impact)))
	})
	return out
}

func val(v *big.Int) *big.Int {
	if v == nil {
		return new(big.Int)
	}
	return v
}

// divRound returns n/d rounded half away from zero; d is not zero.
func divRound(n, d *big.Int) *big.Int {
	q, r := new(big.Int).QuoRem(n, d, new(big.Int))
	if new(big.Int).Mul(new(big.Int).Abs(r), big.NewInt(2)).Cmp(new(big.Int).Abs(d)) >= 0 {
		if (n.Sign() < 0) != (d.Sign() < 0) {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}
