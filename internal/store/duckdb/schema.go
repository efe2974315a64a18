package duckdb

import (
	"strings"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/store/columns"
)

// dimColumns are shared with the other SQL backends (package columns), as
// are the cost metrics' columns and the line types whose usage counts.
var dimColumns = columns.Dimensions

// columnOf returns the column of a dimension, and false when rollups do not
// carry it (RESOURCE_ID lives in line items only).
func columnOf(d billing.Dimension) (string, bool) { return columns.Of(d) }

// comboColumns are the columns of a combo besides the dimensions: every
// line's attributes that are not a dimension but that queries need.
var comboColumns = columns.Extra

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
		k[i], _ = c.Dim.Value(li)
	}
	n := len(dimColumns)
	k[n], k[n+1], k[n+2], k[n+3] = li.LineItemType, li.Currency, li.UsageUnit, li.PayerAccountName
	return k
}

func comboColumnNames() []string {
	names := make([]string, 0, numComboCols)
	for _, c := range dimColumns {
		names = append(names, c.Col)
	}
	return append(names, comboColumns...)
}

// schemaSQL creates the tables. Line items and rollups carry small integers
// for their combination of dimension values (combos), tags (tag_sets) and
// cost categories (cc_sets), so that aggregating them is cheap; queries join
// the small dictionaries back.
func schemaSQL() []string {
	return append(append(append(append(append(coreSchema(), tagSchema()...), budgetSchema()...), categorySchema()...), anomalySchema()...), append(detectedSchema(), commitmentSchema()...)...)
}

// coreSchema holds the billing data: generations, line items, their
// dictionaries and rollups.
func coreSchema() []string {
	var combo strings.Builder
	for _, c := range comboColumnNames() {
		combo.WriteString(", " + c + " VARCHAR NOT NULL")
	}
	money := moneyColumns(rollupMoney)
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
		lineItemsSQL("line_items", lineMoney),
		lineItemsSQL("line_items_wide", rollupMoney),
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

// lineItemsSQL creates a table of line items whose costs have type money.
func lineItemsSQL(table, money string) string {
	return `CREATE TABLE IF NOT EXISTS ` + table + ` (gen BIGINT NOT NULL, usage_start TIMESTAMP NOT NULL,
		usage_end TIMESTAMP NOT NULL, combo INTEGER NOT NULL, resource_id VARCHAR NOT NULL,
		tag_set INTEGER NOT NULL, cc_set INTEGER NOT NULL, ` + moneyColumns(money) + `,
		usage DOUBLE NOT NULL, normalized DOUBLE NOT NULL)`
}

// Line items live in two tables: line_items, whose costs are 64-bit
// (lineMoney), holds every line whose costs fit, that is every line of a real
// bill; line_items_wide, with 128-bit costs, holds the others, so that no
// line is refused or rounded. Readers see both through allLineItems.
var (
	lineTables   = []string{"line_items", "line_items_wide"}
	allLineItems = "(SELECT * FROM line_items UNION ALL SELECT * FROM line_items_wide)"
)

// moneyNames are the cost columns of line items and rollups, in the order
// of lineRow.money.
var moneyNames = [5]string{"unblended", "blended", "net_unblended", "amortized", "net_amortized"}

// lineMoney is the type of a line item's cost columns: a DECIMAL of width 18,
// which DuckDB holds in 64 bits (a billing.Amount as is), so appending and
// compressing them is cheaper than for 128-bit decimals. It holds costs up
// to ±maxLineMoney; lines beyond go to line_items_wide. Sums (rollups,
// queries) are DECIMAL(38,10), exact beyond any store. rollupMoney is the
// type of the rollups' sums and of line_items_wide's costs.
const (
	lineMoney   = "DECIMAL(18,10)"
	rollupMoney = "DECIMAL(38,10)"
)

// maxLineMoney is the largest magnitude a cost may have in line_items, in
// units of 10^-billing.Scale: 99,999,999.9999999999.
const maxLineMoney = 999_999_999_999_999_999

// moneyColumns declares the cost columns with type typ.
func moneyColumns(typ string) string {
	cols := make([]string, len(moneyNames))
	for i, n := range moneyNames {
		cols[i] = n + " " + typ + " NOT NULL"
	}
	return strings.Join(cols, ", ")
}

// rollupTables are the pre-aggregated tables. Hourly data is usually about
// as fine as the line items, so rollup_hour only holds recent billing months
// (hourlyMonths), sorted by time so that HOURLY questions, which AWS keeps
// for 14 days, read a few row groups; older HOURLY questions read line_items.
var rollupTables = []string{"rollup_hour", "rollup_day", "rollup_month", "rollup_commitment"}

// hourlyMonths is how many billing months before the current one get an
// hourly rollup when they are ingested.
const hourlyMonths = 1
