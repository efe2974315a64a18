package synth

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go"
)

var testNow = time.Date(2025, 3, 10, 5, 0, 0, 0, time.UTC)

func smallConfig(dir string) Config {
	return Config{Out: dir, Now: testNow, Start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Rows: 60000, Seed: 42}
}

func generate(t *testing.T, cfg Config) *Stats {
	t.Helper()
	st, err := Generate(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return st
}

func TestValidate(t *testing.T) {
	ok := Config{Out: "x", Now: testNow}
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"defaults", func(*Config) {}, ""},
		{"no out", func(c *Config) { c.Out = "" }, "output folder must be set"},
		{"no clock", func(c *Config) { c.Now = time.Time{} }, "now must be set"},
		{"unknown format", func(c *Config) { c.Format = "csv" }, `unknown format "csv" (want cur2, cur, focus or focus13)`},
		{"negative rows", func(c *Config) { c.Rows = -1 }, "rows must not be negative, got -1"},
		{"negative accounts", func(c *Config) { c.Accounts = -3 }, "accounts must not be negative, got -3"},
		{"negative months", func(c *Config) { c.Months = -1 }, "months must not be negative, got -1"},
		{"negative workers", func(c *Config) { c.Workers = -1 }, "workers must not be negative, got -1"},
		{"bad name", func(c *Config) { c.ExportName = "a/b" }, `export name "a/b" must be 1-128 letters, digits, '-' or '_'`},
		{"end before start", func(c *Config) {
			c.Start = time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
			c.End = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		}, "end 2025-01-01T00:00:00Z must be after start 2025-02-01T00:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.edit(&c)
			got := ""
			if err := c.Validate(); err != nil {
				got = err.Error()
				if strings.Contains(got, "\n") {
					t.Errorf("error is not one line: %q", got)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Validate() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	for _, f := range []Format{FormatCUR2, FormatCUR, FormatFOCUS} {
		t.Run(string(f), func(t *testing.T) {
			a, b := t.TempDir(), t.TempDir()
			cfg := smallConfig(a)
			cfg.Format, cfg.Rows, cfg.Workers, cfg.RowsPerFile = f, 20000, 1, 9000
			generate(t, cfg)
			cfg.Out, cfg.Workers = b, 3
			generate(t, cfg)
			fa, fb := readTree(t, a), readTree(t, b)
			if diff := cmp.Diff(keys(fa), keys(fb)); diff != "" {
				t.Fatalf("file sets differ (-a +b):\n%s", diff)
			}
			for name, da := range fa {
				if !bytes.Equal(da, fb[name]) {
					t.Errorf("%s differs between runs with the same seed", name)
				}
			}
			// A second run over the same folder replaces what it wrote.
			generate(t, cfg)
			if diff := cmp.Diff(keys(fa), keys(readTree(t, b))); diff != "" {
				t.Errorf("a rerun changed the file set (-first +rerun):\n%s", diff)
			}
			cfg.Out, cfg.Seed = t.TempDir(), 43
			generate(t, cfg)
			fc := readTree(t, cfg.Out)
			same := 0
			for name, da := range fa {
				if bytes.Equal(da, fc[name]) {
					same++
				}
			}
			if same == len(fa) {
				t.Error("a different seed gave identical files")
			}
		})
	}
}

func readTree(t *testing.T, root string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func keys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func TestUnwritableOutputLeavesNoManifest(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := smallConfig(filepath.Join(blocker, "out"))
	if _, err := Generate(context.Background(), cfg); err == nil {
		t.Fatal("Generate into a path below a file succeeded")
	}
	// A folder where data files cannot be created: every period fails and
	// no manifest claims its files.
	for _, tc := range []struct {
		format  Format
		blocked string // a file where the export needs a folder
	}{
		{FormatCUR2, "data"},
		{FormatFOCUS, "data"},
		{FormatCUR, ""}, // the period folder is replaced, so block the report folder
	} {
		t.Run(string(tc.format), func(t *testing.T) {
			dir := t.TempDir()
			cfg := smallConfig(dir)
			cfg.Format, cfg.Rows = tc.format, 5000
			if err := os.MkdirAll(filepath.Join(dir, DefaultExportName), 0o755); err != nil {
				t.Fatal(err)
			}
			if tc.blocked == "" {
				os.Remove(filepath.Join(dir, DefaultExportName))
			}
			if err := os.WriteFile(filepath.Join(dir, DefaultExportName, tc.blocked), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := Generate(context.Background(), cfg); err == nil {
				t.Fatal("Generate with a blocked folder succeeded")
			}
			for name := range readTree(t, dir) {
				if strings.Contains(name, "Manifest") {
					t.Errorf("manifest %s left behind after a failure", name)
				}
			}
		})
	}
}

// TestCUR2 checks the Parquet export with two independent readers,
// parquet-go and DuckDB, and the manifests against the files on disk.
func TestCUR2(t *testing.T) {
	dir := t.TempDir()
	cfg := smallConfig(dir)
	cfg.RowsPerFile = 15000
	st := generate(t, cfg)
	if st.LineItems < 40000 || st.LineItems > 80000 {
		t.Errorf("LineItems = %d, want about %d", st.LineItems, cfg.Rows)
	}
	var dataFiles []string
	for _, rel := range st.Files {
		if strings.HasSuffix(rel, ".parquet") {
			dataFiles = append(dataFiles, rel)
		}
	}
	if len(dataFiles) <= st.Periods {
		t.Errorf("%d data files for %d periods, want big months split", len(dataFiles), st.Periods)
	}
	checkManifests(t, dir, dataFiles)

	var rows int64
	for _, rel := range dataFiles {
		f, err := os.Open(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		info, _ := f.Stat()
		pf, err := parquet.OpenFile(f, info.Size())
		if err != nil {
			t.Fatalf("parquet-go cannot open %s: %v", rel, err)
		}
		r := parquet.NewReader(pf)
		buf := make([]parquet.Row, 512)
		for {
			n, err := r.ReadRows(buf)
			rows += int64(n)
			if err != nil {
				break
			}
		}
		r.Close()
		f.Close()
	}
	if rows != st.LineItems {
		t.Errorf("parquet-go read %d rows, Stats says %d", rows, st.LineItems)
	}

	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	glob := filepath.Join(dir, DefaultExportName, "data", "*", "*.parquet")
	q := func(query string, dst ...any) {
		t.Helper()
		query = strings.ReplaceAll(query, "CUR", "read_parquet('"+glob+"', hive_partitioning=false)")
		if err := db.QueryRow(query).Scan(dst...); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	var n, services, types int64
	var unblended, amortized, net float64
	q(`SELECT count(*), count(DISTINCT line_item_product_code), count(DISTINCT line_item_line_item_type),
		sum(line_item_unblended_cost), sum(line_item_net_unblended_cost),
		sum(CASE line_item_line_item_type
			WHEN 'SavingsPlanCoveredUsage' THEN savings_plan_savings_plan_effective_cost
			WHEN 'SavingsPlanRecurringFee' THEN savings_plan_total_commitment_to_date - savings_plan_used_commitment
			WHEN 'SavingsPlanNegation' THEN 0 WHEN 'SavingsPlanUpfrontFee' THEN 0
			WHEN 'DiscountedUsage' THEN reservation_effective_cost
			WHEN 'RIFee' THEN reservation_unused_amortized_upfront_fee_for_billing_period + reservation_unused_recurring_fee
			ELSE CASE WHEN line_item_line_item_type = 'Fee' AND reservation_reservation_a_r_n IS NOT NULL THEN 0
			ELSE line_item_unblended_cost END END) FROM CUR`, &n, &services, &types, &unblended, &net, &amortized)
	if n != st.LineItems {
		t.Errorf("DuckDB counts %d rows, Stats says %d", n, st.LineItems)
	}
	if services < 40 {
		t.Errorf("%d distinct product codes, want at least 40", services)
	}
	if types < 11 {
		t.Errorf("%d line item types, want every type", types)
	}
	if unblended <= 0 || amortized <= 0 || abs(unblended-amortized) < 1 {
		t.Errorf("unblended %.2f and amortized %.2f should differ", unblended, amortized)
	}
	if abs(unblended-net) > 0.01 {
		t.Errorf("net unblended %.4f should equal unblended %.4f (EDP lines carry the discount)", net, unblended)
	}
	var tagged, resLines float64
	q(`SELECT count(*) FILTER (WHERE resource_tags['user_environment'] IS NOT NULL), count(*)
		FROM CUR WHERE line_item_line_item_type = 'Usage' AND line_item_resource_id IS NOT NULL`, &tagged, &resLines)
	if cov := tagged / resLines; cov < 0.5 || cov > 0.9 {
		t.Errorf("Environment tag coverage %.2f, want between 0.5 and 0.9", cov)
	}
	var createdBy, openInvoices, closedInvoices, maps int64
	q(`SELECT count(*) FILTER (WHERE resource_tags['aws_created_by'] IS NOT NULL),
		count(DISTINCT bill_billing_period_start_date) FILTER (WHERE bill_invoice_id IS NULL),
		count(DISTINCT bill_billing_period_start_date) FILTER (WHERE bill_invoice_id IS NOT NULL),
		count(*) FILTER (WHERE product['product_name'] IS NOT NULL)
		FROM CUR`, &createdBy, &openInvoices, &closedInvoices, &maps)
	if createdBy == 0 || openInvoices != 1 || closedInvoices != 2 || maps != n {
		t.Errorf("aws:createdBy lines %d, open months %d (want 1), closed months %d (want 2), product_name on %d of %d lines",
			createdBy, openInvoices, closedInvoices, maps, n)
	}
	var badIntervals, spFees, hourlySPFees int64
	var lineDiscounts, edpLines float64
	q(`SELECT count(*) FILTER (WHERE identity_time_interval <> strftime(line_item_usage_start_date, '%Y-%m-%dT%H:%M:%SZ') || '/' ||
			strftime(line_item_usage_end_date, '%Y-%m-%dT%H:%M:%SZ')),
		count(*) FILTER (WHERE line_item_line_item_type = 'SavingsPlanRecurringFee'),
		count(*) FILTER (WHERE line_item_line_item_type = 'SavingsPlanRecurringFee'
			AND line_item_usage_end_date - line_item_usage_start_date = INTERVAL 1 HOUR),
		coalesce(sum(discount['edp_discount']), 0),
		coalesce(sum(line_item_unblended_cost) FILTER (WHERE line_item_line_item_type = 'EdpDiscount'), 0)
		FROM CUR`, &badIntervals, &spFees, &hourlySPFees, &lineDiscounts, &edpLines)
	if badIntervals != 0 {
		t.Errorf("%d lines whose identity_time_interval does not match their usage dates", badIntervals)
	}
	if spFees == 0 || hourlySPFees != spFees {
		t.Errorf("%d of %d SavingsPlanRecurringFee lines are hourly, want all (and some)", hourlySPFees, spFees)
	}
	if edpLines >= 0 || abs(lineDiscounts-edpLines) > 1e-6 {
		t.Errorf("EdpDiscount lines total %.6f, discount map of the discounted lines %.6f; want equal and negative", edpLines, lineDiscounts)
	}
	var weekday, weekend float64
	q(`SELECT avg(c) FILTER (WHERE dayofweek(d) BETWEEN 1 AND 5), avg(c) FILTER (WHERE dayofweek(d) IN (0, 6)) FROM
		(SELECT date_trunc('day', line_item_usage_start_date) d, sum(line_item_unblended_cost) c FROM CUR
		 WHERE line_item_line_item_type = 'Usage' GROUP BY 1)`, &weekday, &weekend)
	if weekday <= weekend {
		t.Errorf("weekday spend %.2f should exceed weekend spend %.2f", weekday, weekend)
	}
}

func checkManifests(t *testing.T, dir string, dataFiles []string) {
	t.Helper()
	manifests, _ := filepath.Glob(filepath.Join(dir, DefaultExportName, "metadata", "*", "*-Manifest.json"))
	var listed []string
	for _, p := range manifests {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var m dataExportsManifest
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, f := range m.DataFiles {
			rel := strings.TrimPrefix(f, "s3://"+DefaultBucket+"/")
			if _, err := os.Stat(filepath.Join(dir, rel)); err != nil {
				t.Errorf("manifest %s lists %s which does not exist", p, f)
			}
			listed = append(listed, rel)
		}
	}
	sort.Strings(listed)
	sort.Strings(dataFiles)
	if diff := cmp.Diff(dataFiles, listed); diff != "" {
		t.Errorf("manifests do not list exactly the data files (-files +listed):\n%s", diff)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// BenchmarkGenerateParquet measures CUR 2.0 Parquet generation on one
// month worker. lines/cpu-s divides by the process's CPU time, so it is the
// per-core rate even on a busy machine.
func BenchmarkGenerateParquet(b *testing.B) {
	var total int64
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		cfg := smallConfig(b.TempDir())
		cfg.Rows, cfg.Workers = 2_000_000, 1
		st, err := Generate(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		total += st.LineItems
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "lines/s")
	if used := cpuTime() - cpu; used > 0 {
		b.ReportMetric(float64(total)/used.Seconds(), "lines/cpu-s")
	}
}
