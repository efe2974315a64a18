package clickhouse

import (
	"context"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
)

// start reads, once per question, what it depends on outside ClickHouse:
// the active generations, then, when tag statuses were handed over, the
// months in which each tag key is active on lines of those generations.
func (s *Store) start(ctx context.Context) (gens []int64, coarse []time.Time, b *builder, err error) {
	gens, coarse, err = s.activeGenSet(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	tm, err := s.activeTags(ctx, gens)
	if err != nil {
		return nil, nil, nil, err
	}
	return gens, coarse, newBuilder(tm), nil
}

// hourlyCovers reports whether every active billing month that overlaps p
// has an hourly rollup; coarse lists those that have none.
func hourlyCovers(coarse []time.Time, p billing.Period) bool {
	for _, m := range coarse {
		if m.Before(p.End) && m.AddDate(0, 1, 0).After(p.Start) {
			return false
		}
	}
	return true
}

// reader is the shard a question is sent to; its Distributed tables fan
// out to the others. Spreading questions spreads the merging work.
func (s *Store) reader() int { return int(s.next.Add(1) % uint64(len(s.shards))) }

// Aggregate answers a GetCostAndUsage question from the coarsest table that
// has the same answer.
func (s *Store) Aggregate(ctx context.Context, q *query.Aggregate) ([]query.Row, error) {
	gens, coarse, b, err := s.start(ctx)
	if err != nil {
		return nil, err
	}
	b.defs = q.Categories
	src, bucket := rollupSource("rollup_day"), "ts"
	switch {
	case q.Granularity == query.Hourly && !usesResources(q) && hourlyCovers(coarse, q.Period):
		src = rollupSource("rollup_hour")
	case q.Granularity == query.Hourly || usesResources(q):
		src = lineSource()
		trunc := map[query.Granularity]string{query.Hourly: "toStartOfHour(usage_start)", query.Daily: "toStartOfDay(usage_start)",
			query.Monthly: "toDateTime(toStartOfMonth(usage_start), 'UTC')"}[q.Granularity]
		bucket = "greatest(" + trunc + ", " + timeLiteral(q.Period.Start) + ")"
	case q.Granularity == query.Monthly && billing.MonthAligned(q.Period.Start) && billing.MonthAligned(q.Period.End):
		src = rollupSource("rollup_month")
	case q.Granularity == query.Monthly:
		bucket = "greatest(toDateTime(toStartOfMonth(ts), 'UTC'), " + timeLiteral(q.Period.Start) + ")"
	}
	b.WriteString("SELECT " + bucket + " AS b")
	for i, g := range q.GroupBy {
		k, err := b.groupKey(g, src)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(b, ", %s AS k%d", k, i)
	}
	for _, m := range q.Metrics {
		sum, unit := metricSQL(m, src)
		b.WriteString(", " + sum + ", " + unit)
	}
	b.WriteString(" FROM " + s.addr.Database + "." + src.table)
	if err := b.where(gens, q.Period, q.Scope, q.Filter, src); err != nil {
		return nil, err
	}
	order := "b"
	for i := range q.GroupBy {
		order += fmt.Sprintf(", k%d", i)
	}
	b.WriteString(" GROUP BY " + order + " ORDER BY " + order)

	shard := s.reader()
	rows, err := s.shards[shard].Query(ctx, b.String(), b.args...)
	if err != nil {
		return nil, s.shardErr(shard, "aggregate", err)
	}
	defer rows.Close()
	var out []query.Row
	n := 1 + len(q.GroupBy) + 2*len(q.Metrics)
	for rows.Next() {
		var r query.Row
		dest := make([]any, n)
		dest[0] = &r.Bucket
		r.Keys = make([]string, len(q.GroupBy))
		for i := range r.Keys {
			dest[1+i] = &r.Keys[i]
		}
		sums := make([]decimal.Decimal, len(q.Metrics))
		r.Values = make([]query.Value, len(q.Metrics))
		for i := range q.Metrics {
			dest[1+len(r.Keys)+2*i] = &sums[i]
			dest[2+len(r.Keys)+2*i] = &r.Values[i].Unit
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, s.shardErr(shard, "aggregate", err)
		}
		r.Bucket = r.Bucket.UTC()
		for i := range sums {
			r.Values[i].Amount = scaled(sums[i])
		}
		out = append(out, r)
	}
	return out, s.shardErr(shard, "aggregate", rows.Err())
}

// scaled converts a decimal to an integer count of 10^-billing.Scale.
func scaled(d decimal.Decimal) *big.Int {
	return d.Shift(billing.Scale).Truncate(0).BigInt()
}

// usesResources reports whether a question groups or filters by
// RESOURCE_ID, which only line items carry.
func usesResources(q *query.Aggregate) bool { return q.ReadsDimension(billing.DimResourceID) }

// valuesSource is the rollup that lists the values of a period: the monthly
// one when the period is whole months.
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
func (s *Store) DimensionValues(ctx context.Context, q *query.DimensionValues) ([]query.DimensionValue, error) {
	src := valuesSource(q.Period)
	if q.Dimension == billing.DimResourceID {
		src = lineSource()
	}
	col, err := dimension(q.Dimension, src)
	if err != nil {
		return nil, nil // a dimension billing data does not carry has no values
	}
	gens, _, b, err := s.start(ctx)
	if err != nil {
		return nil, err
	}
	b.defs = q.Categories
	attr := "''"
	switch q.Dimension {
	case billing.DimLinkedAccount:
		attr = "max(account_name)"
	case billing.DimUsageType, billing.DimUsageTypeGroup:
		attr = "topKIf(1)(usage_unit, usage_unit <> '')[1]"
	}
	b.WriteString("SELECT " + col + " AS v, " + attr + " FROM " + s.addr.Database + "." + src.table)
	if err := b.where(gens, billing.WholeDays(q.Period), q.Scope, q.Filter, src); err != nil {
		return nil, err
	}
	b.WriteString(" AND v <> ''")
	if q.Search != "" {
		b.WriteString(" AND position(lowerUTF8(v), " + b.arg(strings.ToLower(q.Search)) + ") > 0")
	}
	b.WriteString(" GROUP BY v ORDER BY " + orderBy(q.SortBy, "v", src))
	if q.Limit > 0 {
		fmt.Fprintf(b, " LIMIT %d", q.Limit)
	}
	shard := s.reader()
	rows, err := s.shards[shard].Query(ctx, b.String(), b.args...)
	if err != nil {
		return nil, s.shardErr(shard, "dimension values", err)
	}
	defer rows.Close()
	var out []query.DimensionValue
	for rows.Next() {
		var v, a string
		if err := rows.Scan(&v, &a); err != nil {
			return nil, s.shardErr(shard, "dimension values", err)
		}
		out = append(out, query.ValueOf(q.Dimension, v, a))
	}
	return out, s.shardErr(shard, "dimension values", rows.Err())
}

// Tags lists tag keys active in the period, or the values of one key
// (GetTags). Values include "" when lines in scope lack the key. With
// q.CostCategories it lists cost category names or one category's values
// (GetCostCategories), without "".
func (s *Store) Tags(ctx context.Context, q *query.Tags) ([]string, error) {
	gens, _, b, err := s.start(ctx)
	if err != nil {
		return nil, err
	}
	b.defs = q.Categories
	src := valuesSource(q.Period)
	switch {
	case q.CostCategories && q.Key == "":
		b.WriteString("SELECT arrayJoin(cc_keys) AS v")
	case q.Key == "":
		b.WriteString("SELECT arrayJoin(" + b.activeKeys() + ") AS v")
	default:
		kind := query.KindTag
		if q.CostCategories {
			kind = query.KindCostCategory
		}
		v, err := b.groupKey(query.GroupKey{Kind: kind, Key: q.Key}, src)
		if err != nil {
			return nil, err
		}
		b.WriteString("SELECT " + v + " AS v")
	}
	b.WriteString(" FROM " + s.addr.Database + "." + src.table)
	if err := b.where(gens, billing.WholeDays(q.Period), q.Scope, q.Filter, src); err != nil {
		return nil, err
	}
	if q.Search != "" {
		b.WriteString(" AND position(lowerUTF8(v), " + b.arg(strings.ToLower(q.Search)) + ") > 0")
	}
	if q.CostCategories {
		b.WriteString(" AND v <> ''") // uncategorized cost has no value to list
	}
	b.WriteString(" GROUP BY v ORDER BY " + orderBy(q.SortBy, "v", src))
	if q.Limit > 0 {
		fmt.Fprintf(b, " LIMIT %d", q.Limit)
	}
	shard := s.reader()
	rows, err := s.shards[shard].Query(ctx, b.String(), b.args...)
	if err != nil {
		return nil, s.shardErr(shard, "tags", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, s.shardErr(shard, "tags", err)
		}
		out = append(out, v)
	}
	return out, s.shardErr(shard, "tags", rows.Err())
}
