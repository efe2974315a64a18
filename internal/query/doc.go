// Package query is Tally's backend-neutral model of a Cost Explorer question:
// the filter Expression, group-by and granularity rules, time buckets, and
// the assembly and paging of results. It knows no SQL and no HTTP; services
// translate wire requests into its types and stores compile its plans.
package query
