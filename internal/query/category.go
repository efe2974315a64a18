package query

import "time"

// Category is a cost category defined through the API (rather than carried
// in the billing data): its versions, each in effect over a run of billing
// months. A store evaluates a line's value from the version of the line's
// billing month: the first rule that gives a value wins, then the default;
// a line of a month no version covers, or that no rule matches and no
// default catches, has the empty value.
type Category struct {
	Name     string
	Versions []CategoryVersion // ordered by Start, not overlapping
}

// CategoryVersion is the definition of a category from the billing month
// Start up to End (zero: no end).
type CategoryVersion struct {
	Start, End time.Time
	Rules      []CategoryRule
	Default    string // "" for none
}

// CategoryRule is one rule of a category. A regular rule gives Value to the
// lines Match selects; Match reads only the dimensions, tags and other
// defined categories AWS allows in cost category rules. An inherited rule
// (InheritTag or InheritAccountName) gives a line the value of that tag, or
// the name of its usage account, when the line has one.
type CategoryRule struct {
	Value              string
	Match              Expr
	InheritTag         string
	InheritAccountName bool
}

// Categories are the defined categories of a question by name. A defined
// category takes precedence over a category of the same name carried in
// the billing data.
type Categories map[string]*Category
