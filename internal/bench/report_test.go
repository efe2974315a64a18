package bench

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestMarkdownGolden(t *testing.T) {
	res := &Results{
		StartedAt:     time.Date(2026, 11, 23, 4, 0, 0, 0, time.UTC),
		TallyVersion:  "dev",
		DuckDBVersion: "v1.5.6",
		Host:          Host{CPUs: 2, CPUModel: "Test CPU", MemBytes: 8 << 30, OS: "linux", Arch: "amd64"},
		Data: Dataset{Format: "cur2", Seed: 1, Rows: 10_000_000, LineItems: 10_240_200, Periods: 14, Files: 70,
			Bytes: 500 << 20, Now: time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC), Seconds: 21.5},
		Ingest:       IngestResult{LineItems: 10_240_200, Seconds: 30, Rate: 341_340, PeakRSS: 1 << 30, StoreBytes: 900 << 20},
		ServePeakRSS: 300 << 20,
		Requests: []RequestResult{
			{Name: "fast", Description: "a request answered from a rollup", Pages: 1, Rows: 247, First: 30, Tally: Timing{Runs: 20, P50: 12.5, P95: 20}, ServerMean: 9.5, SDKMean: 1.5, Load: "1.10 0.90 0.50", DuckDBRows: 247,
				DuckDB: Timing{Runs: 5, P50: 1500, P95: 1700}, Ratio: 12.5 / 1500, Agree: true},
			{Name: "slow", Description: "a request with many pages", Pages: 7, Rows: 30_531, First: 3300, Tally: Timing{Runs: 20, P50: 2740, P95: 4130},
				Cached: &Timing{Runs: 20, P50: 1600, P95: 1900}, ServerMean: 2500, DuckDBRows: 30_530,
				DuckDB: Timing{Runs: 5, P50: 156, P95: 192}, Ratio: 2740.0 / 156, Difference: "Tally has 30531 rows, DuckDB 30530"},
		},
		Throughput: []ThroughputResult{
			{Server: "computed", Request: "monthly-total", Concurrency: 1, Requests: 900, Seconds: 3, PerSecond: 300, P50: 3.2, P99: 6, ServerCPU: 3.1, Load: "2.00 1.00 0.50"},
			{Server: "cached", Request: "monthly-total", Concurrency: 8, Requests: 1500, Errors: 2, Seconds: 3, PerSecond: 500, P50: 15, P99: 40, ServerCPU: 3.5, Load: "3.00 1.20 0.60"},
		},
		LoadAtStart: "0.50 0.40 0.30", LoadAtEnd: "3.00 1.20 0.60",
	}
	res.checkTargets()
	got := res.Markdown()
	path := filepath.Join("testdata", "results.md")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/bench -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("Markdown (-want +got), refresh with -update if intended:\n%s", diff)
	}
}

func TestThousands(t *testing.T) {
	for _, tc := range []struct {
		in   int64
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {1234567, "1,234,567"}, {-12345, "-12,345"}} {
		if got := thousands(tc.in); got != tc.want {
			t.Errorf("thousands(%d) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
