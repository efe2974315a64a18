// Package ingest reads billing exports — legacy AWS Cost and Usage Reports
// (CSV, gzip, zip, Athena Parquet), CUR 2.0 (CSV and Parquet with map
// columns) and FOCUS 1.0–1.3 (CSV and Parquet) — and streams them as
// canonical billing.LineItems to a Writer.
//
// The format of a file is detected from its content (header names or Parquet
// schema), never from its name. Folders are walked and their manifests
// honoured: a manifest names the files of the latest delivery of a billing
// period and everything else in its scope is stale and skipped. Any error
// aborts the Writer, so a rejected ingest stores nothing.
//
// Rules worth knowing (they are also stated where they are implemented):
//
//   - A billing period is one month of one source: "cur:<payer account>" for
//     CUR and CUR 2.0, "focus:<ProviderName>:<BillingAccountId>" for FOCUS
//     (InvoiceIssuerName when a FOCUS 1.3 file drops the deprecated
//     ProviderName; see focusmap.go).
//   - A period is final when any of its rows carries an invoice id
//     (bill/InvoiceId, FOCUS 1.2+ InvoiceId) or its manifest says it is
//     finalized. FOCUS 1.0 and 1.1 have no invoice id, so their periods stay
//     estimated.
//   - Tags: legacy CSV `resourceTags/user:Key` gives key `Key` and
//     `resourceTags/aws:createdBy` gives `aws:createdBy`. Parquet and CUR 2.0
//     names are normalized by AWS (lower case, `_` for punctuation):
//     `resource_tags_user_cost_center` / map key `user_cost_center` give
//     `cost_center`; `resource_tags_aws_created_by` / `aws_created_by` give
//     the real key of a well-known AWS tag (`aws:createdBy`, see awsTagKeys)
//     or `aws:` + the rest. A CUR 2.0 `tags` map keeps the original keys and
//     wins when present. Empty values mean untagged and are omitted.
//   - Memory is bounded: CSV is streamed row by row and Parquet is read a
//     batch of rows at a time, one page per column.
package ingest
