package ingest

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func without(header []string, drop ...string) []string {
	var out []string
	for _, h := range header {
		keep := true
		for _, d := range drop {
			keep = keep && h != d
		}
		if keep {
			out = append(out, h)
		}
	}
	return out
}

func focusRows(n int, bad map[string]string) []map[string]string {
	var rows []map[string]string
	for i := 1; i <= n; i++ {
		r := map[string]string{"BilledCost": "0.1", "EffectiveCost": "0.1", "BillingAccountId": "1", "BillingPeriodStart": "2024-09-01 00:00:00",
			"ChargeCategory": "Usage", "ChargePeriodStart": "2024-09-02 00:00:00", "ChargePeriodEnd": "2024-09-02 01:00:00",
			"ProviderName": "AWS", "ServiceName": "AWS Lambda"}
		if i == n {
			for k, v := range bad {
				r[k] = v
			}
		}
		rows = append(rows, r)
	}
	return rows
}

var focusHeader = []string{"BilledCost", "EffectiveCost", "BillingAccountId", "BillingPeriodStart", "ChargeCategory",
	"ChargePeriodStart", "ChargePeriodEnd", "ProviderName", "ServiceName", "Tags"}

func TestFileErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		file    string
		data    func(t *testing.T) []byte
		wantMsg string
		want    FileError // Err is not compared
	}{
		{
			name: "bad amount", file: "focus_sample.csv",
			data: func(t *testing.T) []byte {
				return csvText(t, focusHeader, focusRows(12, map[string]string{"BilledCost": "abc"})...)
			},
			wantMsg: `ingest: focus_sample.csv row 12 column BilledCost: "abc" is not a decimal number`,
			want:    FileError{Row: 12, Column: "BilledCost"},
		},
		{
			name: "bad date", file: "cur.csv",
			data: func(t *testing.T) []byte {
				return csvText(t, legacyHeader, legacyRow(nil), legacyRow(map[string]string{"lineItem/UsageStartDate": "2024-13-01T00:00:00Z"}))
			},
			wantMsg: `ingest: cur.csv row 2 column lineItem/UsageStartDate: "2024-13-01T00:00:00Z" is not a timestamp`,
			want:    FileError{Row: 2, Column: "lineItem/UsageStartDate"},
		},
		{
			name: "empty usage start", file: "cur.csv",
			data: func(t *testing.T) []byte {
				return csvText(t, legacyHeader, legacyRow(map[string]string{"lineItem/UsageStartDate": ""}))
			},
			wantMsg: `ingest: cur.csv row 1 column lineItem/UsageStartDate: empty timestamp`,
			want:    FileError{Row: 1, Column: "lineItem/UsageStartDate"},
		},
		{
			name: "bad quantity", file: "cur.csv.gz",
			data: func(t *testing.T) []byte {
				return gzipped(t, csvText(t, legacyHeader, legacyRow(nil), legacyRow(nil), legacyRow(map[string]string{"lineItem/UsageAmount": "1..2"})))
			},
			wantMsg: `ingest: cur.csv.gz row 3 column lineItem/UsageAmount: "1..2" is not a decimal number`,
			want:    FileError{Row: 3, Column: "lineItem/UsageAmount"},
		},
		{
			name: "missing required columns", file: "cur.csv",
			data: func(t *testing.T) []byte {
				return csvText(t, without(legacyHeader, "lineItem/UnblendedCost", "lineItem/UsageStartDate"), legacyRow(nil))
			},
			wantMsg: `ingest: cur.csv: missing required columns: lineItem/UsageStartDate, lineItem/UnblendedCost`,
		},
		{
			name: "missing required FOCUS column", file: "focus.csv",
			data: func(t *testing.T) []byte {
				return csvText(t, without(focusHeader, "EffectiveCost"), focusRows(1, nil)...)
			},
			wantMsg: `ingest: focus.csv: missing required columns: EffectiveCost`,
		},
		{
			name: "unknown format", file: "other.csv",
			data:    func(t *testing.T) []byte { return []byte("a,b\n1,2\n") },
			wantMsg: `ingest: other.csv: cannot detect billing format: no CUR, CUR 2.0 or FOCUS columns found`,
		},
		{
			name: "empty file", file: "empty.csv",
			data:    func(t *testing.T) []byte { return nil },
			wantMsg: `ingest: empty.csv: file is empty`,
		},
		{
			name: "empty gzip", file: "empty.csv.gz",
			data:    func(t *testing.T) []byte { return gzipped(t, nil) },
			wantMsg: `ingest: empty.csv.gz: file is empty`,
		},
		{
			name: "malformed CSV", file: "cur.csv",
			data: func(t *testing.T) []byte {
				return append(csvText(t, legacyHeader, legacyRow(nil)), []byte("a,\"b\"c\n")...)
			},
			wantMsg: `ingest: cur.csv row 2: extraneous or missing " in quoted-field`,
			want:    FileError{Row: 2},
		},
		{
			name: "bad map text", file: "cur2.csv",
			data: func(t *testing.T) []byte {
				return csvText(t, cur2Header, map[string]string{"bill_payer_account_id": "1", "bill_billing_period_start_date": "2024-03-01T00:00:00Z",
					"line_item_usage_account_id": "1", "line_item_line_item_type": "Usage", "line_item_usage_start_date": "2024-03-02T00:00:00Z",
					"line_item_usage_end_date": "2024-03-02T01:00:00Z", "line_item_product_code": "AmazonS3", "line_item_unblended_cost": "1",
					"product": `{"product_name":`})
			},
			wantMsg: `ingest: cur2.csv row 1 column product: "{\"product_name\":" is not a JSON object`,
			want:    FileError{Row: 1, Column: "product"},
		},
		{
			name: "zip with two CSVs", file: "two.zip",
			data:    func(t *testing.T) []byte { return zipped(t, "a.csv", []byte("x"), "b.csv", []byte("y")) },
			wantMsg: `ingest: two.zip: zip archive holds 2 files, 2 of them CSV; expected exactly one CSV`,
		},
		{
			name: "corrupt Parquet", file: "bad.parquet",
			data: func(t *testing.T) []byte { return []byte("PAR1 this is not parquet PAR1") },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			p := writeFile(t, tc.file, tc.data(t))
			w := newMemWriter(false)
			_, err := Load(context.Background(), []string{p}, w, Options{})
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("Load error = %v (%T), want a *FileError", err, err)
			}
			if tc.wantMsg != "" && err.Error() != tc.wantMsg {
				t.Errorf("error = %q\nwant    %q", err.Error(), tc.wantMsg)
			}
			tc.want.File = p
			got := *fe
			got.Err = nil
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("FileError (-want +got):\n%s", diff)
			}
			if w.commits != 0 || w.aborts != 1 {
				t.Errorf("commits=%d aborts=%d, want 0, 1", w.commits, w.aborts)
			}
		})
	}
}

func TestParquetFileErrors(t *testing.T) {
	t.Chdir(t.TempDir())
	dir := "."
	type row struct {
		Payer string  `parquet:"bill_payer_account_id"`
		Start string  `parquet:"line_item_usage_start_date"`
		Cost  string  `parquet:"line_item_unblended_cost"`
		Other float64 `parquet:"line_item_usage_amount"`
	}
	p := writeParquet(t, filepath.Join(dir, "cur.parquet"), []row{{Payer: "1"}})
	_, err := Load(context.Background(), []string{p}, newMemWriter(false), Options{})
	want := "ingest: cur.parquet: missing required columns: bill_billing_period_start_date, line_item_usage_account_id, " +
		"line_item_line_item_type, line_item_usage_end_date, line_item_product_code"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}

	rows := make([]cur2ParquetRow, 5000)
	for i := range rows {
		rows[i] = cur2ParquetRow{PayerID: "1", AccountID: "1", PeriodStart: utc("2024-01-01T00:00:00Z"), Start: utc("2024-01-02T00:00:00Z"),
			LineItemType: "Usage", ProductCode: "AmazonS3", Unblended: 1}
	}
	rows[4321].Product = map[string]string{"product_name": "x"}
	nan := 0.0
	rows[4321].Unblended = nan / nan
	p = writeParquet(t, filepath.Join(dir, "cur2.parquet"), rows)
	w := newMemWriter(false)
	_, err = Load(context.Background(), []string{p}, w, Options{})
	want = "ingest: cur2.parquet row 4322 column line_item_unblended_cost: NaN is not a finite number"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
	if w.n != 4321 || w.aborts != 1 || w.commits != 0 {
		t.Errorf("appended %d rows, aborts=%d commits=%d; want 4321, 1, 0", w.n, w.aborts, w.commits)
	}
}

func TestAppendFailureAborts(t *testing.T) {
	p := writeFile(t, filepath.Join(t.TempDir(), "cur.csv"), csvText(t, legacyHeader, legacyRow(nil), legacyRow(nil), legacyRow(nil)))
	w := newMemWriter(false)
	w.failAt = 2
	_, err := Load(context.Background(), []string{p}, w, Options{})
	if !errors.Is(err, errAppend) || err.Error() != "ingest: cur.csv row 2: "+errAppend.Error() {
		t.Errorf("error = %v", err)
	}
	if w.commits != 0 || w.aborts != 1 {
		t.Errorf("commits=%d aborts=%d, want 0, 1", w.commits, w.aborts)
	}
}

func TestCancelAborts(t *testing.T) {
	var rows []map[string]string
	for i := 0; i < 5000; i++ {
		rows = append(rows, legacyRow(map[string]string{"identity/LineItemId": strconv.Itoa(i)}))
	}
	p := writeFile(t, filepath.Join(t.TempDir(), "cur.csv"), csvText(t, legacyHeader, rows...))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w := newMemWriter(false)
	if _, err := Load(ctx, []string{p}, w, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
	if w.commits != 0 || w.aborts != 1 {
		t.Errorf("commits=%d aborts=%d, want 0, 1", w.commits, w.aborts)
	}
}

func TestNoFiles(t *testing.T) {
	w := newMemWriter(false)
	if _, err := Load(context.Background(), []string{t.TempDir()}, w, Options{}); err == nil || w.aborts != 1 {
		t.Errorf("Load of an empty folder: err=%v aborts=%d, want an error and an abort", err, w.aborts)
	}
}

// Errors name the file by its path from what was given: a CUR 2.0 export
// keeps one base name for every month. A .csv.gz of random bytes is a gzip
// error, not a malformed CSV.
func TestErrorsNameTheFile(t *testing.T) {
	t.Chdir(t.TempDir())
	good := gzipped(t, csvText(t, legacyHeader, legacyRow(nil)))
	writeFile(t, "export/data/BILLING_PERIOD=2024-01/export-00001.csv.gz", good)
	bad := gzipped(t, csvText(t, legacyHeader, legacyRow(map[string]string{"lineItem/UnblendedCost": "abc",
		"bill/BillingPeriodStartDate": "2024-02-01T00:00:00Z", "bill/BillingPeriodEndDate": "2024-03-01T00:00:00Z",
		"lineItem/UsageStartDate": "2024-02-05T10:00:00Z", "lineItem/UsageEndDate": "2024-02-05T11:00:00Z"})))
	writeFile(t, "export/data/BILLING_PERIOD=2024-02/export-00001.csv.gz", bad)
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(i*7919 + i/3)
	}
	writeFile(t, "random/export-00001.csv.gz", random)
	// Valid gzip header, corrupt deflate stream.
	corrupt := gzipped(t, bytes.Repeat(csvText(t, legacyHeader, legacyRow(nil)), 50))
	for i := 20; i < len(corrupt)-8; i += 3 {
		corrupt[i] ^= 0x5a
	}
	writeFile(t, "corrupt/export-00001.csv.gz", corrupt)
	for _, tc := range []struct{ given, want string }{
		{"export", `ingest: export/data/BILLING_PERIOD=2024-02/export-00001.csv.gz row 1 column lineItem/UnblendedCost: "abc" is not a decimal number`},
		{"random", "ingest: random/export-00001.csv.gz: gzip: not a gzip file"},
		{"corrupt", "ingest: corrupt/export-00001.csv.gz"},
	} {
		_, err := Load(context.Background(), []string{tc.given}, newMemWriter(false), Options{})
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Load(%s) = %v\nwant %s…", tc.given, err, tc.want)
		}
		if tc.given == "corrupt" && (err == nil || !strings.Contains(err.Error(), "gzip: ")) {
			t.Errorf("Load(corrupt) = %v, want a gzip error", err)
		}
	}
}
