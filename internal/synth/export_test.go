package synth

import (
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/store"
)

// sums are the CE-level totals of a group of line items.
type sums struct {
	Rows                                             int64
	Unblended, Amortized, NetUnblended, NetAmortized billing.Amount
}

// aggWriter is a store.Writer that totals line items by month and line
// item type, and unblended cost by month and Environment tag.
type aggWriter struct {
	byType   map[string]*sums // "YYYY-MM|LineItemType"
	byMonth  map[string]*sums
	byEnv    map[string]billing.Amount // "YYYY-MM|value"
	periods  []store.PeriodInfo
	commits  int
	aborts   int
	services map[string]bool
}

func newAggWriter() *aggWriter {
	return &aggWriter{byType: map[string]*sums{}, byMonth: map[string]*sums{}, byEnv: map[string]billing.Amount{},
		services: map[string]bool{}}
}

func (w *aggWriter) Append(p billing.BillingPeriod, li *billing.LineItem) error {
	month := p.Month.Format("2006-01")
	for _, k := range []string{month + "|" + li.LineItemType, month} {
		m := w.byType
		if k == month {
			m = w.byMonth
		}
		s := m[k]
		if s == nil {
			s = &sums{}
			m[k] = s
		}
		s.Rows++
		s.Unblended += li.Unblended
		s.Amortized += li.Amortized
		s.NetUnblended += li.NetUnblended
		s.NetAmortized += li.NetAmortized
	}
	if env := li.Tags["Environment"]; env != "" {
		w.byEnv[month+"|"+env] += li.Unblended
	}
	w.services[li.ServiceCode] = true
	return nil
}

func (w *aggWriter) Commit(_ context.Context, periods []store.PeriodInfo) error {
	w.commits++
	w.periods = periods
	return nil
}

func (w *aggWriter) Abort() error { w.aborts++; return nil }

// load ingests an export with Tally's own ingest.
func load(t *testing.T, dir string) (*aggWriter, *ingest.Report) {
	t.Helper()
	w := newAggWriter()
	rep, err := ingest.Load(context.Background(), []string{dir}, w, ingest.Options{})
	if err != nil {
		t.Fatalf("ingest.Load: %v", err)
	}
	if w.commits != 1 || w.aborts != 0 {
		t.Fatalf("commits %d, aborts %d; want 1, 0", w.commits, w.aborts)
	}
	return w, rep
}

// exportSQL is the independent DuckDB view of one format: a FROM clause
// over the raw files and expressions for the month, the CUR line item type
// and the metrics of a row.
type exportSQL struct {
	from, month, typ, unblended, amortized, netUnblended, env string
}

func cur2SQL(dir string) exportSQL {
	n := func(c string) string { return "CAST(" + c + " AS DECIMAL(38,10))" }
	return exportSQL{
		from:         fmt.Sprintf("read_parquet('%s', hive_partitioning=false)", filepath.Join(dir, DefaultExportName, "data", "*", "*.parquet")),
		month:        "strftime(bill_billing_period_start_date, '%Y-%m')",
		typ:          "line_item_line_item_type",
		unblended:    n("line_item_unblended_cost"),
		netUnblended: n("line_item_net_unblended_cost"),
		amortized: amortizedSQL("line_item_line_item_type", "reservation_reservation_a_r_n", n,
			"line_item_unblended_cost", "savings_plan_savings_plan_effective_cost", "savings_plan_total_commitment_to_date",
			"savings_plan_used_commitment", "reservation_effective_cost",
			"reservation_unused_amortized_upfront_fee_for_billing_period", "reservation_unused_recurring_fee"),
		env: "tags['resourceTags/user:Environment']",
	}
}

func curSQL(dir string) exportSQL {
	n := func(c string) string { return "CAST(NULLIF(" + c + ", '') AS DECIMAL(38,10))" }
	q := func(c string) string { return `"` + c + `"` }
	return exportSQL{
		from:         fmt.Sprintf("read_csv('%s', "+csvOptions+")", filepath.Join(dir, DefaultExportName, "*", "*", "*.csv.gz")),
		month:        q("bill/BillingPeriodStartDate") + "[1:7]",
		typ:          q("lineItem/LineItemType"),
		unblended:    n(q("lineItem/UnblendedCost")),
		netUnblended: n(q("lineItem/NetUnblendedCost")),
		amortized: amortizedSQL(q("lineItem/LineItemType"), "NULLIF("+q("reservation/ReservationARN")+", '')", n,
			q("lineItem/UnblendedCost"), q("savingsPlan/SavingsPlanEffectiveCost"), q("savingsPlan/TotalCommitmentToDate"),
			q("savingsPlan/UsedCommitment"), q("reservation/EffectiveCost"),
			q("reservation/UnusedAmortizedUpfrontFeeForBillingPeriod"), q("reservation/UnusedRecurringFee")),
		env: "NULLIF(" + q("resourceTags/user:Environment") + ", '')",
	}
}

// amortizedSQL is the per-line AmortizedCost of data-formats.md §5.
func amortizedSQL(typ, riARN string, n func(string) string, unblended, spEff, spTotal, spUsed, riEff, riUnusedUp, riUnusedRec string) string {
	return fmt.Sprintf(`CASE %[1]s
		WHEN 'SavingsPlanCoveredUsage' THEN %[3]s
		WHEN 'SavingsPlanRecurringFee' THEN %[4]s - %[5]s
		WHEN 'SavingsPlanNegation' THEN 0 WHEN 'SavingsPlanUpfrontFee' THEN 0
		WHEN 'DiscountedUsage' THEN %[6]s
		WHEN 'RIFee' THEN %[7]s + %[8]s
		ELSE CASE WHEN %[1]s = 'Fee' AND %[2]s IS NOT NULL THEN 0 ELSE %[9]s END END`,
		typ, riARN, n(spEff), n(spTotal), n(spUsed), n(riEff), n(riUnusedUp), n(riUnusedRec), n(unblended))
}

func focusSQL(dir string) exportSQL {
	n := func(c string) string { return "CAST(NULLIF(" + c + ", '') AS DECIMAL(38,10))" }
	// The CUR line item type a FOCUS row stands for.
	typ := `CASE ChargeCategory
		WHEN 'Usage' THEN CASE CommitmentDiscountStatus
			WHEN 'Used' THEN CASE WHEN CommitmentDiscountType LIKE '%Savings%' THEN 'SavingsPlanCoveredUsage' ELSE 'DiscountedUsage' END
			WHEN 'Unused' THEN CASE WHEN CommitmentDiscountType LIKE '%Savings%' THEN 'SavingsPlanRecurringFee' ELSE 'RIFee' END
			ELSE 'Usage' END
		WHEN 'Purchase' THEN CASE
			WHEN CommitmentDiscountType LIKE '%Savings%' THEN CASE ChargeFrequency WHEN 'Recurring' THEN 'SavingsPlanRecurringFee' ELSE 'SavingsPlanUpfrontFee' END
			WHEN CommitmentDiscountType LIKE '%Reserved%' AND ChargeFrequency = 'Recurring' THEN 'RIFee'
			ELSE 'Fee' END
		WHEN 'Adjustment' THEN 'Refund'
		ELSE ChargeCategory END`
	return exportSQL{
		from:         fmt.Sprintf("read_csv('%s', "+csvOptions+")", filepath.Join(dir, DefaultExportName, "data", "*", "*.csv.gz")),
		month:        "BillingPeriodStart[1:7]",
		typ:          typ,
		unblended:    n("BilledCost"),
		netUnblended: n("BilledCost"),
		amortized:    n("EffectiveCost"),
		env:          "json_extract_string(Tags, '$.Environment')",
	}
}

// duckSums totals the raw files with DuckDB by month and line item type.
func duckSums(t *testing.T, db *sql.DB, x exportSQL) (map[string]*sums, map[string]billing.Amount) {
	t.Helper()
	query := fmt.Sprintf(`SELECT %s || '|' || %s, count(*), coalesce(sum(%s), 0)::VARCHAR, coalesce(sum(%s), 0)::VARCHAR,
		coalesce(sum(%s), 0)::VARCHAR FROM %s GROUP BY 1`, x.month, x.typ, x.unblended, x.amortized, x.netUnblended, x.from)
	rows, err := db.Query(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	out := map[string]*sums{}
	for rows.Next() {
		var k, u, a, nu string
		s := &sums{}
		if err := rows.Scan(&k, &s.Rows, &u, &a, &nu); err != nil {
			t.Fatal(err)
		}
		s.Unblended, s.Amortized, s.NetUnblended = amount(t, u), amount(t, a), amount(t, nu)
		out[k] = s
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	env := map[string]billing.Amount{}
	query = fmt.Sprintf(`SELECT %s || '|' || %s, sum(%s)::VARCHAR FROM %s WHERE %s IS NOT NULL GROUP BY 1`,
		x.month, x.env, x.unblended, x.from, x.env)
	rows, err = db.Query(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, u string
		if err := rows.Scan(&k, &u); err != nil {
			t.Fatal(err)
		}
		env[k] = amount(t, u)
	}
	return out, env
}

// csvOptions reads CSV as text with the dialect given: DuckDB's dialect
// sniffer is slow on wide billing files.
const csvOptions = `header=true, all_varchar=true, delim=',', quote='"', escape='"', new_line='\n'`

func amount(t *testing.T, s string) billing.Amount {
	t.Helper()
	a, err := billing.ParseAmount(s)
	if err != nil {
		t.Fatalf("amount %q: %v", s, err)
	}
	return a
}

// exportConfig covers six months with every line item type: Reserved
// Instances bought in the second and fourth month, the Savings Plan in the
// third, credits, the refund in the sixth, a closed and an open month.
func exportConfig(dir string, f Format) Config {
	return Config{Out: dir, Format: f, Now: time.Date(2025, 6, 10, 5, 0, 0, 0, time.UTC),
		Start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Rows: 20000, Seed: 7, RowsPerFile: 8000}
}

// TestExportsLoadAndMatchDuckDB generates each format, loads it through
// Tally's ingest and checks its totals against DuckDB over the raw files.
func TestExportsLoadAndMatchDuckDB(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and loads four exports")
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	loaded := map[Format]*aggWriter{}
	for _, tc := range []struct {
		format Format
		sql    func(string) exportSQL
		want   store.Format
	}{
		{FormatCUR2, cur2SQL, ingest.FormatCUR2Parquet},
		{FormatCUR, curSQL, ingest.FormatCURCSV},
		{FormatFOCUS, focusSQL, ingest.FormatFOCUSCSV},
		{FormatFOCUS13, focusSQL, ingest.FormatFOCUSCSV},
	} {
		t.Run(string(tc.format), func(t *testing.T) {
			dir := t.TempDir()
			st := generate(t, exportConfig(dir, tc.format))
			if tc.format == FormatFOCUS || tc.format == FormatFOCUS13 {
				header := focusHeader(t, dir)
				for _, c := range []string{"HostProviderName", "ServiceProviderName"} {
					if slices.Contains(header, c) != (tc.format == FormatFOCUS13) {
						t.Errorf("%s header %v: want column %s only in focus13", tc.format, header, c)
					}
				}
			}
			w, rep := load(t, dir)
			loaded[tc.format] = w
			if rep.Rows != st.LineItems {
				t.Errorf("ingest read %d rows, Generate wrote %d", rep.Rows, st.LineItems)
			}
			var final []string
			for _, p := range rep.Periods {
				if p.Format != tc.want {
					t.Errorf("period %s detected as %s, want %s", p.Period, p.Format, tc.want)
				}
				if p.Final {
					final = append(final, p.Period.Month.Format("2006-01"))
				}
			}
			if diff := cmp.Diff([]string{"2025-01", "2025-02", "2025-03", "2025-04", "2025-05"}, final); diff != "" {
				t.Errorf("final periods (-want +got):\n%s", diff)
			}
			if len(rep.Stale) != 0 {
				t.Errorf("stale files %v, want none", rep.Stale)
			}
			if len(w.services) < 40 {
				t.Errorf("%d service codes, want at least 40", len(w.services))
			}
			counts := map[string]int64{}
			for k, s := range w.byType {
				counts[k[strings.IndexByte(k, '|')+1:]] += s.Rows
			}
			if diff := cmp.Diff(st.LineItemsByType, counts); diff != "" {
				t.Errorf("rows by line item type, Generate vs ingest (-generate +ingest):\n%s", diff)
			}
			duck, env := duckSums(t, db, tc.sql(dir))
			got := map[string]sums{}
			for k, s := range w.byType {
				got[k] = sums{Rows: s.Rows, Unblended: s.Unblended, Amortized: s.Amortized, NetUnblended: s.NetUnblended}
			}
			want := map[string]sums{}
			for k, s := range duck {
				want[k] = *s
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("totals by month and type, DuckDB vs ingest (-duckdb +ingest):\n%s", diff)
			}
			if len(env) < 6 {
				t.Errorf("%d month/Environment groups, want several", len(env))
			}
			if diff := cmp.Diff(env, w.byEnv); diff != "" {
				t.Errorf("unblended by month and Environment, DuckDB vs ingest (-duckdb +ingest):\n%s", diff)
			}
		})
	}
	if t.Failed() || len(loaded) != 4 {
		return
	}
	t.Run("formats agree", func(t *testing.T) { crossCheck(t, loaded) })
}

// focusHeader returns the column names of the first FOCUS file under dir.
func focusHeader(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, DefaultExportName, "data", "*", "*.csv.gz"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no FOCUS files under %s: %v", dir, err)
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	header, err := csv.NewReader(z).Read()
	if err != nil {
		t.Fatal(err)
	}
	return header
}

// crossCheck compares the formats generated from one seed: legacy CUR and
// CUR 2.0 carry the same line items, and FOCUS bills the net cost (BilledCost
// is NetUnblendedCost) and amortises it the same way (EffectiveCost is
// NetAmortizedCost, up to rounding of the Savings Plan fees' net share).
func crossCheck(t *testing.T, loaded map[Format]*aggWriter) {
	cur2, cur, focus := loaded[FormatCUR2], loaded[FormatCUR], loaded[FormatFOCUS]
	deref := func(m map[string]*sums) map[string]sums {
		out := map[string]sums{}
		for k, v := range m {
			out[k] = *v
		}
		return out
	}
	if diff := cmp.Diff(deref(cur2.byType), deref(cur.byType)); diff != "" {
		t.Errorf("CUR 2.0 and legacy CUR totals differ (-cur2 +cur):\n%s", diff)
	}
	if diff := cmp.Diff(deref(focus.byType), deref(loaded[FormatFOCUS13].byType)); diff != "" {
		t.Errorf("FOCUS 1.2 and 1.3 totals differ (-1.2 +1.3):\n%s", diff)
	}
	var months []string
	for m := range cur2.byMonth {
		months = append(months, m)
	}
	sort.Strings(months)
	for _, m := range months {
		c, f := cur2.byMonth[m], focus.byMonth[m]
		if f == nil {
			t.Errorf("FOCUS has no month %s", m)
			continue
		}
		if c.NetUnblended != f.Unblended {
			t.Errorf("%s: FOCUS BilledCost %s, CUR NetUnblendedCost %s", m, f.Unblended, c.NetUnblended)
		}
		if d := c.NetAmortized - f.Amortized; d < -billing.Amount(1e4) || d > billing.Amount(1e4) {
			t.Errorf("%s: FOCUS EffectiveCost %s, CUR NetAmortizedCost %s", m, f.Amortized, c.NetAmortized)
		}
		// EdpDiscount lines make the month's unblended cost equal its net
		// unblended cost; amortisation moves cost once commitments exist.
		if c.Unblended != c.NetUnblended {
			t.Errorf("%s: unblended %s, net unblended %s; want equal", m, c.Unblended, c.NetUnblended)
		}
		if m > months[0] && (c.Unblended == c.Amortized || c.Amortized == c.NetAmortized) {
			t.Errorf("%s: unblended %s, amortized %s, net amortized %s; want all different", m, c.Unblended, c.Amortized, c.NetAmortized)
		}
	}
}
