package ingest

import (
	"context"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/store"
)

// nullWriter discards rows, so benchmarks measure ingest alone.
type nullWriter struct{ n int64 }

func (w *nullWriter) Append(billing.BillingPeriod, *billing.LineItem) error { w.n++; return nil }
func (w *nullWriter) Commit(context.Context, []store.PeriodInfo) error      { return nil }
func (w *nullWriter) Abort() error                                          { return nil }

func benchLoad(b *testing.B, paths ...string) {
	b.Helper()
	var rows int64
	start, cpu0 := time.Now(), cpuTime()
	for b.Loop() {
		w := &nullWriter{}
		if _, err := Load(context.Background(), paths, w, Options{}); err != nil {
			b.Fatal(err)
		}
		rows += w.n
	}
	b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
	// CPU time is the fairer figure on a shared machine.
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(rows)/cpu.Seconds(), "rows/cpu-s")
	}
}

// cpuTime returns the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkParquetSamples loads the three WorkshopCUR Parquet files
// (335k rows, 120-126 columns, about 45 of them read).
func BenchmarkParquetSamples(b *testing.B) {
	dir := samplesDir(&testing.T{})
	if dir == "" {
		b.Skip("no samples")
	}
	benchLoad(b, filepath.Join(dir, "Oct2018-WorkshopCUR-00001.snappy.parquet"),
		filepath.Join(dir, "Nov2018-WorkshopCUR-00001.snappy.parquet"),
		filepath.Join(dir, "Dec2018-WorkshopCUR-00001.snappy.parquet"))
}

// BenchmarkParquetCUR2 loads a generated CUR 2.0 Parquet file with map
// columns (1M rows unless -short).
func BenchmarkParquetCUR2(b *testing.B) {
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	p := filepath.Join(b.TempDir(), "cur2.snappy.parquet")
	writeSyntheticCUR2(b, p, n)
	benchLoad(b, p)
}

func writeSyntheticCUR2(tb testing.TB, path string, n int) {
	tb.Helper()
	f, err := createFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := parquet.NewGenericWriter[cur2ParquetRow](f, parquet.Compression(&parquet.Snappy),
		parquet.DefaultEncodingFor(parquet.ByteArray, &parquet.RLEDictionary))
	base := time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)
	batch := make([]cur2ParquetRow, 0, 10_000)
	products := []map[string]string{
		{"product_name": "Amazon Elastic Compute Cloud", "region": "us-east-1", "operating_system": "Linux", "tenancy": "Shared"},
		{"product_name": "Amazon Simple Storage Service", "region": "us-west-2"},
		{"product_name": "AWS Lambda", "region": "eu-west-1"},
	}
	for i := 0; i < n; i++ {
		start := base.Add(time.Duration(i%720) * time.Hour)
		end := start.Add(time.Hour)
		batch = append(batch, cur2ParquetRow{
			PayerID: "111122223333", PayerName: "Payer", PeriodStart: base, AccountID: fmt.Sprintf("4444555566%02d", i%20),
			LineItemType: "Usage", Start: start, End: &end, ProductCode: []string{"AmazonEC2", "AmazonS3", "AWSLambda"}[i%3],
			UsageType: []string{"BoxUsage:m5.large", "TimedStorage-ByteHrs", "Lambda-GB-Second"}[i%3], Operation: "RunInstances",
			UsageAmount: ptr(float64(i % 7)), Unblended: float64(i%1000) / 997, InstanceType: "m5.large",
			Product:      products[i%3],
			ResourceTags: map[string]string{"user_environment": []string{"prod", "dev"}[i%2], "user_team": fmt.Sprintf("t%d", i%13)},
			CostCategory: map[string]string{"Unit": "u1"},
		})
		if len(batch) == cap(batch) {
			if _, err := w.Write(batch); err != nil {
				tb.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if _, err := w.Write(batch); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkLegacyCSVGzip loads a gzip-compressed legacy CUR CSV of 100k rows.
func BenchmarkLegacyCSVGzip(b *testing.B) {
	t := &testing.T{}
	rows := make([]map[string]string, 100_000)
	for i := range rows {
		rows[i] = legacyRow(map[string]string{"lineItem/UnblendedCost": fmt.Sprintf("0.%06d", i)})
	}
	p := writeFile(t, filepath.Join(b.TempDir(), "cur.csv.gz"), gzipped(t, csvText(t, legacyHeader, rows...)))
	benchLoad(b, p)
}
