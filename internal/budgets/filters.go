package budgets

import (
	"slices"
	"sort"
	"strings"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
)

// A budget selects its costs either the classic way, CostFilters and
// CostTypes, or the newer way, FilterExpression and Metrics. Both become a
// query.Expr and a metric, so a budget's spend is exactly what
// GetCostAndUsage returns for the same filter and metric over the period.

// costFilterKeys maps the keys of CostFilters to the dimension they filter.
// AWS documents the keys only by example ("Region, Service, LinkedAccount,
// Tag, or CostCategory"); the Terraform AWS provider documents AZ,
// BillingEntity, CostCategory, InstanceType, InvoicingEntity,
// LegalEntityName, LinkedAccount, Operation, PurchaseType, Region, Service,
// TagKeyValue, UsageType and UsageTypeGroup. The others follow the same
// PascalCase spelling of a dimension (RecordType is the console's "Charge
// type"). TagKeyValue and CostCategory are handled apart.
var costFilterKeys = map[string]billing.Dimension{
	"AZ":                 billing.DimAZ,
	"BillingEntity":      billing.DimBillingEntity,
	"CacheEngine":        billing.DimCacheEngine,
	"DatabaseEngine":     billing.DimDatabaseEngine,
	"DeploymentOption":   billing.DimDeploymentOption,
	"InstanceType":       billing.DimInstanceType,
	"InstanceTypeFamily": billing.DimInstanceTypeFamily,
	"InvoicingEntity":    billing.DimInvoicingEntity,
	"LegalEntityName":    billing.DimLegalEntityName,
	"LinkedAccount":      billing.DimLinkedAccount,
	"OperatingSystem":    billing.DimOperatingSystem,
	"Operation":          billing.DimOperation,
	"PaymentOption":      billing.DimPaymentOption,
	"Platform":           billing.DimPlatform,
	"PurchaseType":       billing.DimPurchaseType,
	"RecordType":         billing.DimRecordType,
	"Region":             billing.DimRegion,
	"ReservationId":      billing.DimReservationID,
	"SavingsPlanArn":     billing.DimSavingsPlanARN,
	"SavingsPlansType":   billing.DimSavingsPlansType,
	"Service":            billing.DimService,
	"Tenancy":            billing.DimTenancy,
	"UsageType":          billing.DimUsageType,
	"UsageTypeGroup":     billing.DimUsageTypeGroup,
}

// The CostFilters keys that name tags and cost categories; their values are
// "Key$Value" ("user:Env$prod" for the user-defined tag Env).
const (
	filterTagKeyValue  = "TagKeyValue"
	filterCostCategory = "CostCategory"
)

func costFilterKeyList() string {
	keys := []string{filterCostCategory, filterTagKeyValue}
	for k := range costFilterKeys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

// costFiltersExpr converts CostFilters: values of one key are ORed, keys are
// ANDed (in key order, so the result is deterministic).
func costFiltersExpr(cf map[string][]string) (query.Expr, error) {
	var and query.And
	for _, key := range sortedKeys(cf) {
		values := cf[key]
		if len(values) == 0 {
			return nil, invalidf("CostFilters %s has no values", key)
		}
		switch key {
		case filterTagKeyValue, filterCostCategory:
			x, err := labelFilter(key, values)
			if err != nil {
				return nil, err
			}
			and = append(and, x)
		default:
			d, ok := costFilterKeys[key]
			if !ok {
				return nil, invalidf("CostFilters key %s is not supported. Valid keys: %s", key, costFilterKeyList())
			}
			and = append(and, &query.Match{Kind: query.KindDimension, Key: string(d), Values: values})
		}
	}
	switch len(and) {
	case 0:
		return nil, nil
	case 1:
		return and[0], nil
	}
	return and, nil
}

// labelFilter converts TagKeyValue or CostCategory values, "Key$Value", into
// one match per key, ORed. The "user:" prefix of user-defined tag keys is
// dropped, as ingest drops it from tag columns; "Key$" selects lines
// without the key.
func labelFilter(key string, values []string) (query.Expr, error) {
	kind := query.KindTag
	if key == filterCostCategory {
		kind = query.KindCostCategory
	}
	byKey := map[string]*query.Match{}
	var order []string
	for _, v := range values {
		k, val, ok := strings.Cut(v, "$")
		if !ok || k == "" {
			return nil, invalidf("CostFilters %s value %q must have the form Key$Value, such as user:Environment$prod", key, v)
		}
		if kind == query.KindTag {
			k = strings.TrimPrefix(k, "user:")
		}
		m, seen := byKey[k]
		if !seen {
			m = &query.Match{Kind: kind, Key: k}
			byKey[k] = m
			order = append(order, k)
		}
		m.Values = append(m.Values, val)
	}
	if len(order) == 1 {
		return byKey[order[0]], nil
	}
	var or query.Or
	for _, k := range order {
		or = append(or, byKey[k])
	}
	return or, nil
}

// costFiltersExpression renders CostFilters as a Budgets Expression, for
// DescribeBudget with ShowFilterExpression.
func costFiltersExpression(cf map[string][]string) *Expression {
	x, err := costFiltersExpr(cf)
	if err != nil || x == nil {
		return nil
	}
	return wireExpr(x)
}

func wireExpr(x query.Expr) *Expression {
	switch x := x.(type) {
	case query.And:
		e := &Expression{}
		for _, y := range x {
			e.And = append(e.And, *wireExpr(y))
		}
		return e
	case query.Or:
		e := &Expression{}
		for _, y := range x {
			e.Or = append(e.Or, *wireExpr(y))
		}
		return e
	case query.Not:
		return &Expression{Not: wireExpr(x.X)}
	case *query.Match:
		values := slices.Clone(x.Values)
		switch x.Kind {
		case query.KindDimension:
			return &Expression{Dimensions: &ExpressionDimensionValues{Key: ptr(Dimension(x.Key)), Values: values}}
		case query.KindTag:
			return &Expression{Tags: &TagValues{Key: ptr(x.Key), Values: values}}
		}
		return &Expression{CostCategories: &CostCategoryValues{Key: ptr(x.Key), Values: values}}
	}
	return nil
}

// budgetFilterRules say what a FilterExpression may use: every dimension the
// store can filter on (LINKED_ACCOUNT_NAME and SERVICE_CODE included, which
// Budgets' Dimension enum lists), and every match option.
var budgetFilterRules = query.Rules{
	Operation:  "budget",
	Dimensions: budgetFilterDimensions(),
	Ops: map[query.Kind][]query.MatchOp{
		query.KindDimension:    {query.OpEquals, query.OpAbsent, query.OpStartsWith, query.OpEndsWith, query.OpContains, query.OpGreaterThanOrEqual},
		query.KindTag:          {query.OpEquals, query.OpAbsent, query.OpStartsWith, query.OpEndsWith, query.OpContains, query.OpGreaterThanOrEqual},
		query.KindCostCategory: {query.OpEquals, query.OpAbsent, query.OpStartsWith, query.OpEndsWith, query.OpContains, query.OpGreaterThanOrEqual},
	},
	CaseInsensitive: true,
}

func budgetFilterDimensions() map[billing.Dimension]bool {
	m := map[billing.Dimension]bool{billing.DimLinkedAccountName: true, billing.DimServiceCode: true}
	for d := range query.CostAndUsageFilterDimensions {
		if d != billing.DimResourceID && d != billing.DimPayerAccount {
			m[d] = true
		}
	}
	return m
}

// filterExpr converts a FilterExpression, enforcing one root per object.
// Tag keys may carry the user: prefix, as in CostFilters.
func filterExpr(e *Expression) (query.Expr, error) {
	if e == nil {
		return nil, nil
	}
	leaf := func(key string, values []string, opts []MatchOption) *query.WireLeaf {
		names := make([]string, len(opts))
		for i, o := range opts {
			names[i] = string(o)
		}
		return &query.WireLeaf{Key: key, Values: values, MatchOptions: names}
	}
	x, err := query.FromWire(e, func(e *Expression) query.WireNode[Expression] {
		n := query.WireNode[Expression]{Or: e.Or, And: e.And, Not: e.Not}
		if d := e.Dimensions; d != nil {
			n.Dimensions = leaf(string(deref(d.Key)), d.Values, d.MatchOptions)
		}
		if t := e.Tags; t != nil {
			n.Tags = leaf(strings.TrimPrefix(deref(t.Key), "user:"), t.Values, t.MatchOptions)
		}
		if c := e.CostCategories; c != nil {
			n.CostCategories = leaf(deref(c.Key), c.Values, c.MatchOptions)
		}
		return n
	})
	if err == nil {
		err = query.Validate(x, budgetFilterRules, query.DefaultLimits)
	}
	if err != nil {
		return nil, invalidf("FilterExpression: %s", err.Error())
	}
	return x, nil
}

// costTypeExclusions documents how CostTypes become RECORD_TYPE exclusions
// (see internal/billing/derive.go for the RECORD_TYPE values and
// reference/data-formats.md §6). A member set to false leaves out lines of
// the listed record types; every member defaults to true.
var costTypeExclusions = []struct {
	member string
	get    func(*CostTypes) *bool
	types  []string
}{
	{"IncludeTax", func(c *CostTypes) *bool { return c.IncludeTax }, []string{"Tax"}},
	{"IncludeCredit", func(c *CostTypes) *bool { return c.IncludeCredit }, []string{"Credit"}},
	{"IncludeRefund", func(c *CostTypes) *bool { return c.IncludeRefund }, []string{"Refund"}},
	{"IncludeSupport", func(c *CostTypes) *bool { return c.IncludeSupport }, []string{billing.RecordTypeSupport}},
	{"IncludeDiscount", func(c *CostTypes) *bool { return c.IncludeDiscount }, []string{
		"Enterprise Discount Program Discount", "Solution Provider Program Discount",
		"Private Rate Card Discount", "Distributor Discount", "BundledDiscount", "RiVolumeDiscount", "Discount"}},
	{"IncludeUpfront", func(c *CostTypes) *bool { return c.IncludeUpfront }, []string{billing.RecordTypeUpfront, "SavingsPlanUpfrontFee"}},
	{"IncludeRecurring", func(c *CostTypes) *bool { return c.IncludeRecurring }, []string{billing.RecordTypeRecurring, "SavingsPlanRecurringFee"}},
	{"IncludeOtherSubscription", func(c *CostTypes) *bool { return c.IncludeOtherSubscription }, []string{billing.RecordTypeOtherFee}},
	// IncludeSubscription covers every subscription charge: reservation and
	// Savings Plans fees and other out-of-cycle charges (support has its own
	// member).
	{"IncludeSubscription", func(c *CostTypes) *bool { return c.IncludeSubscription }, []string{
		billing.RecordTypeUpfront, billing.RecordTypeRecurring, "SavingsPlanUpfrontFee", "SavingsPlanRecurringFee", billing.RecordTypeOtherFee}},
}

// withDefaults returns CostTypes with every member set: the Include members
// default to true, UseBlended and UseAmortized to false.
func withDefaults(c *CostTypes) *CostTypes {
	out := CostTypes{}
	if c != nil {
		out = *c
	}
	for _, p := range []**bool{&out.IncludeTax, &out.IncludeSubscription, &out.IncludeRefund, &out.IncludeCredit,
		&out.IncludeUpfront, &out.IncludeRecurring, &out.IncludeOtherSubscription, &out.IncludeSupport, &out.IncludeDiscount} {
		if *p == nil {
			*p = ptr(true)
		}
	}
	if out.UseBlended == nil {
		out.UseBlended = ptr(false)
	}
	if out.UseAmortized == nil {
		out.UseAmortized = ptr(false)
	}
	return &out
}

// excludedRecordTypes lists the record types c leaves out, sorted.
func excludedRecordTypes(c *CostTypes) []string {
	if c == nil {
		return nil
	}
	set := map[string]bool{}
	for _, x := range costTypeExclusions {
		if v := x.get(c); v != nil && !*v {
			for _, t := range x.types {
				set[t] = true
			}
		}
	}
	return sortedKeys(set)
}

// metric is the metric the budget sums: its Metrics entry, else
// UsageQuantity for USAGE budgets, else the cost CostTypes selects
// (AmortizedCost, BlendedCost or UnblendedCost). The Budgets metric Hours is
// summed as UsageQuantity.
func (r *record) metric() billing.Metric {
	if len(r.Metrics) > 0 {
		if r.Metrics[0] == MetricHours {
			return billing.UsageQuantity
		}
		return billing.Metric(r.Metrics[0])
	}
	if r.Type == BudgetTypeUsage {
		return billing.UsageQuantity
	}
	if c := r.CostTypes; c != nil {
		switch {
		case deref(c.UseAmortized):
			return billing.AmortizedCost
		case deref(c.UseBlended):
			return billing.BlendedCost
		}
	}
	return billing.UnblendedCost
}

// filter is the budget's whole filter: its CostFilters or FilterExpression,
// less the record types its CostTypes exclude (COST budgets only).
func (r *record) filter() (query.Expr, error) {
	var x query.Expr
	var err error
	if r.Filter != nil {
		x, err = filterExpr(r.Filter)
	} else {
		x, err = costFiltersExpr(r.CostFilters)
	}
	if err != nil {
		return nil, err
	}
	if r.Type != BudgetTypeCost {
		return x, nil
	}
	excluded := excludedRecordTypes(r.CostTypes)
	if len(excluded) == 0 {
		return x, nil
	}
	not := query.Not{X: &query.Match{Kind: query.KindDimension, Key: string(billing.DimRecordType), Values: excluded}}
	if x == nil {
		return not, nil
	}
	return query.And{x, not}, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
