package clickhouse

import (
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store/columns"
)

// Cost categories defined in Tally (query.Categories) are evaluated on the
// row the query reads (a rollup row or a line), as one CASE expression over
// its columns: the version of the row's billing month, its rules in order,
// the first that gives a value winning, then its default. The SQL text is
// columns.CategoryValue's, shared with the DuckDB store. A rule reads
// dimensions as columns, a tag as its value in the key/value arrays ("" when
// absent or inactive in the row's payer and month), and another defined
// category as that category's expression, written in place. A rollup query
// stays a rollup query. 18.16 accepts CASE (it rewrites it as multiIf);
// dates are string literals turned into Date by toDate.

// defined returns the defined category name, unless its value is being
// written (a cycle of categories reading each other): then the category is
// read from the billing data, as in the DuckDB store.
func (b *builder) defined(name string) (*query.Category, bool) {
	c, ok := b.defs[name]
	return c, ok && !b.visiting[name]
}

// categoryValue returns the SQL expression of c's value on the row. Its
// strings are written as literals rather than bound arguments, so that the
// expression can appear more than once in a query (in the group key and in
// the filter, twice in one condition).
func (b *builder) categoryValue(c *query.Category) (string, error) {
	visiting := maps.Clone(b.visiting)
	if visiting == nil {
		visiting = map[string]bool{}
	}
	visiting[c.Name] = true
	sub := &builder{active: b.active, all: b.all, defs: b.defs, visiting: visiting, inRule: true}
	v, err := columns.CategoryValue(c, columns.CategoryDialect{
		Month: "month",
		Date:  func(t time.Time) string { return "toDate('" + t.Format("2006-01-02") + "')" },
		Arg:   func(s string) string { return sub.arg(s) },
		Cond: func(e query.Expr) (string, error) {
			w := &builder{active: b.active, all: b.all, defs: b.defs, visiting: visiting, inRule: true}
			if err := w.expr(e, rollupSource("")); err != nil {
				return "", err
			}
			sub.args = append(sub.args, w.args...)
			return w.String(), nil
		},
		Tag:         b.literalTagValue,
		AccountName: "account_name",
	})
	if err != nil {
		return "", err
	}
	return inline(v, sub.args)
}

// inline replaces each ? of text (which holds no other) with its argument
// as a ClickHouse string literal, escaped as clickhouse-go binds strings.
func inline(text string, args []any) (string, error) {
	var sb strings.Builder
	n := 0
	for _, r := range text {
		if r != '?' {
			sb.WriteRune(r)
			continue
		}
		if n >= len(args) {
			return "", fmt.Errorf("clickhouse: category SQL has more placeholders than arguments")
		}
		s, ok := args[n].(string)
		if !ok {
			return "", fmt.Errorf("clickhouse: category SQL argument %T is not a string", args[n])
		}
		sb.WriteString(quote(s))
		n++
	}
	if n != len(args) {
		return "", fmt.Errorf("clickhouse: category SQL has fewer placeholders than arguments")
	}
	return sb.String(), nil
}

// quoter escapes as clickhouse-go binds strings, and writes ? as \x3F so
// that an inlined expression holds no ? that a later binding would take for
// a placeholder.
var quoter = strings.NewReplacer(`\`, `\\`, `'`, `\'`, `?`, `\x3F`)

func quote(s string) string { return "'" + quoter.Replace(s) + "'" }

// literalTagValue is tagValue with its strings written as literals, for
// text that repeats it.
func (b *builder) literalTagValue(key string) string {
	w := &builder{active: b.active, all: b.all}
	v, err := inline(w.tagValue(key), w.args)
	if err != nil {
		panic(err) // tagValue binds strings only
	}
	return v
}

// categoryMatch writes the condition of a filter on a value col (a defined
// category's, or a tag's read by a rule), "" for no value.
func (b *builder) categoryMatch(col string, m *query.Match) {
	b.WriteString(columns.ValueMatch(col, m, b.valueCond, "0"))
}
