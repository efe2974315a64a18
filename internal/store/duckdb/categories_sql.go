package duckdb

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store/columns"
)

// Defined cost categories (query.Categories) are evaluated once per
// distinct (billing month, combo, tag set, data category set) of the rows
// in the period, not once per row: a derived table dc holds those keys and
// one column per needed category, and the query joins it on the keys. A
// rollup query stays a rollup query. Categories that rules of others read
// are computed first, in layers, so a rule reads them as a column.

// usedCategories lists the defined categories a question reads (in its
// groups and filter), with the defined categories their rules read, each
// after the categories it reads.
func usedCategories(defs query.Categories, groups []query.GroupKey, filter query.Expr) []*query.Category {
	var order []*query.Category
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(name string)
	visit = func(name string) {
		c, ok := defs[name]
		if !ok || state[name] != 0 {
			return // not defined, done, or a cycle (read from the data)
		}
		state[name] = 1
		for _, v := range c.Versions {
			for _, r := range v.Rules {
				walkMatches(r.Match, func(m *query.Match) {
					if m.Kind == query.KindCostCategory {
						visit(m.Key)
					}
				})
			}
		}
		state[name] = 2
		order = append(order, c)
	}
	for _, g := range groups {
		if g.Kind == query.KindCostCategory {
			visit(g.Key)
		}
	}
	walkMatches(filter, func(m *query.Match) {
		if m.Kind == query.KindCostCategory {
			visit(m.Key)
		}
	})
	return order
}

func walkMatches(e query.Expr, fn func(*query.Match)) {
	switch x := e.(type) {
	case query.And:
		for _, y := range x {
			walkMatches(y, fn)
		}
	case query.Or:
		for _, y := range x {
			walkMatches(y, fn)
		}
	case query.Not:
		walkMatches(x.X, fn)
	case *query.Match:
		fn(x)
	}
}

// categoryJoin writes the LEFT JOIN of the derived table dc that holds the
// values of cats for the rows of src in p, and records in b.cats the SQL
// expression of each category's value.
func (b *sqlBuilder) categoryJoin(cats []*query.Category, src source, rowsWhere string) error {
	if len(cats) == 0 {
		return nil
	}
	if b.cats == nil {
		b.cats = map[string]string{}
	}
	// Layer i adds column v<i> to layer i-1; rules read earlier columns.
	// The innermost query holds the distinct keys and, as columns t<j>, the
	// value of each tag key the rules read (active in the key's month), so
	// that rules compare columns rather than look tags up once per rule.
	var inner sqlBuilder
	keys := ruleTagKeys(cats)
	inner.WriteString("SELECT k.*")
	for j := range keys {
		fmt.Fprintf(&inner, ", coalesce(tj%d.value, '') AS t%d", j, j)
	}
	inner.WriteString(" FROM (SELECT DISTINCT " + src.month + " AS month, r.combo, r.tag_set, r.cc_set FROM " + src.from + " WHERE " + rowsWhere + ") k")
	if len(keys) > 0 { // a line's tags follow its payer's statuses
		inner.WriteString(" JOIN combos kc ON kc.id = k.combo")
	}
	tags := map[string]string{}
	for j, key := range keys {
		fmt.Fprintf(&inner, " LEFT JOIN (SELECT s.id, st.payer, st.month, s.value FROM tag_sets s JOIN tag_status st ON st.key = s.key AND st.active"+
			" WHERE s.key = %s) tj%d ON tj%d.id = k.tag_set AND tj%d.payer = kc.payer AND tj%d.month = k.month", inner.arg(key), j, j, j, j)
		tags[key] = fmt.Sprintf("r.t%d", j)
	}
	text := inner.String()
	args := inner.args // layer i's arguments come before those of the layers it reads
	for i, c := range cats {
		var layer sqlBuilder
		layer.tags = tags
		layer.cats = map[string]string{}
		for name, col := range b.cats {
			layer.cats[name] = "r." + strings.TrimPrefix(col, "dc.")
		}
		layer.WriteString("SELECT r.*, ")
		if err := layer.categoryCase(c); err != nil {
			return err
		}
		fmt.Fprintf(&layer, " AS v%d FROM (%s) r JOIN combos c ON c.id = r.combo", i, text)
		text = layer.String()
		args = append(layer.args, args...)
		b.cats[c.Name] = fmt.Sprintf("dc.v%d", i)
	}
	b.WriteString(" LEFT JOIN (" + text + ") dc ON dc.month = " + src.month +
		" AND dc.combo = r.combo AND dc.tag_set = r.tag_set AND dc.cc_set = r.cc_set")
	b.args = append(b.args, args...)
	return nil
}

// ruleTagKeys lists the tag keys the rules of cats read, sorted.
func ruleTagKeys(cats []*query.Category) []string {
	seen := map[string]bool{}
	for _, c := range cats {
		for _, v := range c.Versions {
			for _, r := range v.Rules {
				if r.InheritTag != "" {
					seen[r.InheritTag] = true
				}
				walkMatches(r.Match, func(m *query.Match) {
					if m.Kind == query.KindTag && m.Key != "" {
						seen[m.Key] = true
					}
				})
			}
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// catSource is the source rules read: the derived table of distinct keys,
// aliased r, with its billing month.
var catSource = source{from: "categories", month: "r.month"}

// categoryCase writes the expression of a category's value (the SQL text
// is columns.CategoryValue's, shared with ClickHouse): the version of the
// row's month, then its rules in order, then its default.
func (b *sqlBuilder) categoryCase(c *query.Category) error {
	v, err := columns.CategoryValue(c, columns.CategoryDialect{
		Month: "r.month",
		Date:  dateLiteral,
		Arg:   func(s string) string { return b.arg(s) },
		Cond: func(e query.Expr) (string, error) {
			sub := sqlBuilder{tags: b.tags, cats: b.cats}
			if err := sub.expr(e, catSource); err != nil {
				return "", err
			}
			b.args = append(b.args, sub.args...)
			return sub.String(), nil
		},
		Tag:         func(key string) string { return b.tags[key] },
		AccountName: "c.account_name",
	})
	if err != nil {
		return err
	}
	b.WriteString(v)
	return nil
}

func dateLiteral(t time.Time) string {
	return "DATE '" + t.Format("2006-01-02") + "'"
}

// categoryMatch writes the condition of a filter on a defined category
// whose value is the SQL expression col ("" for no value).
func (b *sqlBuilder) categoryMatch(col string, m *query.Match) {
	b.WriteString(columns.ValueMatch(col, m, b.valueCond, "FALSE"))
}
