// Package bench measures Tally against the data it is built for: it
// generates a synthetic organisation's CUR 2.0 export of a chosen size,
// ingests it with `tally ingest` in a child process (rate and peak RSS),
// serves it with `tally serve` in another, and times a fixed set of Cost
// Explorer requests through the real aws-sdk-go-v2 client. Beside each
// request it times DuckDB running the equivalent SQL directly over the
// generated Parquet files, checks that both give the same answer, and
// reports the ratio of the medians.
//
// The request set is documented in bench/README.md; Requests defines it.
package bench
