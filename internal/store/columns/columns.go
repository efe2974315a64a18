// Package columns holds what every SQL backend of the store shares: the
// column that keeps each Cost Explorer dimension and cost metric, the line
// item types whose usage counts, and the SQL text of the conditions and unit
// expressions that both DuckDB and ClickHouse accept as written. A backend
// that keeps one more column or spells a function differently does so in
// its own package; what is here must read the same in both dialects.
package columns

import (
	"fmt"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
)

// Dimension maps a Cost Explorer dimension to its column. Rollups carry
// every dimension column; line items also carry resource_id.
type Dimension struct {
	Dim billing.Dimension
	Col string
}

// Dimensions are the dimensions kept as columns, in column order.
var Dimensions = []Dimension{
	{billing.DimPayerAccount, "payer"},
	{billing.DimLinkedAccount, "account"},
	{billing.DimLinkedAccountName, "account_name"},
	{billing.DimService, "service"},
	{billing.DimServiceCode, "service_code"},
	{billing.DimUsageType, "usage_type"},
	{billing.DimUsageTypeGroup, "usage_type_group"},
	{billing.DimOperation, "operation"},
	{billing.DimRecordType, "record_type"},
	{billing.DimRegion, "region"},
	{billing.DimAZ, "az"},
	{billing.DimInstanceType, "instance_type"},
	{billing.DimInstanceTypeFamily, "instance_type_family"},
	{billing.DimOperatingSystem, "operating_system"},
	{billing.DimPlatform, "platform"},
	{billing.DimTenancy, "tenancy"},
	{billing.DimDeploymentOption, "deployment_option"},
	{billing.DimDatabaseEngine, "database_engine"},
	{billing.DimCacheEngine, "cache_engine"},
	{billing.DimPurchaseType, "purchase_type"},
	{billing.DimLegalEntityName, "legal_entity"},
	{billing.DimInvoicingEntity, "invoicing_entity"},
	{billing.DimBillingEntity, "billing_entity"},
	{billing.DimReservationID, "reservation_id"},
	{billing.DimSubscriptionID, "subscription_id"},
	{billing.DimScope, "scope"},
	{billing.DimSavingsPlanARN, "savings_plan_arn"},
	{billing.DimSavingsPlansType, "savings_plans_type"},
	{billing.DimPaymentOption, "payment_option"},
}

// Of returns the column of a dimension, and false when rollups do not carry
// it (RESOURCE_ID lives in line items only).
func Of(d billing.Dimension) (string, bool) {
	for _, c := range Dimensions {
		if c.Dim == d {
			return c.Col, true
		}
	}
	return "", false
}

// Money are the five cost metrics' columns.
var Money = []struct {
	Metric billing.Metric
	Col    string
}{
	{billing.UnblendedCost, "unblended"},
	{billing.BlendedCost, "blended"},
	{billing.NetUnblendedCost, "net_unblended"},
	{billing.AmortizedCost, "amortized"},
	{billing.NetAmortizedCost, "net_amortized"},
}

// MoneyOf returns the column of a cost metric, and false for the usage
// metrics.
func MoneyOf(m billing.Metric) (string, bool) {
	for _, c := range Money {
		if c.Metric == m {
			return c.Col, true
		}
	}
	return "", false
}

// Extra are the columns of a line besides the dimensions that queries need.
var Extra = []string{"line_item_type", "currency", "usage_unit", "payer_name"}

// UsageLineTypes are the line item types whose usage amounts make up
// UsageQuantity and NormalizedUsageAmount, as Cost Explorer counts them
// (fees, taxes and credits carry amounts that are not usage).
var UsageLineTypes = []string{"Usage", "DiscountedUsage", "SavingsPlanCoveredUsage"}

// UsageCounted is the SQL condition of a line whose usage amount counts;
// col is the line item type column (with its table alias).
func UsageCounted(col string) string {
	return col + " IN ('" + strings.Join(UsageLineTypes, "', '") + "')"
}

// CurrencyUnit is the SQL expression of a cost metric's unit over the
// currency column col: the currency when every line shares one, else N/A.
// Comparing the least and greatest value is much cheaper per group than
// counting distinct ones.
func CurrencyUnit(col string) string {
	return "CASE WHEN min(" + col + ") = max(" + col + ") AND min(" + col + ") <> '' THEN min(" + col + ") ELSE 'N/A' END"
}

// CategoryDialect holds what the SQL of a defined cost category's value
// reads from one backend: the row's billing month, how to write a date and
// a string argument, a REGULAR rule's condition, the value of a tag ("" when
// the row lacks it or it is inactive) and the usage account's name.
type CategoryDialect struct {
	Month       string
	Date        func(time.Time) string
	Arg         func(string) string
	Cond        func(query.Expr) (string, error)
	Tag         func(key string) string
	AccountName string
}

// CategoryValue is the SQL expression of a defined cost category's value
// (query.Category), in text both DuckDB and ClickHouse (18.16 and current)
// accept: the version of the row's billing month, then its rules in order
// (the first that gives a value wins), then its default; "" when no version
// covers the month or nothing matches. Callbacks run in textual order, so a
// backend that binds arguments by position may append them as they come.
func CategoryValue(c *query.Category, d CategoryDialect) (string, error) {
	var sb strings.Builder
	sb.WriteString("CASE")
	for _, v := range c.Versions {
		sb.WriteString(" WHEN " + d.Month + " >= " + d.Date(v.Start))
		if !v.End.IsZero() {
			sb.WriteString(" AND " + d.Month + " < " + d.Date(v.End))
		}
		sb.WriteString(" THEN ")
		if len(v.Rules) > 0 {
			sb.WriteString("CASE")
		}
		for _, r := range v.Rules {
			switch {
			case r.InheritTag != "":
				col := d.Tag(r.InheritTag)
				sb.WriteString(" WHEN " + col + " <> '' THEN " + col)
			case r.InheritAccountName:
				sb.WriteString(" WHEN " + d.AccountName + " <> '' THEN " + d.AccountName)
			default:
				cond, err := d.Cond(r.Match)
				if err != nil {
					return "", err
				}
				sb.WriteString(" WHEN " + cond + " THEN " + d.Arg(r.Value))
			}
		}
		def := "''"
		if v.Default != "" {
			def = d.Arg(v.Default)
		}
		if len(v.Rules) > 0 {
			sb.WriteString(" ELSE " + def + " END")
		} else {
			sb.WriteString(def)
		}
	}
	if len(c.Versions) == 0 {
		return "''", nil
	}
	sb.WriteString(" ELSE '' END")
	return sb.String(), nil
}

// WriteBool writes filter e as SQL into b: And and Or as parenthesised
// lists, Not as NOT (…), and each Match as match writes it. Both SQL
// backends write their filters with it; only the matches differ.
func WriteBool(b *strings.Builder, e query.Expr, match func(*query.Match) error) error {
	switch x := e.(type) {
	case query.And:
		return writeList(b, " AND ", x, match)
	case query.Or:
		return writeList(b, " OR ", x, match)
	case query.Not:
		b.WriteString("NOT (")
		if err := WriteBool(b, x.X, match); err != nil {
			return err
		}
		b.WriteString(")")
		return nil
	case *query.Match:
		return match(x)
	}
	return fmt.Errorf("unknown filter expression %T", e)
}

func writeList(b *strings.Builder, op string, xs []query.Expr, match func(*query.Match) error) error {
	b.WriteString("(")
	for i, x := range xs {
		if i > 0 {
			b.WriteString(op)
		}
		if err := WriteBool(b, x, match); err != nil {
			return err
		}
	}
	b.WriteString(")")
	return nil
}

// ValueMatch returns the condition of filter m on the value expression col
// of a defined category (or a tag a rule reads), where the empty string is
// no value: ABSENT matches it, so does "" among EQUALS values, and cond
// writes the condition on the other values. never is the dialect's false.
func ValueMatch(col string, m *query.Match, cond func(col string, m *query.Match) string, never string) string {
	if m.Op == query.OpAbsent {
		return "(" + col + " = '')"
	}
	var vals []string
	wantEmpty := false
	for _, v := range m.Values {
		if v == "" {
			wantEmpty = true
		} else {
			vals = append(vals, v)
		}
	}
	var parts []string
	if len(vals) > 0 {
		mm := *m
		mm.Values = vals
		parts = append(parts, "("+cond(col, &mm)+")")
	}
	if wantEmpty && m.Op == query.OpEquals {
		parts = append(parts, col+" = ''")
	}
	if len(parts) == 0 {
		parts = []string{never}
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}
