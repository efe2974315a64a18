package main

import (
	"database/sql"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// oracle computes Cost Explorer answers straight from the raw Workshop CUR
// Parquet files with SQL written independently of Tally's ingest and store:
// if the two disagree, one of them is wrong.
type oracle struct {
	db *sql.DB
}

// oracleTable maps legacy CUR Parquet columns to the Cost Explorer terms, per
// reference/data-formats.md (§4 dimensions, §5 metrics, §6 record types);
// lines without a value carry Cost Explorer's no-value spelling (NoRegion).
const oracleTable = `CREATE TABLE li AS SELECT
	line_item_usage_start_date AS ts,
	date_trunc('month', bill_billing_period_start_date) AS billing_month,
	bill_payer_account_id AS payer,
	line_item_usage_account_id AS linked_account,
	line_item_line_item_type AS type,
	CASE
		WHEN line_item_line_item_type = 'Tax' THEN 'Tax'
		WHEN line_item_product_code = 'AmazonEC2' AND regexp_matches(line_item_usage_type,
			'^([A-Z]{2,4}[0-9]-|EU-)?(BoxUsage|SpotUsage|DedicatedUsage|HostUsage|HostBoxUsage|ReservedHostUsage|SchedUsage|UnusedBox|UnusedDed|UnusedHost|DedicatedRes|HeavyUsage|MediumUsage|LightUsage|Reservation:)')
			THEN 'Amazon Elastic Compute Cloud - Compute'
		WHEN line_item_product_code = 'AmazonEC2'
			AND product_product_family IN ('Compute Instance', 'Compute Instance (bare metal)', 'Dedicated Host')
			AND NOT regexp_matches(line_item_usage_type, '^([A-Z]{2,4}[0-9]-|EU-)?(EBSOptimized|CPUCredits)')
			THEN 'Amazon Elastic Compute Cloud - Compute'
		WHEN line_item_product_code = 'AmazonEC2' THEN 'EC2 - Other'
		ELSE product_product_name END AS service,
	coalesce(nullif(line_item_usage_type, ''), 'NoUsageType') AS usage_type,
	coalesce(nullif(line_item_operation, ''), 'NoOperation') AS operation,
	coalesce(nullif(line_item_availability_zone, ''), 'NoAZ') AS az,
	coalesce(nullif(product_region, ''), 'NoRegion') AS region,
	coalesce(nullif(product_instance_type, ''), 'NoInstanceType') AS instance_type,
	CASE line_item_line_item_type WHEN 'RIFee' THEN 'Recurring' ELSE line_item_line_item_type END AS record_type,
	CASE
		WHEN line_item_line_item_type IN ('DiscountedUsage', 'RIFee') AND lower(pricing_offering_class) = 'convertible' THEN 'Convertible Reserved Instances'
		WHEN line_item_line_item_type IN ('DiscountedUsage', 'RIFee') THEN 'Standard Reserved Instances'
		WHEN line_item_usage_type LIKE '%%SpotUsage%%' THEN 'Spot Instances'
		ELSE 'On Demand Instances' END AS purchase_type,
	resource_tags_user_environment AS tag_environment,
	CAST(line_item_unblended_cost AS DECIMAL(38,10)) AS "UnblendedCost",
	CAST(line_item_blended_cost AS DECIMAL(38,10)) AS "BlendedCost",
	CAST(line_item_unblended_cost AS DECIMAL(38,10)) AS "NetUnblendedCost",
	CAST(CASE line_item_line_item_type
		WHEN 'DiscountedUsage' THEN reservation_effective_cost
		WHEN 'RIFee' THEN reservation_unused_amortized_upfront_fee_for_billing_period + reservation_unused_recurring_fee
		ELSE line_item_unblended_cost END AS DECIMAL(38,10)) AS "AmortizedCost",
	CAST(CASE line_item_line_item_type
		WHEN 'DiscountedUsage' THEN reservation_effective_cost
		WHEN 'RIFee' THEN reservation_unused_amortized_upfront_fee_for_billing_period + reservation_unused_recurring_fee
		ELSE line_item_unblended_cost END AS DECIMAL(38,10)) AS "NetAmortizedCost",
	CAST(CASE WHEN line_item_line_item_type IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')
		THEN line_item_usage_amount ELSE 0 END AS DECIMAL(38,10)) AS "UsageQuantity",
	CAST(CASE WHEN line_item_line_item_type IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')
		THEN line_item_normalized_usage_amount ELSE 0 END AS DECIMAL(38,10)) AS "NormalizedUsageAmount",
	line_item_line_item_type IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage') AS counted,
	pricing_unit AS usage_unit
	FROM read_parquet([%s], union_by_name = true)`

var allMetrics = []string{"AmortizedCost", "BlendedCost", "NetAmortizedCost", "NetUnblendedCost",
	"NormalizedUsageAmount", "UnblendedCost", "UsageQuantity"}

// openOracle reads files into an in-memory DuckDB table li once, so that
// every question after that reads memory, not Parquet.
func openOracle(files []string) (*oracle, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, err
	}
	quoted := make([]string, len(files))
	for i, f := range files {
		quoted[i] = "'" + f + "'"
	}
	if _, err := db.Exec(fmt.Sprintf(oracleTable, strings.Join(quoted, ", "))); err != nil {
		db.Close()
		return nil, err
	}
	return &oracle{db: db}, nil
}

// oracles holds the oracles tests share, by their files; TestMain closes
// them.
var oracles struct {
	mu sync.Mutex
	m  map[string]*oracle
}

// sharedOracle returns the oracle over files that every test asking for
// the same files shares. Its questions only read.
func sharedOracle(t *testing.T, files ...string) *oracle {
	t.Helper()
	key := strings.Join(files, "\x00")
	oracles.mu.Lock()
	defer oracles.mu.Unlock()
	if o, ok := oracles.m[key]; ok {
		return o
	}
	o, err := openOracle(files)
	if err != nil {
		t.Fatal(err)
	}
	if oracles.m == nil {
		oracles.m = map[string]*oracle{}
	}
	oracles.m[key] = o
	return o
}

// closeOracles closes the shared oracles.
func closeOracles() {
	oracles.mu.Lock()
	defer oracles.mu.Unlock()
	for _, o := range oracles.m {
		o.db.Close()
	}
}

// cell is one oracle answer: the sums of every metric for one bucket and key.
type cell map[string]*big.Rat

// sums returns metric sums keyed by bucket ("2018-10-01") and group value,
// for bucket expression bucket, grouping column col ("" for none) and an
// optional WHERE condition.
func (o *oracle) sums(t *testing.T, bucket, col, where string) map[string]cell {
	t.Helper()
	if col == "" {
		col = "''"
	}
	if where == "" {
		where = "TRUE"
	}
	var sel []string
	for _, m := range allMetrics {
		sel = append(sel, fmt.Sprintf(`CAST(sum("%s") AS VARCHAR)`, m))
	}
	q := fmt.Sprintf(`SELECT strftime(%s, '%%Y-%%m-%%d'), coalesce(CAST(%s AS VARCHAR), ''), %s FROM li WHERE %s GROUP BY ALL`,
		bucket, col, strings.Join(sel, ", "), where)
	rows, err := o.db.Query(q)
	if err != nil {
		t.Fatalf("oracle: %v\n%s", err, q)
	}
	defer rows.Close()
	out := map[string]cell{}
	for rows.Next() {
		var b, k string
		vals := make([]string, len(allMetrics))
		dest := []any{&b, &k}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		c := cell{}
		for i, m := range allMetrics {
			c[m] = rat(t, vals[i])
		}
		out[b+"|"+k] = c
	}
	return out
}

// strings returns the distinct values of an expression, sorted.
func (o *oracle) strings(t *testing.T, expr, where string) []string {
	t.Helper()
	rows, err := o.db.Query(fmt.Sprintf(`SELECT DISTINCT %s AS v FROM li WHERE %s ORDER BY v`, expr, where))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func rat(t *testing.T, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("not a number: %q", s)
	}
	return r
}
