// Package query is Tally's backend-neutral model of a Cost Explorer question:
// the filter Expression, group-by and granularity rules, time buckets, the
// assembly of results and tamper-proof page tokens. It knows no SQL and no
// HTTP; services translate wire requests into its types and stores compile its
// plans.
package query
