// Package synth generates the billing exports of a synthetic AWS
// organisation: a payer with linked accounts, more than forty services with
// real usage types, operations, Regions and units, Reserved Instances and
// Savings Plans with their amortisation columns, credits, a refund, tax, a
// support fee, an EDP discount, user and AWS tags, weekly seasonality, growth
// and spikes, closed months with invoice ids and an open current month.
//
// Generate writes one export per run, in the folder layout and with the
// manifests AWS delivers: CUR 2.0 Parquet (FormatCUR2), legacy CUR CSV.gz
// (FormatCUR) or FOCUS 1.2 with AWS columns, CSV.gz (FormatFOCUS; FormatFOCUS13
// adds FOCUS 1.3's HostProviderName and ServiceProviderName). It
// streams month by month, so memory depends on the size of the organisation,
// not on the number of line items, and the same Config (seed included)
// always gives the same bytes.
//
// Semantics worth knowing:
//
//   - Lines come resource by resource, each resource's hours in order, then
//     the month's fees, credits, discounts and tax. Commitments are shared
//     per hour in the fixed order of the resources.
//   - Reserved Instances bill a monthly RIFee line and an upfront Fee;
//     the Savings Plan bills an hourly SavingsPlanRecurringFee line (as real
//     exports do) and an upfront fee. Amortisation columns make AmortizedCost
//     differ from UnblendedCost.
//   - The EDP discount applies to usage and commitment fees: discounted
//     lines carry net_* values and a discount map entry, and one EdpDiscount
//     line per account and product code carries the total (negative
//     unblended cost, zero net cost).
//   - FOCUS has no negation or discount rows: covered usage is billed at
//     zero, BilledCost is the net cost, and the unused part of a commitment
//     fee is a Usage row with CommitmentDiscountStatus Unused.
//
// Writers exploit that every string column of a line depends only on its
// shape (see shapeOf): Parquet pages are encoded from runs of per-shape
// templates and CSV rows from per-shape text, with only dates, money,
// quantities and line ids written per row.
package synth
