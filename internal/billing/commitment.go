package billing

import "strings"

// Commitment carries the reservation/* and savingsPlan/* figures of a line
// (CUR, CUR 2.0) or what FOCUS says about a commitment discount. Lines that
// touch no commitment leave it zero. Quantities are hours or normalized
// units; money uses the line's currency.
type Commitment struct {
	// ReservationARN is reservation/ReservationARN (FOCUS: the
	// CommitmentDiscountId of a Reserved Instance).
	ReservationARN string
	// RIStart and RIEnd are reservation/StartTime and EndTime as exported
	// (RFC 3339 strings; empty on lines that do not carry them).
	RIStart, RIEnd string
	// NumberOfReservations and NormalizedUnitsPerReservation are the
	// reservation's size as exported (strings in CUR 2.0).
	NumberOfReservations, NormalizedUnitsPerReservation string
	// LeaseLength, PurchaseOption and OfferingClass are
	// pricing/LeaseContractLength, PurchaseOption and OfferingClass.
	LeaseLength, PurchaseOption, OfferingClass string

	// RIPurchasedHours and RIPurchasedUnits are the reservation hours (and
	// normalized units) a fee line bills: lineItem/UsageAmount and
	// NormalizedUsageAmount of an RIFee line (FOCUS: the quantity of the
	// recurring Purchase row).
	RIPurchasedHours, RIPurchasedUnits float64
	// RIRecurringFee is the recurring fee a fee line bills
	// (lineItem/UnblendedCost of RIFee; FOCUS: BilledCost of the recurring
	// Purchase row).
	RIRecurringFee Amount

	RIEffectiveCost            Amount // reservation/EffectiveCost (DiscountedUsage)
	RIAmortizedUpfrontForUsage Amount // reservation/AmortizedUpfrontCostForUsage
	RIRecurringForUsage        Amount // reservation/RecurringFeeForUsage
	// RIAmortizedUpfrontFee is
	// reservation/AmortizedUpfrontFeeForBillingPeriod (RIFee lines).
	RIAmortizedUpfrontFee Amount
	RIUnusedUpfront       Amount  // reservation/UnusedAmortizedUpfrontFeeForBillingPeriod
	RIUnusedRecurring     Amount  // reservation/UnusedRecurringFee
	RIUnusedQuantity      float64 // reservation/UnusedQuantity (hours)
	RIUnusedNormalized    float64 // reservation/UnusedNormalizedUnitQuantity

	// SPStart and SPEnd are savingsPlan/StartTime and EndTime as exported.
	SPStart, SPEnd string
	// PurchaseTerm is savingsPlan/PurchaseTerm (1yr, 3yr).
	PurchaseTerm string

	SPEffectiveCost       Amount // savingsPlan/SavingsPlanEffectiveCost
	SPTotalCommitment     Amount // savingsPlan/TotalCommitmentToDate
	SPUsedCommitment      Amount // savingsPlan/UsedCommitment
	SPRecurringCommitment Amount // savingsPlan/RecurringCommitmentForBillingPeriod
	SPAmortizedUpfront    Amount // savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod

	// PublicOnDemandCost is pricing/publicOnDemandCost (FOCUS ListCost of
	// usage rows): what the usage would have cost at public on-demand rates.
	PublicOnDemandCost Amount
}

// Kind of commitment a line belongs to, "" for none.
const (
	CommitmentRI = "RI"
	CommitmentSP = "SP"
)

// CommitmentKind returns CommitmentRI for a line of a Reserved Instance,
// CommitmentSP for a line of a Savings Plan and "" otherwise. It reads
// lines before or after SpellAsCostExplorer.
func CommitmentKind(li *LineItem) string {
	switch {
	case li.SavingsPlanARN != "" && !IsNoValue(DimSavingsPlanARN, li.SavingsPlanARN):
		return CommitmentSP
	case li.Commitment.ReservationARN != "":
		return CommitmentRI
	}
	return ""
}

// Eligibility bits of an on-demand usage line: the commitments that could
// have covered it (see Eligible).
const (
	EligibleRI = 1 << iota
	EligibleSP
)

// eligibleUsage lists, per product code, the usage type fragments of
// instance usage that Reserved Instances (ri) and Savings Plans (sp) can
// cover. Sources: the services the GetReservationCoverage documentation
// names (EC2, ElastiCache, RDS, Redshift, OpenSearch, MemoryDB) and the
// Savings Plans user guide (Compute: EC2 instances, Fargate, Lambda
// duration; SageMaker for SageMaker Savings Plans).
var eligibleUsage = []struct {
	code      string
	fragments []string
	ri, sp    bool
}{
	{"AmazonEC2", []string{"BoxUsage", "DedicatedUsage", "HostUsage", "HostBoxUsage", "ReservedHostUsage"}, true, true},
	{"AmazonRDS", []string{"InstanceUsage", "Multi-AZUsage", "MirrorUsage"}, true, false},
	{"AmazonElastiCache", []string{"NodeUsage"}, true, false},
	{"AmazonMemoryDB", []string{"NodeUsage"}, true, false},
	{"AmazonRedshift", []string{"Node:"}, true, false},
	{"AmazonES", []string{"ESInstance"}, true, false},
	{"AmazonOpenSearchService", []string{"ESInstance"}, true, false},
	{"AmazonECS", []string{"Fargate"}, false, true},
	{"AmazonEKS", []string{"Fargate"}, false, true},
	{"AWSLambda", []string{"Lambda-GB-Second", "Lambda-Provisioned"}, false, true},
	{"AmazonSageMaker", []string{"ml."}, false, true},
}

// Eligible returns the EligibleRI/EligibleSP bits of an on-demand Usage
// line: the commitments coverage reports count it against. Lines of other
// types (already covered, fees, spot) are not eligible.
func Eligible(li *LineItem) uint8 {
	if li.LineItemType != "Usage" || strings.Contains(li.UsageType, "SpotUsage") {
		return 0
	}
	var bits uint8
	for _, e := range eligibleUsage {
		if e.code != li.ServiceCode {
			continue
		}
		for _, f := range e.fragments {
			if strings.Contains(li.UsageType, f) {
				if e.ri {
					bits |= EligibleRI
				}
				if e.sp {
					bits |= EligibleSP
				}
			}
		}
	}
	return bits
}
