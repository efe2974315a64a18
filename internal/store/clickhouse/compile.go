package clickhouse

import (
	"fmt"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store"
	"github.com/tallyhq/tally/internal/store/columns"
)

// builder collects SQL text and its arguments in textual order. User
// strings only ever travel as arguments (bound by the client as quoted
// literals); identifiers come from our tables.
type builder struct {
	strings.Builder
	args []any
	// active lists, per tag key, the payers and months in which it is
	// active; nil counts every key as active.
	active map[string][][2]string
	// all is every (payer, key, month) of active, for questions over every
	// key.
	all [][3]string
	// defs are the cost categories defined in Tally that the question may
	// read (see categoryValue); visiting names those whose value is being
	// written, and inRule says the text is a rule's condition.
	defs     query.Categories
	visiting map[string]bool
	inRule   bool
}

func (b *builder) arg(v any) string {
	b.args = append(b.args, v)
	return "?"
}

func (b *builder) argList(vs []string, lower bool) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		if lower {
			v = strings.ToLower(v)
		}
		parts[i] = b.arg(v)
	}
	return strings.Join(parts, ", ")
}

// newBuilder makes a builder for the active tag uses tm (nil: every key
// active).
func newBuilder(tm []store.TagUse) *builder {
	b := &builder{}
	if tm == nil {
		return b
	}
	b.active = map[string][][2]string{}
	for _, t := range tm {
		m := t.Month.Format("2006-01-02")
		b.active[t.Key] = append(b.active[t.Key], [2]string{t.Payer, m})
		b.all = append(b.all, [3]string{t.Payer, t.Key, m})
	}
	return b
}

// source is the table a question reads and how it sums usage.
type source struct {
	table string // Distributed table
	ts    string // the row's time
	lines bool   // line items, which carry resource_id
	// usage and normalized sum the two usage metrics; usageUnit is the
	// condition of a row whose unit counts.
	usage, normalized, unitRow string
}

func rollupSource(table string) source {
	return source{table: table, ts: "ts", usage: "sum(usage)", normalized: "sum(normalized)",
		unitRow: "usage_lines > 0 AND usage_unit <> ''"}
}

func lineSource() source {
	return source{table: "line_items", ts: "usage_start", lines: true,
		usage: "sumIf(usage, " + counted + ")", normalized: "sumIf(normalized, " + counted + ")",
		unitRow: "(" + counted + ") AND usage_unit <> ''"}
}

func timeLiteral(t time.Time) string {
	return "toDateTime('" + t.UTC().Format("2006-01-02 15:04:05") + "', 'UTC')"
}

// where writes the WHERE clause of every read: the active generations, the
// time range, the account scope and the filter.
func (b *builder) where(gens []int64, p billing.Period, scope query.Scope, filter query.Expr, src source) error {
	b.WriteString(" WHERE gen IN (" + genList(gens) + ")")
	b.WriteString(" AND " + src.ts + " >= " + timeLiteral(p.Start) + " AND " + src.ts + " < " + timeLiteral(p.End))
	if scope.Account != "" {
		b.WriteString(" AND (payer = " + b.arg(scope.Account) + " OR account = " + b.arg(scope.Account) + ")")
	}
	if filter != nil {
		b.WriteString(" AND ")
		return b.expr(filter, src)
	}
	return nil
}

func (b *builder) expr(e query.Expr, src source) error {
	return columns.WriteBool(&b.Builder, e, func(m *query.Match) error { return b.match(m, src) })
}

// dimension returns the column of a dimension in src.
func dimension(d billing.Dimension, src source) (string, error) {
	if col, ok := columns.Of(d); ok {
		return col, nil
	}
	if d == billing.DimResourceID && src.lines {
		return "resource_id", nil
	}
	return "", fmt.Errorf("clickhouse: dimension %s cannot be read here", d)
}

func (b *builder) match(m *query.Match, src source) error {
	switch m.Kind {
	case query.KindDimension:
		col, err := dimension(m.Dimension(), src)
		if err != nil {
			return err
		}
		if m.Op == query.OpAbsent {
			// Ingest stores Cost Explorer's no-value spelling (NoRegion).
			b.WriteString("(" + col + " = '' OR " + col + " = " + b.arg(billing.NoValue(m.Dimension())) + ")")
			return nil
		}
		b.WriteString("(" + b.valueCond(col, m) + ")")
		return nil
	case query.KindTag:
		if b.inRule && m.Key != "" {
			// Rules read a tag as its value, "" when absent or inactive.
			b.categoryMatch(b.literalTagValue(m.Key), m)
			return nil
		}
		b.labelMatch(m, "tag")
		return nil
	case query.KindCostCategory:
		if c, ok := b.defined(m.Key); ok {
			col, err := b.categoryValue(c)
			if err != nil {
				return err
			}
			b.categoryMatch(col, m)
			return nil
		}
		b.labelMatch(m, "cc")
		return nil
	}
	return fmt.Errorf("clickhouse: unknown match kind %v", m.Kind)
}

// tagActive is the condition that tag key (an argument) is active on the
// row's payer and billing month.
func (b *builder) tagActive(key string) string {
	if b.active == nil {
		return "1"
	}
	pm := b.active[key]
	if len(pm) == 0 {
		return "0"
	}
	parts := make([]string, len(pm))
	for i, x := range pm {
		parts[i] = "(" + b.arg(x[0]) + ", " + b.arg(x[1]) + ")"
	}
	return "(payer, toString(month)) IN (" + strings.Join(parts, ", ") + ")"
}

// activeKeys is the array of the row's tag keys that are active on its
// payer and billing month. 18.16's lambdas cannot read the row's columns,
// so payer and month are passed in as arrays beside the keys.
func (b *builder) activeKeys() string {
	switch {
	case b.active == nil:
		return "tag_keys"
	case len(b.all) == 0:
		return "arrayFilter(k -> 0, tag_keys)"
	}
	parts := make([]string, len(b.all))
	for i, x := range b.all {
		parts[i] = "(" + b.arg(x[0]) + ", " + b.arg(x[1]) + ", " + b.arg(x[2]) + ")"
	}
	return "arrayFilter((k, p, m) -> (p, k, m) IN (" + strings.Join(parts, ", ") + "), tag_keys, " +
		"arrayResize([payer], length(tag_keys), payer), arrayResize([toString(month)], length(tag_keys), toString(month)))"
}

// visible is the condition that the row has label key (a tag active in the
// row's month, or a cost category).
func (b *builder) visible(kind, key string) string {
	has := "has(" + kind + "_keys, " + b.arg(key) + ")"
	if kind != "tag" {
		return has
	}
	return "(" + has + " AND " + b.tagActive(key) + ")"
}

// labelValue is the raw value of label key ("" when absent).
func (b *builder) labelValue(kind, key string) string {
	return kind + "_values[indexOf(" + kind + "_keys, " + b.arg(key) + ")]"
}

// tagValue is the value of tag key on the row, "" when the row lacks it or
// it is inactive in the row's payer and billing month.
func (b *builder) tagValue(key string) string {
	return "if(" + b.visible("tag", key) + ", " + b.labelValue("tag", key) + ", '')"
}

// labelMatch filters on a tag or cost category: the row must hold the key,
// visible, with a matching value. An absent key, or a tag inactive in the
// row's month, reads as the empty value.
func (b *builder) labelMatch(m *query.Match, kind string) {
	if m.Op == query.OpAbsent {
		switch {
		case m.Key != "":
			b.WriteString("NOT " + b.visible(kind, m.Key))
		case kind == "tag":
			b.WriteString("empty(" + b.activeKeys() + ")")
		default:
			b.WriteString("empty(cc_keys)")
		}
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
		mm := *m
		mm.Values = vals
		b.WriteString("(" + b.visible(kind, m.Key) + " AND (")
		b.WriteString(b.valueCond(b.labelValue(kind, m.Key), &mm))
		b.WriteString("))")
	} else {
		b.WriteString("0")
	}
	if wantEmpty && m.Op == query.OpEquals {
		b.WriteString(" OR NOT " + b.visible(kind, m.Key))
	}
	b.WriteString(")")
}

// valueCond compares an expression with the match's values.
func (b *builder) valueCond(col string, m *query.Match) string {
	ci := m.CaseInsensitive
	if ci {
		col = "lowerUTF8(" + col + ")"
	}
	switch m.Op {
	case query.OpEquals:
		return col + " IN (" + b.argList(m.Values, ci) + ")"
	case query.OpGreaterThanOrEqual:
		return col + " >= " + b.arg(m.Values[0])
	}
	parts := make([]string, len(m.Values))
	for i, v := range m.Values {
		if ci {
			v = strings.ToLower(v)
		}
		switch m.Op {
		case query.OpStartsWith:
			parts[i] = "startsWith(" + col + ", " + b.arg(v) + ")"
		case query.OpEndsWith:
			parts[i] = "endsWith(" + col + ", " + b.arg(v) + ")"
		default: // contains
			parts[i] = "position(" + col + ", " + b.arg(v) + ") > 0"
		}
	}
	return strings.Join(parts, " OR ")
}

// groupKey returns the SQL expression of group key g's value.
func (b *builder) groupKey(g query.GroupKey, src source) (string, error) {
	switch g.Kind {
	case query.KindDimension:
		return dimension(billing.Dimension(g.Key), src)
	case query.KindTag:
		return b.tagValue(g.Key), nil
	case query.KindCostCategory:
		if c, ok := b.defined(g.Key); ok {
			return b.categoryValue(c)
		}
		return b.labelValue("cc", g.Key), nil
	}
	return "", fmt.Errorf("clickhouse: cannot group by %s", g.Key)
}

// metricSQL returns the sum and unit expressions of a metric over src.
func metricSQL(m billing.Metric, src source) (sum, unit string) {
	if col, ok := columns.MoneyOf(m); ok {
		if src.lines {
			return lineMoneySum(col), columns.CurrencyUnit("currency")
		}
		return "sum(" + col + ")", columns.CurrencyUnit("currency")
	}
	if m == billing.NormalizedUsageAmount {
		// Cost Explorer answers normalized units, which are no usage unit,
		// in "N/A" (as the DuckDB store).
		return src.normalized, "'N/A'"
	}
	// An empty unit is unknown, not a unit of its own: no known unit gives
	// "", several give N/A.
	c := src.unitRow
	return src.usage, "if(countIf(" + c + ") = 0, '', if(minIf(usage_unit, " + c + ") = maxIf(usage_unit, " + c +
		"), minIf(usage_unit, " + c + "), 'N/A'))"
}
