package query

import "github.com/tallyhq/tally/internal/billing"

// SortKey orders values by a metric's sum over the period.
type SortKey struct {
	Metric     billing.Metric
	Descending bool
}

// DimensionValues asks for the values of one dimension that have cost or
// usage in a period (GetDimensionValues).
type DimensionValues struct {
	Period    billing.Period
	Dimension billing.Dimension
	Search    string // case-insensitive substring; "" matches all
	Filter    Expr
	Scope     Scope
	SortBy    []SortKey // nil: by value
	Limit     int       // 0: no limit
	// Categories are the defined cost categories the filter reads.
	Categories Categories
}

// DimensionValue is one value of a dimension with the attributes Cost
// Explorer returns beside it (description for LINKED_ACCOUNT, unit for
// USAGE_TYPE and USAGE_TYPE_GROUP).
type DimensionValue struct {
	Value      string
	Attributes map[string]string
}

// ValueOf is value of dimension d with the attribute a store read beside
// it: an account's name (description) or a usage type's unit; an empty
// attribute is left out, as Cost Explorer does.
func ValueOf(d billing.Dimension, value, attr string) DimensionValue {
	dv := DimensionValue{Value: value, Attributes: map[string]string{}}
	switch {
	case d == billing.DimLinkedAccount && attr != "":
		dv.Attributes["description"] = attr
	case (d == billing.DimUsageType || d == billing.DimUsageTypeGroup) && attr != "":
		dv.Attributes["unit"] = attr
	}
	return dv
}

// Tags asks for the tag keys active in a period, or for the values of one key
// (GetTags); with CostCategories, for cost category names or values
// (GetCostCategories).
type Tags struct {
	CostCategories bool
	Period         billing.Period
	Key            string // "": list keys
	Search         string
	Filter         Expr
	Scope          Scope
	SortBy         []SortKey
	Limit          int
	// Categories are the defined cost categories the filter, or the
	// category named by Key, read.
	Categories Categories
}
