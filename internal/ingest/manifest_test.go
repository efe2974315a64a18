package ingest

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLegacyManifestIgnoresStaleAssemblies(t *testing.T) {
	root := t.TempDir()
	period := filepath.Join(root, "prefix", "report", "20240101-20240201")
	old := writeFile(t, filepath.Join(period, "asm-A", "report-1.csv.gz"),
		gzipped(t, csvText(t, legacyHeader, legacyRow(map[string]string{"lineItem/UnblendedCost": "1"}))))
	writeFile(t, filepath.Join(period, "asm-A", "report-Manifest.json"), []byte(`{"assemblyId":"asm-A","reportKeys":["prefix/report/20240101-20240201/asm-A/report-1.csv.gz"]}`))
	cur1 := writeFile(t, filepath.Join(period, "asm-B", "report-1.csv.gz"),
		gzipped(t, csvText(t, legacyHeader, legacyRow(map[string]string{"lineItem/UnblendedCost": "2"}))))
	cur2 := writeFile(t, filepath.Join(period, "asm-B", "report-2.csv.gz"),
		gzipped(t, csvText(t, legacyHeader, legacyRow(map[string]string{"lineItem/UnblendedCost": "3"}))))
	writeFile(t, filepath.Join(period, "asm-B", "report-Manifest.json"), []byte(`{"assemblyId":"asm-B","reportKeys":["x"]}`))
	writeFile(t, filepath.Join(period, "report-Manifest.json"), []byte(`{"assemblyId":"asm-B","bucket":"b","reportKeys":[
		"prefix/report/20240101-20240201/asm-B/report-1.csv.gz","prefix/report/20240101-20240201/asm-B/report-2.csv.gz"]}`))

	w := newMemWriter(false)
	rep := mustLoad(t, w, root)
	if diff := cmp.Diff([]string{old}, rep.Stale); diff != "" {
		t.Errorf("stale (-want +got):\n%s", diff)
	}
	if len(w.committed) != 1 || w.committed[0].Rows != 2 || w.committed[0].Final {
		t.Fatalf("committed = %+v", w.committed)
	}
	if diff := cmp.Diff([]string{cur1, cur2}, w.committed[0].Files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if got := w.unblended[w.committed[0].Period].String(); got != "5" {
		t.Errorf("unblended = %s, want 5 (the latest assembly only)", got)
	}
}

func TestDataExportsManifest(t *testing.T) {
	root := t.TempDir()
	export := filepath.Join(root, "pre", "export")
	row := func(cost string) []byte {
		return gzipped(t, csvText(t, cur2Header, map[string]string{
			"bill_payer_account_id": "111122223333", "bill_billing_period_start_date": "2024-03-01T00:00:00Z",
			"line_item_usage_account_id": "111122223333", "line_item_line_item_type": "Usage",
			"line_item_usage_start_date": "2024-03-02T00:00:00Z", "line_item_usage_end_date": "2024-03-02T01:00:00Z",
			"line_item_product_code": "AmazonS3", "line_item_unblended_cost": cost,
		}))
	}
	stale := writeFile(t, filepath.Join(export, "data", "BILLING_PERIOD=2024-03", "exec1", "export-00001.csv.gz"), row("10"))
	current := writeFile(t, filepath.Join(export, "data", "BILLING_PERIOD=2024-03", "exec2", "export-00001.csv.gz"), row("20"))
	manifest := writeFile(t, filepath.Join(export, "metadata", "BILLING_PERIOD=2024-03", "export-Manifest.json"),
		[]byte(`{"executionId":"exec2","finalized":true,"dataFiles":["s3://bkt/pre/export/data/BILLING_PERIOD=2024-03/exec2/export-00001.csv.gz"]}`))
	// A file outside any manifest's scope is taken as given.
	loose := writeFile(t, filepath.Join(root, "loose", "feb.csv"), csvText(t, legacyHeader, legacyRow(nil)))

	for _, tc := range []struct {
		name      string
		paths     []string
		wantStale []string
		wantFiles []string
	}{
		{"folder", []string{root}, []string{stale}, []string{loose, current}},
		{"manifest named", []string{manifest}, nil, []string{current}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newMemWriter(false)
			rep := mustLoad(t, w, tc.paths...)
			if diff := cmp.Diff(tc.wantStale, rep.Stale); diff != "" {
				t.Errorf("stale (-want +got):\n%s", diff)
			}
			var files []string
			for _, f := range rep.Files {
				files = append(files, f.Path)
			}
			if diff := cmp.Diff(tc.wantFiles, files); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			for _, p := range w.committed {
				if p.Period.Source == "cur:111122223333" && (!p.Final || w.unblended[p.Period].String() != "20") {
					t.Errorf("period %+v: want final with cost 20, got %s", p, w.unblended[p.Period])
				}
			}
		})
	}
}

func TestDeliveryConflicts(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string
	}{
		{"manifest lists a missing file", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "r", "20240101-20240201", "r-Manifest.json"), []byte(`{"reportKeys":["r/20240101-20240201/a/r-1.csv.gz"]}`))
		}, "r-Manifest.json: manifest lists r/20240101-20240201/a/r-1.csv.gz, which is not in the local tree"},
		{"not a manifest", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "x-Manifest.json"), []byte(`{"hello":1}`))
		}, "x-Manifest.json: not a CUR or Data Exports manifest"},
		{"same period as CSV and Parquet", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "a.csv"), csvText(t, legacyHeader, legacyRow(nil)))
			writeParquet(t, filepath.Join(dir, "b.parquet"), []cur2ParquetRow{{PayerID: "011254002932", AccountID: "1",
				PeriodStart: utc("2024-01-01T00:00:00Z"), Start: utc("2024-01-02T00:00:00Z"), LineItemType: "Usage", ProductCode: "AmazonS3"}})
		}, "b.parquet row 1: billing period cur:011254002932 2024-01 also comes from a.csv, a cur-csv file"},
		{"manifest and loose file for one period", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "r", "20240101-20240201", "a", "r-1.csv"), csvText(t, legacyHeader, legacyRow(nil)))
			writeFile(t, filepath.Join(dir, "r", "20240101-20240201", "r-Manifest.json"), []byte(`{"reportKeys":["r/20240101-20240201/a/r-1.csv"]}`))
			writeFile(t, filepath.Join(dir, "z-extra.csv"), csvText(t, legacyHeader, legacyRow(nil)))
		}, "is delivered twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.setup(t, dir)
			w := newMemWriter(false)
			_, err := Load(context.Background(), []string{dir}, w, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load error = %v, want one containing %q", err, tc.want)
			}
			if w.commits != 0 || w.aborts != 1 {
				t.Errorf("commits=%d aborts=%d, want 0, 1", w.commits, w.aborts)
			}
		})
	}
}
