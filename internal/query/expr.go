package query

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tallyhq/tally/internal/billing"
)

// Expr is a filter expression: And, Or, Not or a *Match.
type Expr interface{ isExpr() }

// And holds when every operand holds.
type And []Expr

// Or holds when any operand holds.
type Or []Expr

// Not holds when its operand does not.
type Not struct{ X Expr }

// Kind says what a Match or a GroupKey looks at.
type Kind int

// The kinds of attribute a line item has.
const (
	KindDimension Kind = iota
	KindTag
	KindCostCategory
)

func (k Kind) String() string {
	switch k {
	case KindDimension:
		return "Dimensions"
	case KindTag:
		return "Tags"
	}
	return "CostCategories"
}

// MatchOp is how a Match compares a line's value with its Values.
type MatchOp int

// The comparison operators of Cost Explorer's MatchOptions.
const (
	OpEquals MatchOp = iota
	OpAbsent
	OpStartsWith
	OpEndsWith
	OpContains
	OpGreaterThanOrEqual
)

// Match is a leaf of an expression: the line's value for Key (a dimension, a
// tag key or a cost category name) compared with Values. Values are combined
// with OR. For tags and cost categories an absent key and an empty value are
// the same: untagged.
type Match struct {
	Kind            Kind
	Key             string
	Values          []string
	Op              MatchOp
	CaseInsensitive bool
}

func (And) isExpr()    {}
func (Or) isExpr()     {}
func (Not) isExpr()    {}
func (*Match) isExpr() {}

// Dimension returns the key of a dimension match as a billing.Dimension.
func (m *Match) Dimension() billing.Dimension { return billing.Dimension(m.Key) }

// Limits bound the size of a filter so that a request cannot make the store
// do unbounded work. AWS documents none; these are generous.
type Limits struct {
	MaxDepth  int // nesting of And/Or/Not
	MaxLeaves int // Match nodes in the whole expression
	MaxValues int // values over all Match nodes
}

// DefaultLimits are the limits Tally applies in every profile.
var DefaultLimits = Limits{MaxDepth: 16, MaxLeaves: 512, MaxValues: 20000}

// Rules say which dimensions and match options an operation accepts in a
// filter.
type Rules struct {
	// Dimensions allowed in Match nodes; nil means every dimension that
	// billing data carries.
	Dimensions map[billing.Dimension]bool
	// Ops allowed per kind, besides case sensitivity which is always allowed.
	Ops map[Kind][]MatchOp
	// CaseInsensitive reports whether CASE_INSENSITIVE is accepted.
	CaseInsensitive bool
	// Operation names the operation in messages, e.g. "GetCostAndUsage".
	Operation string
}

// ValidationError is a rule violation in a request; services answer it as
// ValidationException.
type ValidationError struct{ Msg string }

func (e *ValidationError) Error() string { return e.Msg }

func invalid(format string, args ...any) error {
	return &ValidationError{Msg: fmt.Sprintf(format, args...)}
}

// Validate checks e against rules and limits.
func Validate(e Expr, rules Rules, lim Limits) error {
	leaves, values := 0, 0
	var walk func(e Expr, depth int) error
	walk = func(e Expr, depth int) error {
		if depth > lim.MaxDepth {
			return invalid("filter expression is nested more than %d levels deep", lim.MaxDepth)
		}
		switch x := e.(type) {
		case And:
			return walkList("And", x, depth, walk)
		case Or:
			return walkList("Or", x, depth, walk)
		case Not:
			if x.X == nil {
				return invalid("Not must hold an expression")
			}
			return walk(x.X, depth+1)
		case *Match:
			leaves++
			values += len(x.Values)
			if leaves > lim.MaxLeaves {
				return invalid("filter expression has more than %d Dimensions, Tags or CostCategories terms", lim.MaxLeaves)
			}
			if values > lim.MaxValues {
				return invalid("filter expression has more than %d values in all", lim.MaxValues)
			}
			return validateMatch(x, rules)
		case nil:
			return invalid("empty expression: one of And, Or, Not, Dimensions, Tags or CostCategories is required")
		}
		return invalid("unknown expression")
	}
	return walk(e, 1)
}

func walkList(op string, list []Expr, depth int, walk func(Expr, int) error) error {
	if len(list) < 2 {
		return invalid("%s requires at least two expressions, got %d", op, len(list))
	}
	for _, x := range list {
		if err := walk(x, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func validateMatch(m *Match, rules Rules) error {
	if m.Kind == KindDimension {
		d := billing.Dimension(m.Key)
		if m.Key == "" {
			return invalid("Dimensions must have a Key")
		}
		if rules.Dimensions != nil && !rules.Dimensions[d] {
			return invalid("Dimension %s is not allowed in a %s filter. Valid dimensions: %s", m.Key, rules.Operation, dimList(rules.Dimensions))
		}
		if len(m.Values) == 0 {
			return invalid("Dimensions %s must have at least one value", m.Key)
		}
	}
	if m.Kind == KindCostCategory && m.Key == "" && m.Op != OpAbsent {
		return invalid("CostCategories must have a Key")
	}
	if m.Op != OpAbsent && m.Kind != KindDimension && len(m.Values) == 0 {
		return invalid("%s %s must have at least one value, or the ABSENT match option", m.Kind, m.Key)
	}
	allowed := false
	for _, op := range rules.Ops[m.Kind] {
		allowed = allowed || op == m.Op
	}
	if !allowed {
		return invalid("MatchOption %s is not supported for %s in %s. Valid match options: %s",
			m.Op, m.Kind, rules.Operation, opList(rules.Ops[m.Kind], rules.CaseInsensitive))
	}
	if m.CaseInsensitive && !rules.CaseInsensitive {
		return invalid("MatchOption CASE_INSENSITIVE is not supported for %s in %s. Valid match options: %s",
			m.Kind, rules.Operation, opList(rules.Ops[m.Kind], false))
	}
	return nil
}

var opNames = map[MatchOp]string{OpEquals: "EQUALS", OpAbsent: "ABSENT", OpStartsWith: "STARTS_WITH",
	OpEndsWith: "ENDS_WITH", OpContains: "CONTAINS", OpGreaterThanOrEqual: "GREATER_THAN_OR_EQUAL"}

func (op MatchOp) String() string { return opNames[op] }

// ParseMatchOp maps a wire MatchOption (other than the case options) to a MatchOp.
func ParseMatchOp(s string) (MatchOp, bool) {
	for op, n := range opNames {
		if n == s {
			return op, true
		}
	}
	return 0, false
}

func opList(ops []MatchOp, ci bool) string {
	var names []string
	for _, op := range ops {
		names = append(names, op.String())
	}
	names = append(names, "CASE_SENSITIVE")
	if ci {
		names = append(names, "CASE_INSENSITIVE")
	}
	return strings.Join(names, ", ")
}

func dimList(m map[billing.Dimension]bool) string {
	var names []string
	for _, d := range AllDimensions {
		if m[d] {
			names = append(names, string(d))
		}
	}
	return strings.Join(names, ", ")
}

// AnyMatch reports whether f holds for some Match of e (nil holds none).
func AnyMatch(e Expr, f func(*Match) bool) bool {
	switch x := e.(type) {
	case And:
		return slices.ContainsFunc(x, func(y Expr) bool { return AnyMatch(y, f) })
	case Or:
		return slices.ContainsFunc(x, func(y Expr) bool { return AnyMatch(y, f) })
	case Not:
		return AnyMatch(x.X, f)
	case *Match:
		return f(x)
	}
	return false
}

// ReadsDimension reports whether q groups or filters by dimension d.
func (q *Aggregate) ReadsDimension(d billing.Dimension) bool {
	for _, g := range q.GroupBy {
		if g.Kind == KindDimension && billing.Dimension(g.Key) == d {
			return true
		}
	}
	return AnyMatch(q.Filter, func(m *Match) bool { return m.Kind == KindDimension && m.Dimension() == d })
}
