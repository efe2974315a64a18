package bench

import (
	"context"
	"os"
	"testing"
	"time"
)

// TestThroughputSigned runs the load generator briefly against an
// in-process server: every request signed, answered and counted.
func TestThroughputSigned(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and ingests a data set")
	}
	ctx := context.Background()
	ds, err := prepareData(ctx, t.TempDir(), 5_000, 2, testNow)
	if err != nil {
		t.Fatal(err)
	}
	url := serveInProcess(t, ds.Export)
	res, err := measureThroughput(ctx, "computed", url, os.Getpid(), Window{Now: ds.Now}, 150*time.Millisecond, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if want := len(loadRequests(Window{Now: ds.Now})) * len(Concurrencies); len(res) != want {
		t.Fatalf("%d results, want %d", len(res), want)
	}
	for _, r := range res {
		if r.Requests == 0 || r.Errors != 0 || r.PerSecond <= 0 || r.P99 < r.P50 {
			t.Errorf("%+v: want answered requests, no errors, p99 ≥ p50", r)
		}
	}
	if processCPU(os.Getpid()) <= 0 {
		t.Error("this process has used no CPU according to /proc")
	}
}
