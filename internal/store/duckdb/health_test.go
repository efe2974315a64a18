package duckdb

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store"
)

// smallDisk mounts a tmpfs of size bytes and returns its path. It needs
// root; without it the test is skipped unless TALLY_REQUIRE_FULLDISK is set.
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		if os.Getenv("TALLY_REQUIRE_FULLDISK") != "" {
			t.Fatalf("mount tmpfs: %v: %s", err, out)
		}
		t.Skipf("cannot mount a small disk (needs root): %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// fill takes all the free space of dir's file system.
func fill(t *testing.T, dir string) {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 1<<16)
	for {
		if _, err := f.Write(buf); err != nil {
			break
		}
	}
	for _, n := range []int{4096, 512, 1} {
		for {
			if _, err := f.Write(buf[:n]); err != nil {
				break
			}
		}
	}
}

// A full disk during an ingest must not poison the store: the ingest fails,
// the store goes on answering the data it had, Health says so, and the store
// opens again while the disk is still full.
func TestFullDiskDuringIngest(t *testing.T) {
	ctx := context.Background()
	disk := smallDisk(t, "24m")
	path := filepath.Join(disk, "tally.duckdb")
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if db != nil {
			db.Close()
		}
	}()
	jan := billing.BillingPeriod{Source: "cur:111111111111", Month: day("2024-01-01")}
	var items []*billing.LineItem
	for i := range 3000 {
		li := item("2024-01-02", "Amazon S3", "0.01", map[string]string{"Team": fmt.Sprint("t", i%50)})
		li.ResourceID = fmt.Sprint("bucket-", i)
		items = append(items, li)
	}
	load(t, db, jan, items...)
	q := &query.Aggregate{Period: billing.Period{Start: day("2024-01-01"), End: day("2024-03-01")},
		Granularity: query.Monthly, Metrics: []billing.Metric{billing.UnblendedCost}}
	want := map[string]string{"2024-01-01": "30 USD"}
	if diff := cmp.Diff(want, total(t, db, q)); diff != "" {
		t.Fatalf("before (-want +got):\n%s", diff)
	}

	// Leftovers of an ingest that crashed, which the next start removes.
	if _, err := db.SQL().ExecContext(ctx, `INSERT INTO line_items SELECT 999999, * EXCLUDE (gen) FROM line_items`); err != nil {
		t.Fatal(err)
	}
	// The commit of the next ingest checkpoints (as a large one does), on a
	// full disk: DuckDB invalidates the database.
	if _, err := db.SQL().ExecContext(ctx, `SET GLOBAL checkpoint_threshold = '1KB'`); err != nil {
		t.Fatal(err)
	}
	fill(t, disk)
	feb := billing.BillingPeriod{Source: "cur:111111111111", Month: day("2024-02-01")}
	w, err := db.NewWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2000 {
		li := item("2024-02-02", "Amazon EC2", "1", map[string]string{"Team": fmt.Sprint("u", i)})
		if err := w.Append(feb, li); err != nil {
			t.Fatal(err)
		}
	}
	err = w.Commit(ctx, []store.PeriodInfo{{Period: feb, Format: "test"}})
	if err == nil {
		t.Fatal("an ingest on a full disk succeeded")
	}
	t.Logf("ingest on a full disk: %v", err)

	if err := db.Health(ctx); err != nil {
		t.Errorf("Health after the failed ingest: %v", err)
	}
	if diff := cmp.Diff(want, total(t, db, q)); diff != "" {
		t.Errorf("after the failed ingest (-want +got):\n%s", diff)
	}
	if err := db.Close(); err != nil {
		t.Logf("close: %v", err)
	}
	if err := db.Health(ctx); err == nil {
		t.Error("Health of a closed store is nil")
	}

	// Start-up on the still full disk serves the data.
	if db, err = Open(ctx, path, Options{}); err != nil {
		t.Fatalf("open on a full disk: %v", err)
	}
	if diff := cmp.Diff(want, total(t, db, q)); diff != "" {
		t.Errorf("after reopening on a full disk (-want +got):\n%s", diff)
	}
	if err := db.Health(ctx); err != nil {
		t.Errorf("Health after reopening: %v", err)
	}
}

// The same without a small disk: DuckDB's debug_checkpoint_abort makes the
// checkpoint of the next ingest's commit fail, which invalidates the
// database as a full disk does. The store reopens it and serves the old data.
func TestInvalidatedStoreIsReopened(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "tally.duckdb"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { db.Close() }()
	jan := billing.BillingPeriod{Source: "cur:111111111111", Month: day("2024-01-01")}
	load(t, db, jan, item("2024-01-02", "Amazon S3", "5", map[string]string{"Team": "a"}))
	for _, q := range []string{`SET GLOBAL checkpoint_threshold = '1KB'`, `SET GLOBAL debug_checkpoint_abort = 'before_header'`} {
		if _, err := db.SQL().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	feb := billing.BillingPeriod{Source: "cur:111111111111", Month: day("2024-02-01")}
	w, err := db.NewWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 500 {
		if err := w.Append(feb, item("2024-02-02", "Amazon EC2", "1", map[string]string{"Team": fmt.Sprint("b", i)})); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(ctx, []store.PeriodInfo{{Period: feb, Format: "test"}}); err == nil {
		t.Fatal("commit with an aborted checkpoint succeeded")
	}
	q := &query.Aggregate{Period: billing.Period{Start: day("2024-01-01"), End: day("2024-03-01")},
		Granularity: query.Monthly, Metrics: []billing.Metric{billing.UnblendedCost},
		GroupBy: []query.GroupKey{{Kind: query.KindTag, Key: "Team"}}}
	if diff := cmp.Diff(map[string]string{"2024-01-01|a": "5 USD"}, total(t, db, q)); diff != "" {
		t.Errorf("after the failed ingest (-want +got):\n%s", diff)
	}
	if err := db.Health(ctx); err != nil {
		t.Errorf("Health: %v", err)
	}
	// The reopened store takes the next ingest.
	load(t, db, feb, item("2024-02-02", "Amazon EC2", "7", map[string]string{"Team": "b"}))
	if diff := cmp.Diff(map[string]string{"2024-01-01|a": "5 USD", "2024-02-01|b": "7 USD"}, total(t, db, q)); diff != "" {
		t.Errorf("after the next ingest (-want +got):\n%s", diff)
	}
}
