package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store/columns"
)

// monthCols is the monthly rollup of the active generations, summed per
// (month, combination) and held in memory as columns, with each
// combination's payer, account and currency (and, as questions ask for
// them, its dimension values): the plainest small questions (a MONTHLY
// cost total, the values of a dimension over whole months, without filter)
// are answered from it without a statement, whose fixed cost in DuckDB
// (≈2 CPU-ms) is nearly all of such a question's cost. It is built per
// store version by one statement over the same sums the SQL reads use
// (metricSQL), so both give the same numbers; amounts that do not fit 64
// bits, or more than maxMonthRows pairs, leave it unusable.
type monthCols struct {
	version int64
	ok      bool    // built, and every amount fits an int64
	month   []int64 // sorted
	combo   []int32
	money   [][]int64 // per columns.Money entry, per row: units of 10^-billing.Scale
	// payer, account and currency hold each row's combination's, as
	// indexes into names, so that a question compares integers.
	payer, account, currency []int32
	names                    []string
	// dims holds the values of the combinations' dimension columns that
	// questions asked for, loaded on the first (comboValues).
	mu   sync.Mutex
	dims map[string]map[int32]string
}

// maxMonthRows bounds the month columns (≈ 52 bytes a row): a store with
// more (month, combination) pairs answers by statements.
const maxMonthRows = 1 << 20

// monthColsFor returns the columns of the current store version, building
// them on the first question of a version; ok is false when they cannot
// answer (not built, or the version moved while they were built).
func (db *DB) monthColsFor(ctx context.Context) (*monthCols, bool) {
	v := db.Version()
	current := func() *monthCols {
		db.mu.Lock()
		defer db.mu.Unlock()
		if db.months != nil && db.months.version == v {
			return db.months
		}
		return nil
	}
	if m := current(); m != nil {
		return m, m.ok
	}
	db.monthsBuild.Lock()
	defer db.monthsBuild.Unlock()
	if m := current(); m != nil {
		return m, m.ok
	}
	m, err := db.loadMonthCols(ctx, v)
	if err != nil || db.Version() != v {
		return nil, false // answered by SQL; built again by a later question
	}
	db.mu.Lock()
	db.months = m
	db.mu.Unlock()
	return m, m.ok
}

func (db *DB) loadMonthCols(ctx context.Context, v int64) (*monthCols, error) {
	m := &monthCols{version: v, ok: true, dims: map[string]map[int32]string{}}
	rows, err := db.h().QueryContext(ctx, `SELECT id, payer, account, currency FROM combos`)
	if err != nil {
		return nil, fmt.Errorf("duckdb: month columns: %w", err)
	}
	type scope struct{ payer, account, currency int32 }
	combos := map[int32]scope{}
	ids := map[string]int32{}
	intern := func(s string) int32 {
		id, ok := ids[s]
		if !ok {
			id = int32(len(m.names))
			ids[s] = id
			m.names = append(m.names, s)
		}
		return id
	}
	for rows.Next() {
		var id int32
		var payer, account, currency string
		if err := rows.Scan(&id, &payer, &account, &currency); err != nil {
			rows.Close()
			return nil, fmt.Errorf("duckdb: month columns: %w", err)
		}
		combos[id] = scope{intern(payer), intern(account), intern(currency)}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	src := rollupSource("rollup_month")
	var b strings.Builder
	b.WriteString("SELECT epoch_us(r.ts), r.combo")
	for _, c := range columns.Money {
		sum, _ := metricSQL(c.Metric, src)
		b.WriteString(", " + sumText(sum))
	}
	b.WriteString(" FROM rollup_month r WHERE " + activeGens + " GROUP BY r.ts, r.combo ORDER BY r.ts, r.combo")
	m.money = make([][]int64, len(columns.Money))
	var slab rowSlab
	err = db.queryPinned(ctx, b.String(), nil, func(rows *sql.Rows) error {
		m.month, m.combo = m.month[:0], m.combo[:0]
		m.payer, m.account, m.currency = m.payer[:0], m.account[:0], m.currency[:0]
		for i := range m.money {
			m.money[i] = m.money[i][:0]
		}
		var month int64
		var combo int32
		sums := make([]string, len(columns.Money))
		dest := []any{&month, &combo}
		for i := range sums {
			dest = append(dest, &sums[i])
		}
		for rows.Next() {
			if len(m.month) == maxMonthRows {
				m.ok = false
				return nil
			}
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			c, ok := combos[combo]
			if !ok { // combinations are written before their rows
				return fmt.Errorf("rollup_month row of unknown combination %d", combo)
			}
			m.month = append(m.month, month)
			m.combo = append(m.combo, combo)
			m.payer, m.account, m.currency = append(m.payer, c.payer), append(m.account, c.account), append(m.currency, c.currency)
			for i, s := range sums {
				a, err := slab.amount(s)
				if err != nil {
					return err
				}
				if !a.IsInt64() {
					m.ok = false
				}
				m.money[i] = append(m.money[i], a.Int64())
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("duckdb: month columns: %w", err)
	}
	return m, nil
}

// monthlyTotal reports whether monthCols.aggregate answers q: MONTHLY
// over whole months, cost metrics only, no GroupBy, no Filter.
func monthlyTotal(q *query.Aggregate) bool {
	if q.Granularity != query.Monthly || !billing.MonthAligned(q.Period.Start) || !billing.MonthAligned(q.Period.End) ||
		len(q.GroupBy) > 0 || q.Filter != nil {
		return false
	}
	for _, m := range q.Metrics {
		if _, ok := columns.MoneyOf(m); !ok {
			return false
		}
	}
	return true
}

// plainValues reports whether monthCols.dimensionValues answers q: a
// dimension of the combinations without attributes, over whole months, no
// Filter, SearchString or SortBy.
func plainValues(q *query.DimensionValues) bool {
	if _, ok := columnOf(q.Dimension); !ok || q.Filter != nil || q.Search != "" || len(q.SortBy) > 0 {
		return false
	}
	switch q.Dimension {
	case billing.DimLinkedAccount, billing.DimUsageType, billing.DimUsageTypeGroup:
		return false // these carry attributes
	}
	return valuesSource(q.Period).from == rollupSource("rollup_month").from
}

// rows returns the rows of months in [from, to) and a test of whether a
// row is in scope.
func (m *monthCols) rows(from, to int64, scope query.Scope) (lo, hi int, inScope func(i int) bool) {
	lo, _ = slices.BinarySearch(m.month, from)
	hi, _ = slices.BinarySearch(m.month, to)
	if scope.Account == "" {
		return lo, hi, func(int) bool { return true }
	}
	id := int32(slices.Index(m.names, scope.Account))
	if id < 0 {
		return lo, lo, nil
	}
	return lo, hi, func(i int) bool { return m.payer[i] == id || m.account[i] == id }
}

// aggregate answers q when it is a MONTHLY question over whole months of
// cost metrics without GroupBy or Filter, as Aggregate's SQL does: a row
// per month with lines, each metric's sum, and the currency when every
// contributing combination has the same non-empty one, else N/A.
func (m *monthCols) aggregate(q *query.Aggregate) ([]query.Row, bool) {
	if !monthlyTotal(q) {
		return nil, false
	}
	cols := make([]int, len(q.Metrics))
	for i, metric := range q.Metrics {
		cols[i] = slices.IndexFunc(columns.Money, func(c struct {
			Metric billing.Metric
			Col    string
		}) bool {
			return c.Metric == metric
		})
		if cols[i] < 0 {
			return nil, false
		}
	}
	type bucket struct {
		month int64
		sums  []int64
		unit  int32
		mixed bool
	}
	var buckets []*bucket
	lo, hi, inScope := m.rows(q.Period.Start.UnixMicro(), q.Period.End.UnixMicro(), q.Scope)
	var bk *bucket
	for i := lo; i < hi; i++ {
		if !inScope(i) {
			continue
		}
		if bk == nil || bk.month != m.month[i] { // rows are sorted by month
			bk = &bucket{month: m.month[i], sums: make([]int64, len(cols)), unit: m.currency[i]}
			buckets = append(buckets, bk)
		}
		if cur := m.currency[i]; cur != bk.unit || m.names[cur] == "" {
			bk.mixed = true
		}
		for j, c := range cols {
			s, ok := addInt64(bk.sums[j], m.money[c][i])
			if !ok {
				return nil, false // beyond 64 bits: the SQL sums exactly
			}
			bk.sums[j] = s
		}
	}
	out := make([]query.Row, len(buckets))
	for i, bk := range buckets {
		unit := m.names[bk.unit]
		if bk.mixed {
			unit = "N/A"
		}
		out[i] = query.Row{Bucket: time.UnixMicro(bk.month).UTC(), Values: make([]query.Value, len(cols))}
		for j, s := range bk.sums {
			out[i].Values[j] = query.Value{Amount: big.NewInt(s), Unit: unit}
		}
	}
	return out, true
}

// dimensionValues answers q when it lists, without filter, search or sort,
// a dimension of the combinations that has no attribute, over whole months,
// as DimensionValues' SQL does: the distinct non-empty values in byte
// order.
// values holds the dimension's value of every combination (comboValues).
func (m *monthCols) dimensionValues(q *query.DimensionValues, values map[int32]string) ([]query.DimensionValue, bool) {
	if !plainValues(q) {
		return nil, false
	}
	p := billing.WholeDays(q.Period)
	from, to := p.Start.UnixMicro(), p.End.UnixMicro()
	seen := map[string]bool{}
	var list []string
	lo, hi, inScope := m.rows(from, to, q.Scope)
	for i := lo; i < hi; i++ {
		if !inScope(i) {
			continue
		}
		if v := values[m.combo[i]]; v != "" && !seen[v] {
			seen[v] = true
			list = append(list, v)
		}
	}
	slices.Sort(list)
	if q.Limit > 0 && len(list) > q.Limit {
		list = list[:q.Limit]
	}
	var out []query.DimensionValue
	for _, v := range list {
		out = append(out, query.DimensionValue{Value: v, Attributes: map[string]string{}})
	}
	return out, true
}

// comboValues returns the value of a combination column (a dimension's,
// from columnOf) for every combination, loading it on the first question
// that needs it. Combinations are never deleted nor changed, so values
// loaded after the version moved on only hold more of them.
func (db *DB) comboValues(ctx context.Context, m *monthCols, col string) (map[int32]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if vals, ok := m.dims[col]; ok {
		return vals, nil
	}
	rows, err := db.h().QueryContext(ctx, `SELECT id, `+col+` FROM combos`)
	if err != nil {
		return nil, fmt.Errorf("duckdb: combination values: %w", err)
	}
	defer rows.Close()
	vals := map[int32]string{}
	for rows.Next() {
		var id int32
		var v string
		if err := rows.Scan(&id, &v); err != nil {
			return nil, fmt.Errorf("duckdb: combination values: %w", err)
		}
		vals[id] = v
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	m.dims[col] = vals
	return vals, nil
}

// addInt64 returns a+b and whether it did not overflow.
func addInt64(a, b int64) (int64, bool) {
	s := a + b
	return s, (a >= 0) != (b >= 0) || (s >= 0) == (a >= 0)
}
