// Package recommend chooses commitments (Reserved Instances and Savings
// Plans) from an hourly usage history and prices them with rates taken from
// the bill itself. It is the model behind Cost Explorer's
// GetReservationPurchaseRecommendation and
// GetSavingsPlansPurchaseRecommendation and behind `tally backtest`. It
// imports only the standard library: the caller reads the history and the
// rates from the store.
//
// # Sources of every price
//
// Tally has no price list; every rate is one the bill has charged:
//
//   - On-demand rate of an instance (per instance-hour) =
//     Σ UnblendedCost / Σ UsageQuantity of the on-demand Usage lines of that
//     instance type, region, platform and tenancy in the look-back.
//   - Effective Reserved Instance rate (per instance-hour) =
//     Σ AmortizedCost / Σ UsageQuantity of the DiscountedUsage lines of the
//     same instance type, region, platform and tenancy, offering class
//     (PURCHASE_TYPE Standard or Convertible) and payment option, over the
//     whole stored history. AmortizedCost of a DiscountedUsage line is its
//     reservation/EffectiveCost (amortized upfront + recurring fee for the
//     hour), reference/data-formats.md §5.
//   - Recurring share of that rate = Σ UnblendedCost of the RIFee
//     (RECORD_TYPE Recurring) lines / Σ (AmortizedCost of the DiscountedUsage
//     lines + AmortizedCost of the RIFee lines) of the same reservations: the
//     RIFee line bills the whole month's recurring fee while the two
//     amortized figures together are the whole month's effective cost (used
//     and unused hours). The upfront share is the rest.
//   - Savings Plans discount d = 1 − Σ AmortizedCost / Σ UnblendedCost of
//     the SavingsPlanCoveredUsage lines of that Savings Plans type and
//     payment option: UnblendedCost of such a line is the on-demand cost of
//     the usage and AmortizedCost its SavingsPlanEffectiveCost.
//
// A rate the bill has never seen (an instance with no DiscountedUsage for
// the asked offering class and payment option, a Savings Plans type or
// payment option no line was covered by) gives no recommendation: the
// operation says so in its metadata instead of inventing a price. The store
// keeps no lease length, so an observed rate is used for the term asked;
// the metadata says that too. Only the upfront cost depends on the term
// (upfront per hour × the term's hours).
//
// # Services
//
// GetReservationPurchaseRecommendation answers for every service whose
// reservations the API models (InstanceDetails), all through the one model
// below; a small table in internal/costexplorer (riServices) says per
// service which usage a reservation covers and which dimensions besides
// INSTANCE_TYPE and REGION tell its reservations apart:
//
//	SERVICE                                 USAGE_TYPE contains          attributes                          InstanceDetails member
//	Amazon Elastic Compute Cloud - Compute  BoxUsage, DedicatedUsage     PLATFORM, TENANCY                   EC2InstanceDetails
//	Amazon Relational Database Service      InstanceUsage, Multi-AZUsage DATABASE_ENGINE, DEPLOYMENT_OPTION  RDSInstanceDetails
//	Amazon ElastiCache                      NodeUsage                    CACHE_ENGINE                        ElastiCacheInstanceDetails
//	Amazon OpenSearch Service (or Amazon    ESInstance                   -                                   ESInstanceDetails
//	  Elasticsearch Service)
//	Amazon Redshift                         Node:                        -                                   RedshiftInstanceDetails
//	Amazon MemoryDB                         NodeUsage                    -                                   MemoryDBInstanceDetails
//
// The SERVICE names are Cost Explorer's (GetReservationPurchaseRecommendation
// and GetReservationCoverage in the API Reference); the InstanceDetails
// members are the model's. Everything below applies to each service with
// "instance" read as instance or node, and "platform and tenancy" as the
// service's attributes: the on-demand rate comes from its on-demand usage,
// the reservation rate only from DiscountedUsage and RIFee lines of the same
// service, type, region and attributes, so a service the organisation never
// reserved gives no recommendation and the metadata names what was left
// out. Only EC2 has a convertible offering class; Savings Plans cover EC2
// instances only, so their slack (Expiring commitments) absorbs returning
// EC2 usage alone. Not modelled: size flexibility (RDS, ElastiCache and
// others reserve per instance type here, like EC2), RDS license model and
// edition (not Cost Explorer dimensions).
//
// # Reserved Instances
//
// For one instance (type, region, platform, tenancy and, for AccountScope
// LINKED, account) with hourly on-demand usage u_h (instance-hours in hour h)
// over H hours, on-demand rate p and effective RI rate e, buying n
// instances saves, over the look-back,
//
//	S(n) = p · Σ_h min(u_h, n) − e · n · H
//
// Tally recommends the n ≥ 0 with the largest S(n) (the smallest such n on a
// tie, none when the best S is not positive); S is concave in n, so the
// optimum is where the share of hours with u_h ≥ n falls below e / p
// (the break-even utilisation). AWS documents the figures reported beside it
// (API_ReservationPurchaseRecommendationDetail):
//
//	Average/Maximum/MinimumNumberOfInstancesUsedPerHour = mean/max/min of u_h
//	AverageUtilization = 100 · Σ_h min(u_h, n) / (n · H)
//	EstimatedMonthlyOnDemandCost = p · Σ_h u_h · 730 / H
//	EstimatedMonthlySavingsAmount = S(n) · 730 / H
//	EstimatedMonthlySavingsPercentage = 100 · savings / on-demand cost
//	EstimatedReservationCostForLookbackPeriod = e · n · H + p · Σ_h max(u_h − n, 0)
//	UpfrontCost = n · (e − r) · term hours (r = recurring rate per hour)
//	RecurringStandardMonthlyCost = n · r · 730
//	EstimatedBreakEvenInMonths = UpfrontCost / (monthly on-demand cost
//	    avoided − RecurringStandardMonthlyCost), 0 without upfront
//
// 730 is the hours of AWS's average month.
//
// # Savings Plans
//
// For an hourly on-demand spend s_h of the eligible usage (EC2 instance
// hours bought on demand) and a discount d, a commitment of c per hour
// covers on-demand spend up to k = c / (1 − d) each hour, so it saves
//
//	S(c) = Σ_h min(s_h, k) − c · H
//
// S is concave and piecewise linear in k, so its maximum is at one of the
// observed s_h: Tally takes the best of them, rounds c down to the cent
// thousandth and recommends nothing when S ≤ 0. The reported figures follow
// AWS's definitions (API_SavingsPlansPurchaseRecommendationDetail):
//
//	HourlyCommitmentToPurchase = c
//	EstimatedSPCost = c · H (over the look-back)
//	EstimatedOnDemandCost = Σ_h max(s_h − k, 0) (left on demand)
//	EstimatedSavingsAmount = S(c)
//	EstimatedSavingsPercentage = 100 · S(c) / Σ_h s_h
//	EstimatedROI = 100 · S(c) / EstimatedSPCost
//	EstimatedAverageUtilization = 100 · Σ_h min(s_h, k) · (1 − d) / (c · H)
//	EstimatedMonthlySavingsAmount = S(c) · 730 / H
//	Current{Average,Maximum,Minimum}HourlyOnDemandSpend = mean/max/min of s_h
//	UpfrontCost = c · term hours × the upfront share of the payment option
//	    (1 for ALL_UPFRONT, 0 for NO_UPFRONT, the observed share for PARTIAL)
//
// # Commitment purchase analyses
//
// StartCommitmentPurchaseAnalysis simulates Savings Plans over a look-back
// hour by hour, with s_h the on-demand spend of EC2 instance usage (plus the
// on-demand cost of what the plans in SavingsPlansToExclude covered, which
// goes back on demand) and v_h the on-demand cost of what the remaining
// existing plans covered (the UnblendedCost of their SavingsPlanCoveredUsage
// lines):
//
//	CurrentAverageCoverage = 100 · Σ v_h / Σ (v_h + s_h)
//	EstimatedAverageCoverage = 100 · (Σ v_h + Σ min(s_h, k)) / Σ (v_h + s_h)
//	ExistingHourlyCommitment = Σ AmortizedCost of the plans' covered-usage
//	    and recurring-fee lines / hours (used plus unused commitment)
//
// MAX_SAVINGS buys the c with the largest S(c) over the whole look-back
// (BestCommitment); CUSTOM_COMMITMENT buys the plans given (several plans
// act as one whose discount is their commitment-weighted discount);
// TARGET_AVERAGE_COVERAGE buys the smallest c, to the thousandth, whose
// EstimatedAverageCoverage reaches the target. Coverage is spend-weighted,
// as GetSavingsPlansCoverage's CoveragePercentage is.
//
// # Sources
//
// AWS Billing and Cost Management API Reference, the shapes
// ReservationPurchaseRecommendationDetail, SavingsPlansPurchaseRecommendationDetail,
// SavingsPlansPurchaseRecommendationSummary (EstimatedSavingsPercentage =
// EstimatedSavingsAmount / CurrentOnDemandSpend · 100, EstimatedROI =
// EstimatedSavingsAmount / EstimatedSPCost · 100) and
// SavingsPlansPurchaseAnalysisDetails
// (https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/);
// the CUR columns behind AmortizedCost are those of
// ../shared/reference/data-formats.md §5.
//
// # Recency
//
// A look-back longer than a week (THIRTY_DAYS, SIXTY_DAYS) chooses n and c
// on its last 7 days (RecentHours) and reports every figure above (usage,
// utilisation, savings) over the whole look-back at that choice. The
// backtest chose this rule: over the synthetic organisation and the
// Workshop CUR it realised more of the hindsight optimum than choosing on the
// whole look-back or on the smaller of the two, because fleets change in
// steps (instances stopped, commitments bought) and the last week is the best
// guess of the next month; see `make backtest` and the note of issue 13.
//
// # New steady usage (Reserved Instances)
//
// A level of usage m (m instances at once) that the last week reached for
// the first time at some hour t0 and has held every hour since, for at least
// SteadyHours (12: longer than a working day's job), is an instance launched
// to stay: its share of the last week (hours since t0 / 168) says nothing of
// the month to come, in which it runs every hour. The count is raised to the
// highest such m (n = max(n, m)) when the reservation is cheaper than on
// demand (e < p). A level also reached earlier in the week (a daily peak) is
// not new and is judged on its share of the week as above.
//
// # Expiring commitments (Reserved Instances)
//
// Usage an existing Reserved Instance or Savings Plan covers is not on
// demand and does not count; when the commitment expires it comes back. For
// the commitments whose end time (reservation/EndTime, savingsPlan/EndTime)
// falls within ProjectionHours (4 weeks) after the look-back, the usage they
// covered in each hour of the last week, r_w (w = hour of the week), is
// added back from their expiry hour e_r on, and the count is chosen on the
// projected four weeks
//
//	û_j = u_last(j mod 168) + max(0, Σ_{r: j ≥ e_r} r_(j mod 168) − slack_(j mod 168) / p),  j = 0 … 671
//
// where slack_w is the on-demand spend that the unused commitment of the
// Savings Plans that do not expire could still have covered in that hour
// (savingsPlan/TotalCommitmentToDate − UsedCommitment of the day / 24 /
// (1 − d), d their discount that week): returning usage is first absorbed by
// plans with room to spare, as AWS applies them to eligible on-demand usage.
// The slack is not split between instance types: each instance assumes all
// of it, which can only lower the count. Without expiring commitments û is
// the last week repeated and the choice is the recency rule's.
//
// # Backtest views
//
// `tally backtest` recommends at the start of each month N from the 30 days
// before it (what GetReservationPurchaseRecommendation with THIRTY_DAYS would
// see then), buys it for month N, and compares the realised savings with the
// best fixed commitment chosen with hindsight of month N, both computed on
// the same hourly usage of month N. Three views of that usage:
//
//   - on demand, the month's own new commitments counted back (the target
//     view): the usage billed on demand in month N plus the usage covered in
//     month N by a Reserved Instance or Savings Plan that covered nothing in
//     the look-back, i.e. one the organisation bought at or after the
//     recommendation, instead of it. Usage returning on demand when an
//     existing commitment expires stays on demand. Approximation: a new
//     Reserved Instance's usage is counted back whole, although without it
//     the Savings Plans might have covered part of it;
//   - on demand as billed: month N's on-demand usage whatever the
//     organisation bought in month N (a purchase the recommendation could not
//     see moves the target);
//   - all usage at on-demand rates, as if no commitment existed.
//
// # Assumptions
//
// A single discount per Savings Plans type is an average over the usage the
// existing plans covered; instances it never covered are assumed to get it
// too. The history is what the caller may see (its scope) and only usage not
// already covered by a commitment counts, as AWS recommends for what is
// still on demand. The backtest (`tally backtest`) measures how well the
// choice carries to the following month against the best commitment chosen
// with hindsight.
package recommend
