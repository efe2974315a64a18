package s3sync

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCurrent(t *testing.T) {
	t0 := time.Date(2024, 2, 3, 0, 0, 0, 0, time.UTC)
	objects := map[string]object{
		// Legacy CUR: the period manifest wins over the assembly copies.
		"p/cur/20240101-20240201/cur-Manifest.json":    {modified: t0},
		"p/cur/20240101-20240201/a1/cur-Manifest.json": {modified: t0.Add(time.Hour)},
		"p/cur/20240101-20240201/a1/cur-1.csv.gz":      {},
		"p/cur/20240201-20240301/a2/cur-Manifest.json": {modified: t0},
		// Data Exports with one folder per execution: the latest wins.
		"p/x/metadata/BILLING_PERIOD=2024-01/e1/x-Manifest.json": {modified: t0},
		"p/x/metadata/BILLING_PERIOD=2024-01/e2/x-Manifest.json": {modified: t0.Add(time.Hour)},
		"p/x/metadata/BILLING_PERIOD=2024-02/x-Manifest.json":    {modified: t0},
		"p/x/data/BILLING_PERIOD=2024-02/x-00001.snappy.parquet": {},
	}
	want := []string{
		"p/cur/20240101-20240201/cur-Manifest.json",
		"p/cur/20240201-20240301/a2/cur-Manifest.json",
		"p/x/metadata/BILLING_PERIOD=2024-01/e2/x-Manifest.json",
		"p/x/metadata/BILLING_PERIOD=2024-02/x-Manifest.json",
	}
	if diff := cmp.Diff(want, (&Source{}).current(objects)); diff != "" {
		t.Errorf("current manifests (-want +got):\n%s", diff)
	}
}

func TestResolve(t *testing.T) {
	objects := map[string]object{"copy/x/data/f.parquet": {}, "a/one.csv": {}, "b/one.csv": {}}
	for _, tc := range []struct {
		key, want string
		ok        bool
	}{
		{"copy/x/data/f.parquet", "copy/x/data/f.parquet", true},
		{"x/data/f.parquet", "copy/x/data/f.parquet", true}, // exported under another prefix
		{"one.csv", "", false},                              // ambiguous
		{"x/data/g.parquet", "", false},
	} {
		got, ok := resolve(tc.key, objects)
		if got != tc.want || ok != tc.ok {
			t.Errorf("resolve(%q) = %q, %v; want %q, %v", tc.key, got, ok, tc.want, tc.ok)
		}
	}
}
