// Package columns holds what every SQL backend of the store shares: the
// column that keeps each Cost Explorer dimension and cost metric, the line
// item types whose usage counts, and the SQL text of the conditions and unit
// expressions that both DuckDB and ClickHouse accept as written. A backend
// that keeps one more column or spells a function differently does so in
// its own package; what is here must read the same in both dialects.
package columns

import (
	"strings"

	"github.com/tallyhq/tally/internal/billing"
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
