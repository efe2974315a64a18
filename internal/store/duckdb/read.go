package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store"
	"github.com/tallyhq/tally/internal/store/columns"
)

// Aggregate answers a GetCostAndUsage question from the coarsest rollup that
// has the same answer.
func (db *DB) Aggregate(ctx context.Context, q *query.Aggregate) ([]query.Row, error) {
	out, err := db.aggregate(ctx, q)
	return out, db.recoverFrom(err)
}

func (db *DB) aggregate(ctx context.Context, q *query.Aggregate) ([]query.Row, error) {
	if monthlyTotal(q) {
		if m, ok := db.monthColsFor(ctx); ok {
			if rows, ok := m.aggregate(q); ok {
				return rows, nil
			}
		}
	}
	return db.aggregateRows(ctx, q)
}

// aggregateRows answers an Aggregate with a statement.
func (db *DB) aggregateRows(ctx context.Context, q *query.Aggregate) ([]query.Row, error) {
	hourly := false
	if q.Granularity == query.Hourly {
		var err error
		if hourly, err = db.hourlyCovers(ctx, q.Period); err != nil {
			return nil, err
		}
	}
	text, args, err := aggregateSQL(q, hourly)
	if err != nil {
		return nil, err
	}
	var out []query.Row
	nk, nm := len(q.GroupBy), len(q.Metrics)
	dest := make([]any, 1+nk+2*nm)
	var bucket int64
	keys := make([]string, nk)
	units := make([]string, nm)
	sums := make([]string, nm)
	dest[0] = &bucket
	for i := range keys {
		dest[1+i] = &keys[i]
	}
	for i := range nm {
		dest[1+nk+2*i] = &sums[i]
		dest[2+nk+2*i] = &units[i]
	}
	err = db.queryPinned(ctx, text, args, func(rows *sql.Rows) error {
		out = nil
		var slab rowSlab
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			r := query.Row{Bucket: time.UnixMicro(bucket).UTC(), Keys: slab.strings(nk), Values: slab.values(nm)}
			copy(r.Keys, keys)
			for i := range nm {
				a, err := slab.amount(sums[i])
				if err != nil {
					return err
				}
				r.Values[i] = query.Value{Amount: a, Unit: units[i]}
			}
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("duckdb: aggregate: %w", err)
	}
	return out, nil
}

// hourlyCovers reports whether every active billing month that overlaps p
// has an hourly rollup.
func (db *DB) hourlyCovers(ctx context.Context, p billing.Period) (bool, error) {
	_, hourly, err := db.periods(ctx)
	if err != nil {
		return false, err
	}
	for m, ok := range hourly {
		if !ok && m.Before(p.End) && m.AddDate(0, 1, 0).After(p.Start) {
			return false, nil
		}
	}
	return true, nil
}

// aggregateSQL compiles an Aggregate to SQL over the coarsest table that has
// the same answer; hourly says whether rollup_hour covers the period.
func aggregateSQL(q *query.Aggregate, hourly bool) (string, []any, error) {
	src, bucket := rollupSource("rollup_day"), "r.ts"
	switch {
	case q.Granularity == query.Hourly && hourly && !usesResources(q):
		src = rollupSource("rollup_hour")
	case q.Granularity == query.Hourly || usesResources(q):
		src = lineSource()
		unit := map[query.Granularity]string{query.Hourly: "hour", query.Daily: "day", query.Monthly: "month"}[q.Granularity]
		bucket = "greatest(date_trunc('" + unit + "', r.usage_start), " + tsLiteral(q.Period.Start) + ")"
	case q.Granularity == query.Monthly && billing.MonthAligned(q.Period.Start) && billing.MonthAligned(q.Period.End):
		src = rollupSource("rollup_month")
	case q.Granularity == query.Monthly:
		bucket = "greatest(date_trunc('month', r.ts), " + tsLiteral(q.Period.Start) + ")"
	}
	var b sqlBuilder
	var from sqlBuilder
	from.WriteString(" FROM " + src.from)
	if err := from.categoryJoin(usedCategories(q.Categories, q.GroupBy, q.Filter), src, rowsIn(q.Period, src)); err != nil {
		return "", nil, err
	}
	keys := make([]string, len(q.GroupBy))
	for i, g := range q.GroupBy {
		k, err := from.groupJoin(i, g, src)
		if err != nil {
			return "", nil, err
		}
		keys[i] = k
	}
	// The bucket travels as microseconds since the epoch: the driver boxes
	// a time.Time per row, an integer costs less.
	b.WriteString("SELECT epoch_us(" + bucket + ") AS b")
	for i, k := range keys {
		fmt.Fprintf(&b, ", %s AS k%d", k, i)
	}
	for _, m := range q.Metrics {
		sum, unit := metricSQL(m, src)
		b.WriteString(", " + sumText(sum) + ", " + unit)
	}
	b.WriteString(from.String())
	b.args = append(b.args, from.args...)
	b.cats = from.cats
	if err := b.where(q.Period, q.Scope, q.Filter, src); err != nil {
		return "", nil, err
	}
	order := "b"
	for i := range keys {
		order += fmt.Sprintf(", k%d", i)
	}
	b.WriteString(" GROUP BY " + order + " ORDER BY " + order)
	return b.String(), b.args, nil
}

// rowsIn is the condition on the rows of src in p of active generations.
func rowsIn(p billing.Period, src source) string {
	return activeGens + " AND " + src.ts + " >= " + tsLiteral(p.Start) + " AND " + src.ts + " < " + tsLiteral(p.End)
}

// usesResources reports whether a question groups or filters by
// RESOURCE_ID, which only line items carry.
func usesResources(q *query.Aggregate) bool { return q.ReadsDimension(billing.DimResourceID) }

// valuesSource is the rollup that lists the values of a period: the monthly
// one when the period is whole months, a twentieth of the daily one's size.
func valuesSource(p billing.Period) source {
	d := billing.WholeDays(p)
	if billing.MonthAligned(d.Start) && billing.MonthAligned(d.End) {
		return rollupSource("rollup_month")
	}
	return rollupSource("rollup_day")
}

func orderBy(sort []query.SortKey, valueCol string, src source) string {
	var parts []string
	for _, s := range sort {
		sum, _ := metricSQL(s.Metric, src)
		dir := " ASC"
		if s.Descending {
			dir = " DESC"
		}
		parts = append(parts, sum+dir)
	}
	return strings.Join(append(parts, valueCol), ", ")
}

// DimensionValues lists the values of a dimension with cost or usage in the
// period (GetDimensionValues).
func (db *DB) DimensionValues(ctx context.Context, q *query.DimensionValues) ([]query.DimensionValue, error) {
	out, err := db.dimensionValues(ctx, q)
	return out, db.recoverFrom(err)
}

func (db *DB) dimensionValues(ctx context.Context, q *query.DimensionValues) ([]query.DimensionValue, error) {
	if plainValues(q) {
		if m, ok := db.monthColsFor(ctx); ok {
			col, _ := columnOf(q.Dimension)
			values, err := db.comboValues(ctx, m, col)
			if err != nil {
				return nil, err
			}
			if out, ok := m.dimensionValues(q, values); ok {
				return out, nil
			}
		}
	}
	return db.listDimensionValues(ctx, q)
}

// listDimensionValues answers DimensionValues with a statement.
func (db *DB) listDimensionValues(ctx context.Context, q *query.DimensionValues) ([]query.DimensionValue, error) {
	col, ok := columnOf(q.Dimension)
	src := valuesSource(q.Period)
	switch {
	case ok:
		col = "c." + col
	case q.Dimension == billing.DimResourceID:
		col, src = "r.resource_id", lineSource()
	default:
		return nil, nil // a dimension billing data does not carry has no values
	}
	attr := "''"
	switch q.Dimension {
	case billing.DimLinkedAccount:
		attr = "max(c.account_name)"
	case billing.DimUsageType, billing.DimUsageTypeGroup:
		attr = "coalesce(mode(nullif(c.usage_unit, '')), '')"
	}
	var b sqlBuilder
	b.WriteString("SELECT " + col + " AS v, " + attr + " FROM " + src.from)
	if err := b.categoryJoin(usedCategories(q.Categories, nil, q.Filter), src, rowsIn(billing.WholeDays(q.Period), src)); err != nil {
		return nil, err
	}
	if err := b.where(billing.WholeDays(q.Period), q.Scope, q.Filter, src); err != nil {
		return nil, err
	}
	b.WriteString(" AND " + col + " <> ''")
	if q.Search != "" {
		b.WriteString(" AND contains(lower(" + col + "), " + b.arg(strings.ToLower(q.Search)) + ")")
	}
	b.WriteString(" GROUP BY v ORDER BY " + orderBy(q.SortBy, "v", src))
	if q.Limit > 0 {
		fmt.Fprintf(&b, " LIMIT %d", q.Limit)
	}
	var out []query.DimensionValue
	err := db.queryPinned(ctx, b.String(), b.args, func(rows *sql.Rows) error {
		out = nil
		for rows.Next() {
			var v, a string
			if err := rows.Scan(&v, &a); err != nil {
				return err
			}
			out = append(out, query.ValueOf(q.Dimension, v, a))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("duckdb: dimension values: %w", err)
	}
	return out, nil
}

// Tags lists tag keys active in the period, or the values of one key
// (GetTags). Values include "" when lines in scope lack the key. With
// q.CostCategories it lists cost category names or one category's values
// (GetCostCategories), without "".
func (db *DB) Tags(ctx context.Context, q *query.Tags) ([]string, error) {
	out, err := db.tags(ctx, q)
	return out, db.recoverFrom(err)
}

func (db *DB) tags(ctx context.Context, q *query.Tags) ([]string, error) {
	src := valuesSource(q.Period)
	var b sqlBuilder
	var from sqlBuilder
	from.WriteString(" FROM " + src.from)
	var groups []query.GroupKey
	if q.CostCategories && q.Key != "" {
		groups = []query.GroupKey{{Kind: query.KindCostCategory, Key: q.Key}}
	}
	if err := from.categoryJoin(usedCategories(q.Categories, groups, q.Filter), src, rowsIn(billing.WholeDays(q.Period), src)); err != nil {
		return nil, err
	}
	kind := query.KindTag
	switch {
	case q.CostCategories && q.Key == "":
		from.WriteString(" JOIN cc_sets gk0 ON gk0.id = r.cc_set")
		b.WriteString("SELECT gk0.key AS v")
	case q.Key == "":
		from.WriteString(" JOIN tag_sets gk0 ON gk0.id = r.tag_set JOIN tag_status st0 ON st0.payer = c.payer AND st0.key = gk0.key AND st0.month = r.month AND st0.active")
		b.WriteString("SELECT gk0.key AS v")
	default:
		if q.CostCategories {
			kind = query.KindCostCategory
		}
		v, err := from.groupJoin(0, query.GroupKey{Kind: kind, Key: q.Key}, src)
		if err != nil {
			return nil, err
		}
		b.WriteString("SELECT " + v + " AS v")
	}
	b.WriteString(from.String())
	b.args = append(b.args, from.args...)
	b.cats = from.cats
	if err := b.where(billing.WholeDays(q.Period), q.Scope, q.Filter, src); err != nil {
		return nil, err
	}
	if q.Search != "" {
		b.WriteString(" AND contains(lower(v), " + b.arg(strings.ToLower(q.Search)) + ")")
	}
	if q.CostCategories {
		b.WriteString(" AND v <> ''") // uncategorized cost has no value to list
	}
	b.WriteString(" GROUP BY v ORDER BY " + orderBy(q.SortBy, "v", src))
	if q.Limit > 0 {
		fmt.Fprintf(&b, " LIMIT %d", q.Limit)
	}
	var out []string
	err := db.queryPinned(ctx, b.String(), b.args, func(rows *sql.Rows) error {
		out = []string{}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("duckdb: tags: %w", err)
	}
	return out, nil
}

// Periods lists the active billing periods. The list only changes with the
// store's version, so it is read once per version.
func (db *DB) Periods(ctx context.Context) ([]store.PeriodStatus, error) {
	ps, _, err := db.periods(ctx)
	return ps, db.recoverFrom(err)
}

// periodCache holds the active billing periods of one store version, and
// which months have an hourly rollup.
type periodCache struct {
	version int64
	periods []store.PeriodStatus
	hourly  map[time.Time]bool // month -> every active generation has one
	// gens lists the active generations, "3, 5, 8" (see queryPinned).
	gens string
	// currency is the one currency of every combination of columns, as
	// an SQL string; "" when there are several, none or an empty one.
	currency string
	valid    bool
}

func (db *DB) periods(ctx context.Context) ([]store.PeriodStatus, map[time.Time]bool, error) {
	c, err := db.loadPeriods(ctx)
	if err != nil {
		return nil, nil, err
	}
	return slices.Clone(c.periods), c.hourly, nil
}

func (db *DB) loadPeriods(ctx context.Context) (periodCache, error) {
	v := db.Version()
	db.mu.Lock()
	c := db.periodCache
	db.mu.Unlock()
	if c.valid && c.version == v {
		return c, nil
	}
	rows, err := db.h().QueryContext(ctx, `SELECT source, month, format, final, invoice_id,
		array_to_string(files, chr(0)), rows, ingested_at, currency, hourly, gen FROM generations
		WHERE gen IN (`+activeGenerations+`) ORDER BY month, source`)
	if err != nil {
		return c, fmt.Errorf("duckdb: periods: %w", err)
	}
	defer rows.Close()
	c = periodCache{version: v, hourly: map[time.Time]bool{}, valid: true}
	var gens []int64
	for rows.Next() {
		var p store.PeriodStatus
		var files string
		var hourly bool
		var gen int64
		if err := rows.Scan(&p.Period.Source, &p.Period.Month, &p.Format, &p.Final, &p.InvoiceID,
			&files, &p.Rows, &p.IngestedAt, &p.Currency, &hourly, &gen); err != nil {
			return c, fmt.Errorf("duckdb: periods: %w", err)
		}
		p.Period.Month = p.Period.Month.UTC()
		p.IngestedAt = p.IngestedAt.UTC()
		if files != "" {
			p.Files = strings.Split(files, "\x00")
		}
		if prev, seen := c.hourly[p.Period.Month]; !seen || prev {
			c.hourly[p.Period.Month] = hourly
		}
		c.periods = append(c.periods, p)
		gens = append(gens, gen)
	}
	if err := rows.Err(); err != nil {
		return c, err
	}
	if len(gens) > 0 {
		c.gens = int64List(gens)
	}
	var lo, hi string
	if err := db.h().QueryRowContext(ctx, `SELECT coalesce(min(currency), ''), coalesce(max(currency), '') FROM combos`).Scan(&lo, &hi); err != nil {
		return c, fmt.Errorf("duckdb: currencies: %w", err)
	}
	if lo == hi && lo != "" {
		c.currency = "'" + strings.ReplaceAll(lo, "'", "''") + "'"
	}
	db.mu.Lock()
	db.periodCache = c
	db.mu.Unlock()
	return c, nil
}

// queryPinned runs a read whose text selects the active generations with
// activeGenerations, calling read with its rows. It first runs the text
// with facts of the store's current version pinned: the active
// generations as a list of numbers (finding them in the statement costs
// DuckDB a scan, an aggregation and a semi-join, 40% of a small
// question's time) and, when every combination has the same currency, that
// currency in place of the unit of cost metrics (columns.CurrencyUnit: two
// string aggregates per group, 10% of a large question's time; with one
// currency in the store, every group has it). A pinned generation is only
// retired, and then removed, by a change that moves the version on, and
// rows of another currency only become visible by one; when the version
// moved while the statement ran, its answer may be stale, and the
// statement runs again finding all of it itself, as one consistent read.
// read starts its result afresh on every call.
func (db *DB) queryPinned(ctx context.Context, text string, args []any, read func(*sql.Rows) error) error {
	c, err := db.loadPeriods(ctx)
	if err != nil {
		return err
	}
	if c.gens != "" {
		pinned := strings.ReplaceAll(text, activeGenerations, c.gens)
		if c.currency != "" {
			pinned = withoutCombos(strings.ReplaceAll(pinned, currencyUnit, c.currency))
		}
		err := db.queryRows(ctx, pinned, args, read)
		if err != nil || db.Version() == c.version {
			return err
		}
	}
	return db.queryRows(ctx, text, args, read)
}

// withoutCombos drops the join of a rollup with its combinations from a
// read that no longer reads them (its unit pinned, no group, filter or
// scope on a column of c): a quarter of a small question's time. Every
// row's combination exists (combinations are never deleted), so the join
// removes no row.
func withoutCombos(text string) string {
	const join = " JOIN combos c ON c.id = r.combo"
	if strings.Count(text, join) != 1 {
		return text
	}
	rest := strings.Replace(text, join, "", 1)
	if readsCombo.MatchString(rest) {
		return text
	}
	return rest
}

// readsCombo finds a column of the alias c.
var readsCombo = regexp.MustCompile(`\bc\.`)

// currencyUnit is the unit of cost metrics in the SQL of reads.
var currencyUnit = columns.CurrencyUnit("c.currency")

func (db *DB) queryRows(ctx context.Context, text string, args []any, read func(*sql.Rows) error) error {
	rows, err := db.h().QueryContext(ctx, text, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if err := read(rows); err != nil {
		return err
	}
	return rows.Err()
}

// AccountNames maps usage account ids to their names where the data has them.
func (db *DB) AccountNames(ctx context.Context) (map[string]string, error) {
	rows, err := db.h().QueryContext(ctx, `SELECT account, max(account_name) FROM combos
		WHERE account_name <> '' GROUP BY account`)
	if err != nil {
		return nil, fmt.Errorf("duckdb: account names: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var a, n string
		if err := rows.Scan(&a, &n); err != nil {
			return nil, err
		}
		out[a] = n
	}
	return out, rows.Err()
}
