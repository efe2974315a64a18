package ingest

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/tallyhq/tally/internal/billing"
)

// TestBoundedMemory loads a file far larger than the batch and checks that
// the live heap stays small while rows stream through.
func TestBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 300k-row file")
	}
	p := filepath.Join(t.TempDir(), "big.snappy.parquet")
	writeSyntheticCUR2(t, p, 300_000)
	runtime.GC()
	var peak uint64
	w := newMemWriter(false)
	w.onAppend = func(_ billing.BillingPeriod, _ *billing.LineItem) {
		if w.n%25_000 == 0 {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	if _, err := Load(context.Background(), []string{p}, w, Options{}); err != nil {
		t.Fatal(err)
	}
	if w.n != 300_000 {
		t.Fatalf("loaded %d rows", w.n)
	}
	const limit = 32 << 20
	if peak == 0 || peak > limit {
		t.Errorf("peak live heap %d MiB, want at most %d MiB", peak>>20, limit>>20)
	}
	t.Logf("peak live heap %.1f MiB", float64(peak)/(1<<20))
}
