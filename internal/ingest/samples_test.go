package ingest

import (
	"database/sql"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/store"
	"github.com/tallyhq/tally/internal/testenv"
)

// samplesDir holds the real billing files described in its SOURCES.md.
func samplesDir(t *testing.T) string {
	t.Helper()
	testenv.Sample(t, "focus_sample.csv")
	return testenv.Samples(t)
}

// sampleAgg aggregates the loaded rows the way the checks below need them.
type sampleAgg struct {
	unblended, amortized map[string]billing.Amount // by "source month"
	serviceRows          map[string]int64          // by "month|service"
	tagCost              map[string]billing.Amount // by "month|key=value"
	recordTypes          map[string]int64          // by record type
}

func loadSamples(t *testing.T) (*Report, *sampleAgg) {
	t.Helper()
	agg := &sampleAgg{map[string]billing.Amount{}, map[string]billing.Amount{}, map[string]int64{}, map[string]billing.Amount{}, map[string]int64{}}
	w := newMemWriter(false)
	w.onAppend = func(p billing.BillingPeriod, li *billing.LineItem) {
		k := p.Source + " " + p.Month.Format("2006-01")
		agg.unblended[k] += li.Unblended
		agg.amortized[k] += li.Amortized
		m := p.Month.Format("2006-01")
		agg.serviceRows[m+"|"+li.Service]++
		agg.recordTypes[li.RecordType]++
		for key, v := range li.Tags {
			agg.tagCost[m+"|"+key+"="+v] += li.Unblended
		}
	}
	rep := mustLoad(t, w, samplesDir(t))
	if w.commits != 1 || w.aborts != 0 {
		t.Fatalf("commits=%d aborts=%d, want 1, 0", w.commits, w.aborts)
	}
	return rep, agg
}

func TestSamplesRowsAndPeriods(t *testing.T) {
	rep, _ := loadSamples(t)
	type period struct {
		Period string
		Format store.Format
		Final  bool
		Rows   int64
		Files  int
	}
	var got []period
	for _, p := range rep.Periods {
		got = append(got, period{p.Period.String(), p.Format, p.Final, p.Rows, len(p.Files)})
	}
	// Row counts from SOURCES.md; the FOCUS file's 1,000 rows split by
	// provider and billing month (one Oracle row is billed in October).
	want := []period{
		{"cur:123412340534 2023-11", FormatCURCSV, false, 1281, 1},
		{"cur:836060457634 2018-10", FormatCURParquet, true, 119307, 1},
		{"cur:836060457634 2018-11", FormatCURParquet, true, 124340, 1},
		{"cur:836060457634 2018-12", FormatCURParquet, true, 91264, 1},
		{"focus:AWS:1234567890123 2024-09", FormatFOCUSCSV, false, 942, 1},
		{"focus:Microsoft:/providers/Microsoft.Billing/billingAccounts/8611537 2024-09", FormatFOCUSCSV, false, 51, 1},
		{"focus:Oracle:20209880 2024-09", FormatFOCUSCSV, false, 6, 1},
		{"focus:Oracle:20209880 2024-10", FormatFOCUSCSV, false, 1, 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("periods (-want +got):\n%s", diff)
	}
	if rep.Rows != 1281+119307+124340+91264+1000 {
		t.Errorf("Rows = %d", rep.Rows)
	}
}

// duck opens an in-memory DuckDB for independent computations over the raw
// files.
func duck(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// queryMap runs a query returning (key, number) rows.
func queryMap(t *testing.T, db *sql.DB, q string) map[string]float64 {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	out := map[string]float64{}
	for rows.Next() {
		var k string
		var v sql.NullString
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		f, err := strconv.ParseFloat(v.String, 64)
		if err != nil {
			t.Fatalf("%s: value %q: %v", q, v.String, err)
		}
		out[k] = f
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func compareSums(t *testing.T, what string, want map[string]float64, got map[string]billing.Amount, tol float64) {
	t.Helper()
	if len(want) == 0 {
		t.Fatalf("%s: the independent query returned nothing", what)
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s %s: missing, want %v", what, k, w)
			continue
		}
		if math.Abs(g.Float64()-w) > tol {
			t.Errorf("%s %s = %s, want %.10f", what, k, g, w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok && got[k] != 0 {
			t.Errorf("%s %s = %s, not in the independent result", what, k, got[k])
		}
	}
}

func TestSamplesMatchDuckDB(t *testing.T) {
	dir := samplesDir(t)
	_, agg := loadSamples(t)
	db := duck(t)
	pq := "'" + filepath.Join(dir, "*.parquet") + "'"
	cur := "'" + filepath.Join(dir, "sample-anonymous-aws-export-dataset.csv") + "'"
	focus := "read_csv('" + filepath.Join(dir, "focus_sample.csv") + "', nullstr='NULL', all_varchar=true)"
	month := func(col string) string { return "strftime(" + col + ", '%Y-%m')" }

	wantUnblended := queryMap(t, db, `select 'cur:' || bill_payer_account_id || ' ' || `+month("bill_billing_period_start_date")+`,
		sum(line_item_unblended_cost::decimal(38,10))::varchar from `+pq+` group by 1`)
	for k, v := range queryMap(t, db, `select 'cur:' || "bill/PayerAccountId" || ' ' || `+month(`"bill/BillingPeriodStartDate"::timestamp`)+`,
		sum("lineItem/UnblendedCost"::decimal(38,10))::varchar from read_csv(`+cur+`, all_varchar=true) group by 1`) {
		wantUnblended[k] = v
	}
	for k, v := range queryMap(t, db, `select 'focus:' || ProviderName || ':' || BillingAccountId || ' ' || `+month("BillingPeriodStart::timestamp")+`,
		sum(BilledCost::decimal(38,10))::varchar from `+focus+` group by 1`) {
		wantUnblended[k] = v
	}
	compareSums(t, "unblended", wantUnblended, agg.unblended, 1e-6)

	// SOURCES.md's figures, as a check on the check.
	for k, v := range map[string]float64{"cur:836060457634 2018-10": 4064.4831, "cur:836060457634 2018-11": 3505.3270, "cur:836060457634 2018-12": 408.3760} {
		if math.Abs(agg.unblended[k].Float64()-v) > 5e-5 {
			t.Errorf("unblended %s = %s, SOURCES.md says %v", k, agg.unblended[k], v)
		}
	}

	// The amortized formula of data-formats.md §5, written in SQL.
	wantAmortized := queryMap(t, db, `select 'cur:' || bill_payer_account_id || ' ' || `+month("bill_billing_period_start_date")+`,
		sum(case line_item_line_item_type
			when 'DiscountedUsage' then reservation_effective_cost
			when 'RIFee' then reservation_unused_amortized_upfront_fee_for_billing_period + reservation_unused_recurring_fee
			when 'Fee' then case when reservation_reservation_a_r_n <> '' then 0 else line_item_unblended_cost end
			else line_item_unblended_cost end::decimal(38,10))::varchar from `+pq+` group by 1`)
	for k, v := range queryMap(t, db, `select 'focus:' || ProviderName || ':' || BillingAccountId || ' ' || `+month("BillingPeriodStart::timestamp")+`,
		sum(EffectiveCost::decimal(38,10))::varchar from `+focus+` group by 1`) {
		wantAmortized[k] = v
	}
	for k, v := range map[string]float64{"cur:836060457634 2018-10": 4195.9571, "cur:836060457634 2018-11": 3632.5598, "cur:836060457634 2018-12": 539.8500} {
		if math.Abs(agg.amortized[k].Float64()-v) > 5e-5 {
			t.Errorf("amortized %s = %s, SOURCES.md says %v", k, agg.amortized[k], v)
		}
	}
	delete(agg.amortized, "cur:123412340534 2023-11") // checked through unblended: no RI or SP lines
	compareSums(t, "amortized", wantAmortized, agg.amortized, 1e-6)

	// Service row counts, with the EC2 split spelled out independently.
	wantServices := queryMap(t, db, `select `+month("bill_billing_period_start_date")+` || '|' ||
		case when line_item_product_code = 'AmazonEC2' then
			case when regexp_matches(line_item_usage_type, '(^|-)(BoxUsage|SpotUsage|HeavyUsage|DedicatedUsage|HostUsage)') then 'Amazon Elastic Compute Cloud - Compute' else 'EC2 - Other' end
		else product_product_name end, count(*)::varchar from `+pq+` group by 1`)
	got := map[string]billing.Amount{}
	for k, n := range agg.serviceRows {
		if strings.HasPrefix(k, "2018-") {
			got[k] = billing.Amount(n) * 10_000_000_000
		}
	}
	compareSums(t, "rows of service", wantServices, got, 0)

	// Cost per tag value (untagged rows have no tag).
	wantTags := queryMap(t, db, `select `+month("bill_billing_period_start_date")+` || '|' || k || '=' || v, sum(c::decimal(38,10))::varchar from (
		select bill_billing_period_start_date, line_item_unblended_cost c, 'Environment' k, resource_tags_user_environment v from `+pq+`
		union all select bill_billing_period_start_date, line_item_unblended_cost, 'aws:createdBy', resource_tags_aws_created_by from `+pq+`
	) where v <> '' group by 1`)
	gotTags := map[string]billing.Amount{}
	for k, v := range agg.tagCost {
		if strings.HasPrefix(k, "2018-") && (strings.Contains(k, "|environment=") || strings.Contains(k, "|aws:createdBy=")) {
			gotTags[strings.Replace(k, "|environment=", "|Environment=", 1)] = v
		}
	}
	compareSums(t, "tag cost", wantTags, gotTags, 1e-6)

	if agg.recordTypes["Recurring"] != 27 || agg.recordTypes["DiscountedUsage"] != 8345+7202+6767 || agg.recordTypes["SavingsPlanCoveredUsage"] != 4 {
		t.Errorf("record types = %v", agg.recordTypes)
	}
}
