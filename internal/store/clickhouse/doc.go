// Package clickhouse is Tally's scale-out cost store (DESIGN.md §9): billing
// line items and their daily and monthly rollups in ClickHouse, sharded so
// that one billing period's rows live together on one shard, and the list
// of active generations in PostgreSQL, so that a re-ingested period switches
// for every reader at one instant although its rows are on a shard of their
// own.
//
// # Layout
//
// Every shard holds MergeTree tables line_items_local, rollup_hour_local
// (billing months from the one before the current, as in the DuckDB
// store), rollup_day_local, rollup_month_local and rollup_commitment_local,
// partitioned by generation, and Distributed tables of the same names without _local over
// the cluster named in the
// address (?cluster=NAME, default tally), which must list the servers of the
// address as its shards, in that order. A generation is one delivery of one
// billing period; it lives on shard hash(source, month) mod shards. Queries
// read the Distributed tables, so each shard aggregates its own rows and the
// server the query went to merges the partial sums (the GROUP BY is pushed
// down). Rows are denormalised: every line carries its dimension values and
// its tags and cost categories as parallel key and value arrays, sorted by
// key.
//
// # Defined cost categories
//
// A cost category defined in Tally (query.Categories) is evaluated on each
// row a query reads, rollup row or line, as one CASE expression over the
// row's columns (categories.go): the version of the row's billing month,
// its rules in order (first match wins), then its default, with the same
// semantics and the same SQL text (store/columns.CategoryValue) as the
// DuckDB store. Its strings are written as escaped literals, so the
// expression can repeat in a query; a rule reading another defined category
// inlines that category's expression. A question over a category stays a
// rollup question.
//
// # Reserved Instances and Savings Plans
//
// The store is a store.CommitmentStore (utilization, coverage, commitment
// budgets and purchase recommendations). Every line carries what the bill
// says of its commitment (commitments.go, commitLineColumns): its kind
// (billing.CommitmentKind), the on-demand eligibility bits
// (billing.Eligible), the reservation/ and savingsPlan/ attributes, and the
// reservation/, savingsPlan/ and pricing/publicOnDemandCost amounts as
// Int64 counts of 10^-billing.Scale. At commit each shard builds
// rollup_commitment_local from its new generations' lines (INSERT …
// SELECT, like the daily rollup): the lines of a commitment and the
// on-demand usage one could cover, summed per generation, day, dimension
// values, tags, cost categories, commitment attribute set (as
// store.CommitmentInfo: no-value spellings read as "") and eligibility, with
// the sums of store.CommitmentSum as Int64 per row (the DuckDB store's
// BIGINT). Questions read the Distributed rollup_commitment, never line
// items, under the same active generations, filters, tag statuses and
// defined cost categories as cost questions; sums are added up as
// Decimal(38, 0) (DuckDB: HUGEINT) and the answer is put in
// store.SortCommitments' order, so it equals the DuckDB store's cell for
// cell. A store made before these columns gains them at Open (ALTER TABLE
// … ADD COLUMN on line_items_local and line_items of every shard, for the
// columns system.columns lacks); periods ingested before have no
// commitment rows until they are ingested again.
//
// # Generations
//
// PostgreSQL holds tally_ch_DB_generations (DB: the ClickHouse database;
// one row per generation: source, month, shard, state pending, active or
// retired, and what Periods reports) and tally_ch_DB_state (a version
// number). An ingest takes generation numbers from PostgreSQL, inserts the lines and builds the rollups on the shards, then
// in one PostgreSQL transaction marks the new generations active and the
// ones they replace retired, and bumps the version. A query reads the active
// list once and names those generations in its SQL, so it sees every period
// wholly old or wholly new. Retired and abandoned generations are dropped
// (ALTER TABLE … DROP PARTITION) by a later ingest, once no query started
// before their retirement can still be running (collectAfter). Open moves
// the generation sequence past every partition the shards hold, so that
// PostgreSQL state lost or restored from an old backup never mixes old rows
// into a new generation. If a shard or
// PostgreSQL is down during an ingest, the ingest fails before the switch
// and the old generation stays active.
//
// # Faults
//
// A shard that does not answer fails the whole query (ClickHouse's
// skip_unavailable_shards stays off) with an error that names the backend
// and is a *store.UnavailableError; Tally answers it with
// a retryable ServiceUnavailable. Nothing partial is returned.
//
// # Versions
//
// Tested with Debian's clickhouse-server 18.16.1 and written for current
// releases too, through github.com/ClickHouse/clickhouse-go/v2 (v2.51) over
// the native protocol (its HTTP mode fails on 18.16), and PostgreSQL 15 or
// later through github.com/jackc/pgx/v5. To stay within what 18.16 accepts,
// the SQL avoids: Map columns (tags are key and value arrays), DateTime64
// (usage times are DateTime('UTC'); hours are the finest grain),
// server-side query parameters ({p:Type}; arguments are bound by the client
// as literals), LowCardinality (plain String), correlated subqueries and
// JOINs (everything is a column of the row), ADD COLUMN IF NOT EXISTS
// (columns missing from system.columns are added), and time.Time arguments
// compared with Date or DateTime columns, which 18.16 silently matches with
// nothing (dates and times are bound as strings and converted with
// toDate/toDateTime(…, 'UTC')). CASE, which 18.16 rewrites as multiIf, is
// used as written; string literals escape ? as \x3F so that the client's
// placeholder binding never sees one.
//
// A line's money is kept as billing holds it, an Int64 in units of 10^-10
// (lineMoneySum sums it as Decimal(38,10) in SQL; the commitment amounts are
// Int64 counts of 10^-10 too, see above); rollups and answers are
// Decimal(38,10). Sums are exact (128-bit in the client, Decimal128 on the
// shards) and equal to the DuckDB store's, cell for cell. Usage amounts are
// converted to Decimal(38,10) per line the way DuckDB casts a DOUBLE, then
// summed. A database whose lines keep money as Decimal (Tally before this
// layout) is refused at Open with a message to ingest again into a new
// database.
//
// # Ingest
//
// The writer sends each shard's lines column by column in blocks of one
// long-lived INSERT, and builds the daily rollup rows itself while the lines
// stream past (aggregate.go: a line's group columns are interned as one
// combination, summed per generation, day and combination); each shard
// then builds the monthly rollup from the daily one and the hourly rollup of
// recent months from their lines.
package clickhouse
