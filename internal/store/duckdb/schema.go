package duckdb

import (
	"strings"

	"github.com/tallyhq/tally/internal/billing"
)

// dimColumn maps a Cost Explorer dimension to its column. Rollups carry every
// dimension column; line items also carry resource_id.
type dimColumn struct {
	dim billing.Dimension
	col string
}

var dimColumns = []dimColumn{
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

// columnOf returns the column of a dimension, and false when rollups do not
// carry it (RESOURCE_ID lives in line items only).
func columnOf(d billing.Dimension) (string, bool) {
	for _, c := range dimColumns {
		if c.dim == d {
			return c.col, true
		}
	}
	return "", false
}

// moneyColumns are the five cost metrics' columns, in billing.Metrics order
// of their metric names.
var moneyColumns = []struct {
	metric billing.Metric
	col    string
}{
	{billing.UnblendedCost, "unblended"},
	{billing.BlendedCost, "blended"},
	{billing.NetUnblendedCost, "net_unblended"},
	{billing.AmortizedCost, "amortized"},
	{billing.NetAmortizedCost, "net_amortized"},
}

// usageLineTypes are the line item types whose usage amounts make up
// UsageQuantity and NormalizedUsageAmount, as Cost Explorer counts them (fees,
// taxes and credits carry amounts that are not usage).
var usageLineTypes = []string{"Usage", "DiscountedUsage", "SavingsPlanCoveredUsage"}

// comboColumns are the columns of a combo besides the dimensions: every
// line's attributes that are not a dimension but that queries need.
var comboColumns = []string{"line_item_type", "currency", "usage_unit", "payer_name"}

// numComboCols is the width of a combo key: the dimensions, then
// comboColumns.
const numComboCols = 33

func init() {
	if len(dimColumns)+len(comboColumns) != numComboCols {
		panic("duckdb: numComboCols does not match the column tables")
	}
}

// comboKey is one distinct combination of a line's dimension values and
// comboColumns, in column order.
type comboKey [numComboCols]string

func comboKeyOf(li *billing.LineItem) comboKey {
	var k comboKey
	for i, c := range dimColumns {
		k[i], _ = c.dim.Value(li)
	}
	n := len(dimColumns)
	k[n], k[n+1], k[n+2], k[n+3] = li.LineItemType, li.Currency, li.UsageUnit, li.PayerAccountName
	return k
}

func comboColumnNames() []string {
	names := make([]string, 0, numComboCols)
	for _, c := range dimColumns {
		names = append(names, c.col)
	}
	return append(names, comboColumns...)
}

// schemaSQL creates the tables. Line items and rollups carry small integers
// for their combination of dimension values (combos), tags (tag_sets) and
// cost categories (cc_sets), so that aggregating them is cheap; queries join
// the small dictionaries back.
func schemaSQL() []string {
	return append(append(append(append(coreSchema(), tagSchema()...), budgetSchema()...), categorySchema()...), append(anomalySchema(), commitmentSchema()...)...)
}

// coreSchema holds the billing data: generations, line items, their
// dictionaries and rollups.
func coreSchema() []string {
	var combo strings.Builder
	for _, c := range comboColumnNames() {
		combo.WriteString(", " + c + " VARCHAR NOT NULL")
	}
	money := "unblended DECIMAL(38,10) NOT NULL, blended DECIMAL(38,10) NOT NULL, net_unblended DECIMAL(38,10) NOT NULL, " +
		"amortized DECIMAL(38,10) NOT NULL, net_amortized DECIMAL(38,10) NOT NULL"
	rollupCols := "gen BIGINT NOT NULL, month DATE NOT NULL, ts TIMESTAMP NOT NULL, combo INTEGER NOT NULL, " +
		"tag_set INTEGER NOT NULL, cc_set INTEGER NOT NULL, " + money +
		", usage DECIMAL(38,10) NOT NULL, normalized DECIMAL(38,10) NOT NULL, usage_lines BIGINT NOT NULL, lines BIGINT NOT NULL"
	return []string{
		// One row per committed delivery of a billing period. Rows are only
		// ever inserted: the period's active generation is its newest, so a
		// single INSERT switches a period, and readers never see a period
		// without a generation or with two.
		`CREATE TABLE IF NOT EXISTS generations (
			gen BIGINT NOT NULL, source VARCHAR NOT NULL, month DATE NOT NULL,
			format VARCHAR NOT NULL, final BOOLEAN NOT NULL, invoice_id VARCHAR NOT NULL,
			files VARCHAR[] NOT NULL, rows BIGINT NOT NULL, currency VARCHAR NOT NULL,
			ingested_at TIMESTAMP NOT NULL, hourly BOOLEAN NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS combos (id INTEGER NOT NULL` + combo.String() + `)`,
		`CREATE TABLE IF NOT EXISTS line_items (gen BIGINT NOT NULL, usage_start TIMESTAMP NOT NULL,
			usage_end TIMESTAMP NOT NULL, combo INTEGER NOT NULL, resource_id VARCHAR NOT NULL,
			tag_set INTEGER NOT NULL, cc_set INTEGER NOT NULL, ` + money + `,
			usage DOUBLE NOT NULL, normalized DOUBLE NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS tag_sets (id INTEGER NOT NULL, key VARCHAR NOT NULL, value VARCHAR NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS cc_sets (id INTEGER NOT NULL, key VARCHAR NOT NULL, value VARCHAR NOT NULL)`,
		// Tag statuses belong to the payer (management) account whose lines
		// carry the key, as in AWS; payer is last so that stores written
		// before it existed gain it with ALTER TABLE (see migrateTagPayers).
		`CREATE TABLE IF NOT EXISTS tag_keys (key VARCHAR NOT NULL, status VARCHAR NOT NULL,
			type VARCHAR NOT NULL, last_updated TIMESTAMP, last_used DATE, payer VARCHAR NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS tag_status (key VARCHAR NOT NULL, month DATE NOT NULL, active BOOLEAN NOT NULL,
			payer VARCHAR NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS rollup_hour (` + rollupCols + `)`,
		`CREATE TABLE IF NOT EXISTS rollup_day (` + rollupCols + `)`,
		`CREATE TABLE IF NOT EXISTS rollup_month (` + rollupCols + `)`,
	}
}

// rollupTables are the pre-aggregated tables. Hourly data is usually about
// as fine as the line items, so rollup_hour only holds recent billing months
// (hourlyMonths), sorted by time so that HOURLY questions, which AWS keeps
// for 14 days, read a few row groups; older HOURLY questions read line_items.
var rollupTables = []string{"rollup_hour", "rollup_day", "rollup_month", "rollup_commitment"}

// hourlyMonths is how many billing months before the current one get an
// hourly rollup when they are ingested.
const hourlyMonths = 1
