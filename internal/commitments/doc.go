// Package commitments computes Reserved Instance (RI) and Savings Plans (SP)
// utilization and coverage from the commitment rollup of a store
// (store.CommitmentStore). It is the one implementation behind Cost
// Explorer's GetReservationUtilization, GetReservationCoverage,
// GetSavingsPlansUtilization, GetSavingsPlansUtilizationDetails and
// GetSavingsPlansCoverage, and behind the RI_UTILIZATION, RI_COVERAGE,
// SAVINGS_PLANS_UTILIZATION and SAVINGS_PLANS_COVERAGE budgets.
//
// All figures are exact rationals of the bill's decimal columns.
//
// # Sources
//
//   - [API] AWS Billing and Cost Management API Reference: ReservationAggregates,
//     Coverage (CoverageHours, CoverageNormalizedUnits, CoverageCost),
//     SavingsPlansUtilization, SavingsPlansSavings,
//     SavingsPlansAmortizedCommitment, SavingsPlansCoverageData.
//   - [CUR] AWS Cost and Usage Report data dictionary, reservation/* and
//     savingsPlan/* columns (RIFee lines bill a reservation's hours of the
//     month; DiscountedUsage lines are usage it covered).
//   - [WAL] AWS Well-Architected Labs CUR query library (the Cloud
//     Intelligence Dashboards' queries): compute/ec2riutilization.sql,
//     compute/ec2ricoverage.sql (reservation hours used and unused from
//     lineItem/UsageAmount and reservation/UnusedQuantity; on-demand hours
//     from Usage lines).
//   - [SPG] Savings Plans user guide, "Using your coverage report": coverage
//     = on-demand equivalent of covered usage ÷ (that + eligible spend billed
//     at on-demand rates).
//
// # Reserved Instance utilization (per reservation, summed over reservations)
//
// A reservation's RIFee line bills one billing month. Its month-level
// figures are spread over the hours the reservation was active in that month
// (reservation/StartTime..EndTime, the whole month when the bill does not say):
// a time bucket gets the share of those hours it holds. With MONTHLY
// granularity over whole months the share is 1. Write share·Σ for that.
//
//	PurchasedHours            = share·Σ RIFee lineItem/UsageAmount                       [CUR, WAL]
//	PurchasedUnits            = share·Σ RIFee lineItem/NormalizedUsageAmount              [CUR]
//	UnusedHours               = share·Σ RIFee reservation/UnusedQuantity                  [CUR, WAL]
//	UnusedUnits               = share·Σ RIFee reservation/UnusedNormalizedUnitQuantity    [CUR, WAL]
//	TotalActualHours          = PurchasedHours − UnusedHours                              [API]
//	TotalActualUnits          = PurchasedUnits − UnusedUnits
//	UtilizationPercentage     = 100 · TotalActualHours / PurchasedHours                   [API]
//	UtilizationPercentageInUnits = 100 · TotalActualUnits / PurchasedUnits
//	OnDemandCostOfRIHoursUsed = Σ DiscountedUsage pricing/publicOnDemandCost (in bucket)  [API, CUR]
//	AmortizedUpfrontFee       = share·Σ RIFee reservation/AmortizedUpfrontFeeForBillingPeriod [CUR]
//	AmortizedRecurringFee     = share·Σ RIFee lineItem/UnblendedCost                     [CUR]
//	TotalAmortizedFee         = AmortizedUpfrontFee + AmortizedRecurringFee               [API]
//	RICostForUnusedHours      = share·Σ RIFee (reservation/UnusedAmortizedUpfrontFeeForBillingPeriod
//	                            + reservation/UnusedRecurringFee)                         [CUR]
//	NetRISavings              = OnDemandCostOfRIHoursUsed − TotalAmortizedFee             [API]
//	RealizedSavings           = OnDemandCostOfRIHoursUsed − (TotalAmortizedFee − RICostForUnusedHours)
//	UnrealizedSavings         = rate·UnusedHours − RICostForUnusedHours, where rate =
//	                            OnDemandCostOfRIHoursUsed / TotalActualHours (0 when no
//	                            hour was used: the bill gives no on-demand rate then)
//	TotalPotentialRISavings   = RealizedSavings + UnrealizedSavings
//
// so NetRISavings = RealizedSavings − RICostForUnusedHours, as the API
// defines it. Percentages of a reservation with no purchased hours are 0.
// FOCUS carries a reservation's recurring fee (BilledCost of its recurring
// Purchase row) but not the amortised upfront part: from FOCUS,
// AmortizedUpfrontFee is 0 and units are 0.
//
// # Reserved Instance coverage (per time bucket and group)
//
//	ReservedHours        = Σ DiscountedUsage lineItem/UsageAmount                         [WAL]
//	OnDemandHours        = Σ Usage lineItem/UsageAmount of RI-eligible usage (billing.Eligible)
//	TotalRunningHours    = ReservedHours + OnDemandHours                                   [API]
//	CoverageHoursPercentage = 100 · ReservedHours / TotalRunningHours
//	(Reserved|OnDemand|TotalRunning)NormalizedUnits and their percentage: the same over
//	lineItem/NormalizedUsageAmount
//	OnDemandCost         = Σ Usage lineItem/UnblendedCost of RI-eligible usage
//
// Usage a Savings Plan covered is neither reserved nor on-demand hours here.
//
// # Savings Plans utilization (per plan, summed over plans)
//
//	TotalCommitment      = Σ SavingsPlanRecurringFee savingsPlan/TotalCommitmentToDate     [CUR]
//	UsedCommitment       = Σ SavingsPlanRecurringFee savingsPlan/UsedCommitment            [CUR]
//	UnusedCommitment     = TotalCommitment − UsedCommitment                               [API]
//	UtilizationPercentage = 100 · UsedCommitment / TotalCommitment                        [API]
//	OnDemandCostEquivalent = Σ SavingsPlanCoveredUsage pricing/publicOnDemandCost (covered
//	                       usage at public on-demand rates; FOCUS: ListCost)              [API, CUR]
//	NetSavings           = OnDemandCostEquivalent − TotalCommitment
//	AmortizedRecurringCommitment = Σ savingsPlan/RecurringCommitmentForBillingPeriod       [CUR]
//	AmortizedUpfrontCommitment   = Σ savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod [CUR]
//	TotalAmortizedCommitment     = AmortizedRecurringCommitment + AmortizedUpfrontCommitment
//
// The recurring fee lines are hourly, so buckets need no spreading. From
// FOCUS, TotalCommitment is the CommitmentDiscountQuantity of the plan's
// recurring Purchase rows and UnusedCommitment that of its Unused rows.
//
// # Savings Plans coverage (per time bucket and group)
//
//	SpendCoveredBySavingsPlans = Σ SavingsPlanCoveredUsage pricing/publicOnDemandCost     [SPG]
//	OnDemandCost         = Σ Usage pricing/publicOnDemandCost of SP-eligible usage         [API, SPG]
//	TotalCost            = SpendCoveredBySavingsPlans + OnDemandCost
//	CoveragePercentage   = 100 · SpendCoveredBySavingsPlans / TotalCost                   [API, SPG]
//
// Both sums are at public on-demand rates, as the API defines OnDemandCost
// ("the cost of your usage at the public On-Demand rate") and the guide
// coverage (the on-demand equivalent on both sides). FOCUS: ListCost. A CUR
// without pricing/publicOnDemandCost yields 0.
//
// # Requests
//
// DAILY and MONTHLY buckets are cut at day and month boundaries and clipped
// to the period. Without Granularity (allowed with GroupBy) one bucket spans
// the period. AWS says Granularity cannot be set with GroupBy; Tally accepts
// both (a DAILY coverage grouped by SERVICE is a common question).
// GetReservationUtilization filters SERVICE to "Amazon Elastic Compute
// Cloud - Compute" unless the filter names SERVICE, as the model documents.
package commitments
