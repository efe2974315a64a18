// Package synth generates the billing exports of a synthetic AWS
// organisation: a payer with linked accounts, more than forty services with
// real usage types, operations, Regions and units, Reserved Instances and
// Savings Plans with their amortisation columns, credits, a refund, tax, a
// support fee, an EDP discount, user and AWS tags, weekly seasonality, growth
// and spikes, closed months with invoice ids and an open current month.
//
// Generate writes one export per run, in the folder layout and with the
// manifests AWS delivers: CUR 2.0 Parquet (FormatCUR2), legacy CUR CSV.gz
// (FormatCUR) or FOCUS 1.2 CSV.gz (FormatFOCUS). It streams month by month,
// so memory depends on the size of the organisation, not on the number of
// line items, and the same Config (seed included) always gives the same
// bytes.
package synth
