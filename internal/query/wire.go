package query

// WireNode is one object of a service's wire Expression (Cost Explorer's and
// Budgets' differ only in their leaf types), taken apart so that both
// services share one conversion. Exactly one member may be set.
type WireNode[T any] struct {
	Or, And                          []T
	Not                              *T
	Dimensions, Tags, CostCategories *WireLeaf
}

// WireLeaf is a Dimensions, Tags or CostCategories object.
type WireLeaf struct {
	Key          string
	Values       []string
	MatchOptions []string
}

// FromWire converts a wire Expression into an Expr; a nil e is no filter.
// parts takes one object apart. It enforces exactly one root per object and
// reads MatchOptions; Validate then checks what each operation allows.
// Errors are *ValidationError.
func FromWire[T any](e *T, parts func(*T) WireNode[T]) (Expr, error) {
	if e == nil {
		return nil, nil
	}
	n := parts(e)
	roots := 0
	for _, set := range []bool{n.Or != nil, n.And != nil, n.Not != nil, n.Dimensions != nil, n.Tags != nil, n.CostCategories != nil} {
		if set {
			roots++
		}
	}
	switch {
	case roots == 0:
		return nil, invalid("empty expression: one of And, Or, Not, Dimensions, Tags or CostCategories is required")
	case roots > 1:
		return nil, invalid("Expression has more than one roots. Only one root operator is allowed for each expression: And, Or, Not, Dimensions, Tags, CostCategories")
	case n.Or != nil || n.And != nil:
		list := n.Or
		if n.And != nil {
			list = n.And
		}
		out := make([]Expr, len(list))
		for i := range list {
			x, err := FromWire(&list[i], parts)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		if n.And != nil {
			return And(out), nil
		}
		return Or(out), nil
	case n.Not != nil:
		x, err := FromWire(n.Not, parts)
		if err != nil {
			return nil, err
		}
		return Not{X: x}, nil
	case n.Dimensions != nil:
		return n.Dimensions.match(KindDimension)
	case n.Tags != nil:
		return n.Tags.match(KindTag)
	case n.CostCategories != nil:
		return n.CostCategories.match(KindCostCategory)
	}
	panic("unreachable")
}

func (l *WireLeaf) match(kind Kind) (*Match, error) {
	m := &Match{Kind: kind, Key: l.Key, Values: l.Values, Op: OpEquals}
	seenOp := false
	for _, o := range l.MatchOptions {
		switch o {
		case "CASE_SENSITIVE":
		case "CASE_INSENSITIVE":
			m.CaseInsensitive = true
		default:
			op, ok := ParseMatchOp(o)
			if !ok {
				return nil, invalid("unknown MatchOption %s", o)
			}
			if seenOp && op != m.Op {
				return nil, invalid("MatchOptions may hold one comparison (EQUALS, ABSENT, STARTS_WITH, ENDS_WITH, CONTAINS or GREATER_THAN_OR_EQUAL), got %s and %s", m.Op, op)
			}
			m.Op, seenOp = op, true
		}
	}
	if kind != KindDimension && !seenOp && l.Values == nil {
		// "If Values and Key aren't specified, the ABSENT MatchOption is
		// applied to all tags"; "if Key is provided and Values isn't
		// specified, the ABSENT MatchOption is applied to the tag Key only".
		m.Op = OpAbsent
	}
	return m, nil
}
