package duckdb

import (
	"fmt"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store/columns"
)

// sqlBuilder collects SQL text and its arguments in textual order. User
// strings only ever travel as arguments; identifiers come from our tables.
type sqlBuilder struct {
	strings.Builder
	args []any
	// cats holds the SQL expression of the value of each defined cost
	// category the query reads (see categoryJoin).
	cats map[string]string
	// tags holds the SQL expression of the value of tag keys that a
	// category's rules read ("" when absent or inactive).
	tags map[string]string
}

func (b *sqlBuilder) arg(v any) string {
	b.args = append(b.args, v)
	return "?"
}

func (b *sqlBuilder) argList(vs []string, lower bool) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		if lower {
			v = strings.ToLower(v)
		}
		parts[i] = b.arg(v)
	}
	return strings.Join(parts, ", ")
}

// source says which relation a query reads and how to reach the billing month
// of a row (tag activation is per billing month).
type source struct {
	from  string // e.g. "rollup_day r JOIN combos c ON c.id = r.combo"
	month string // SQL expression of the row's billing month
	ts    string // SQL expression of the row's time
	// usage and normalized sum to UsageQuantity and NormalizedUsageAmount;
	// counted holds for rows whose usage counts.
	usage, normalized, counted string
	// lines is set when the relation is the line items (r.resource_id exists).
	lines bool
}

// rollupSource reads a rollup table.
func rollupSource(table string) source {
	return source{from: withCombos(table), month: "r.month", ts: "r.ts",
		usage: "r.usage", normalized: "r.normalized", counted: "r.usage_lines > 0"}
}

// lineSource reads line items of active generations.
func lineSource() source {
	counted := usageCounted()
	return source{from: withCombos(allLineItems) + " JOIN generations g ON g.gen = r.gen", month: "g.month", ts: "r.usage_start", lines: true,
		usage:      "CASE WHEN " + counted + " THEN CAST(r.usage AS DECIMAL(38,10)) ELSE 0 END",
		normalized: "CASE WHEN " + counted + " THEN CAST(r.normalized AS DECIMAL(38,10)) ELSE 0 END",
		counted:    counted}
}

// withCombos returns the FROM clause of table (aliased r) joined with its
// combos (aliased c).
func withCombos(table string) string { return table + " r JOIN combos c ON c.id = r.combo" }

// activeGenerations selects the newest generation of every billing period.
const activeGenerations = `SELECT max(gen) FROM generations GROUP BY source, month`

var activeGens = `r.gen IN (` + activeGenerations + `)`

func tsLiteral(t time.Time) string {
	return "TIMESTAMP '" + t.UTC().Format("2006-01-02 15:04:05") + "'"
}

// where writes the WHERE clause shared by every read: active generations,
// the time range, the account scope and the filter.
func (b *sqlBuilder) where(p billing.Period, scope query.Scope, filter query.Expr, src source) error {
	b.WriteString(" WHERE " + activeGens)
	b.WriteString(" AND " + src.ts + " >= " + tsLiteral(p.Start) + " AND " + src.ts + " < " + tsLiteral(p.End))
	if scope.Account != "" {
		b.WriteString(" AND (c.payer = " + b.arg(scope.Account) + " OR c.account = " + b.arg(scope.Account) + ")")
	}
	if filter != nil {
		b.WriteString(" AND ")
		return b.expr(filter, src)
	}
	return nil
}

func (b *sqlBuilder) expr(e query.Expr, src source) error {
	return columns.WriteBool(&b.Builder, e, func(m *query.Match) error { return b.match(m, src) })
}

func (b *sqlBuilder) match(m *query.Match, src source) error {
	switch m.Kind {
	case query.KindDimension:
		col, ok := columnOf(m.Dimension())
		switch {
		case ok:
			col = "c." + col
		case m.Dimension() == billing.DimResourceID && src.lines:
			col = "r.resource_id"
		default:
			return fmt.Errorf("duckdb: dimension %s cannot be filtered here", m.Key)
		}
		if m.Op == query.OpAbsent {
			// Ingest stores Cost Explorer's no-value spelling (NoRegion).
			b.WriteString("(" + col + " = '' OR " + col + " = " + b.arg(billing.NoValue(m.Dimension())) + ")")
			return nil
		}
		b.WriteString("(" + b.valueCond(col, m) + ")")
		return nil
	case query.KindTag:
		if col, ok := b.tags[m.Key]; ok {
			b.categoryMatch(col, m)
			return nil
		}
		b.labelMatch(m, "tag_sets", "r.tag_set", "JOIN tag_status st ON st.payer = c.payer AND st.key = s.key AND st.month = "+src.month+" AND st.active")
		return nil
	case query.KindCostCategory:
		if col, ok := b.cats[m.Key]; ok {
			b.categoryMatch(col, m)
			return nil
		}
		b.labelMatch(m, "cc_sets", "r.cc_set", "")
		return nil
	}
	return fmt.Errorf("duckdb: unknown match kind %v", m.Kind)
}

// labelMatch filters on a tag or cost category: the row's set must hold the
// key with a matching value. An absent key, or a key whose tag is inactive in
// the row's month, reads as the empty value.
func (b *sqlBuilder) labelMatch(m *query.Match, table, setCol, statusJoin string) {
	exists := func(cond func()) {
		b.WriteString("EXISTS (SELECT 1 FROM " + table + " s " + statusJoin + " WHERE s.id = " + setCol)
		cond()
		b.WriteString(")")
	}
	if m.Op == query.OpAbsent {
		b.WriteString("NOT ")
		exists(func() {
			if m.Key != "" {
				b.WriteString(" AND s.key = " + b.arg(m.Key))
			}
		})
		return
	}
	wantEmpty := false
	var vals []string
	for _, v := range m.Values {
		if v == "" {
			wantEmpty = true
		} else {
			vals = append(vals, v)
		}
	}
	b.WriteString("(")
	if len(vals) > 0 {
		exists(func() {
			b.WriteString(" AND s.key = " + b.arg(m.Key) + " AND (")
			mm := *m
			mm.Values = vals
			b.WriteString(b.valueCond("s.value", &mm))
			b.WriteString(")")
		})
	} else {
		b.WriteString("FALSE")
	}
	if wantEmpty && m.Op == query.OpEquals {
		b.WriteString(" OR NOT ")
		exists(func() { b.WriteString(" AND s.key = " + b.arg(m.Key)) })
	}
	b.WriteString(")")
}

// valueCond compares a column with the match's values.
func (b *sqlBuilder) valueCond(col string, m *query.Match) string {
	ci := m.CaseInsensitive
	if ci {
		col = "lower(" + col + ")"
	}
	switch m.Op {
	case query.OpEquals:
		return col + " IN (" + b.argList(m.Values, ci) + ")"
	case query.OpGreaterThanOrEqual:
		return col + " >= " + b.arg(m.Values[0])
	}
	fn := map[query.MatchOp]string{query.OpStartsWith: "starts_with", query.OpEndsWith: "ends_with", query.OpContains: "contains"}[m.Op]
	parts := make([]string, len(m.Values))
	for i, v := range m.Values {
		if ci {
			v = strings.ToLower(v)
		}
		parts[i] = fn + "(" + col + ", " + b.arg(v) + ")"
	}
	return strings.Join(parts, " OR ")
}

// groupJoin adds the join that exposes group key i of a tag or cost category
// and returns the SQL expression of its value.
func (b *sqlBuilder) groupJoin(i int, g query.GroupKey, src source) (string, error) {
	alias := fmt.Sprintf("gk%d", i)
	switch g.Kind {
	case query.KindDimension:
		col, ok := columnOf(billing.Dimension(g.Key))
		switch {
		case ok:
			return "c." + col, nil
		case billing.Dimension(g.Key) == billing.DimResourceID && src.lines:
			return "r.resource_id", nil
		}
		return "", fmt.Errorf("duckdb: cannot group by %s", g.Key)
	case query.KindTag:
		b.WriteString(" LEFT JOIN (SELECT s.id, st.payer, st.month, s.value FROM tag_sets s JOIN tag_status st ON st.key = s.key AND st.active WHERE s.key = " +
			b.arg(g.Key) + ") " + alias + " ON " + alias + ".id = r.tag_set AND " + alias + ".payer = c.payer AND " + alias + ".month = " + src.month)
	case query.KindCostCategory:
		if col, ok := b.cats[g.Key]; ok {
			return col, nil
		}
		b.WriteString(" LEFT JOIN (SELECT id, value FROM cc_sets WHERE key = " + b.arg(g.Key) + ") " + alias + " ON " + alias + ".id = r.cc_set")
	}
	return "coalesce(" + alias + ".value, '')", nil
}

// metricSQL returns the sum and unit expressions of a metric over src.
func metricSQL(m billing.Metric, src source) (sum, unit string) {
	// Units compare the least and greatest value rather than counting
	// distinct ones, which is much cheaper per group.
	if col, ok := columns.MoneyOf(m); ok {
		return "sum(r." + col + ")", columns.CurrencyUnit("c.currency")
	}
	if m == billing.NormalizedUsageAmount {
		// Cost Explorer answers normalized units, which are no usage unit,
		// in "N/A" (recorded responses: "NormalizedUsageAmount": {"Amount":
		// "372", "Unit": "N/A"} beside "UsageQuantity" in "Hrs").
		return "coalesce(sum(" + src.normalized + "), 0)", "'N/A'"
	}
	sum = src.usage
	known := "nullif(c.usage_unit, '')) FILTER (WHERE " + src.counted + ")"
	return "coalesce(sum(" + sum + "), 0)",
		// An empty unit is unknown, not a unit of its own: no known unit
		// gives "", several give N/A.
		"CASE WHEN min(" + known + " IS NULL THEN '' WHEN min(" + known + " = max(" + known + " THEN min(" + known + " ELSE 'N/A' END"
}
