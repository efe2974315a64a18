package bench

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/awsjson/awsjsontest"
	"github.com/tallyhq/tally/internal/costexplorer"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/profile"
	"github.com/tallyhq/tally/internal/server"
	"github.com/tallyhq/tally/internal/store/duckdb"
)

// testNow dates the small data set of these tests.
var testNow = time.Date(2026, 3, 18, 9, 30, 0, 0, time.UTC)

// serveInProcess ingests export into a fresh store and serves it the way
// `tally serve` does, with small pages so that pagination is exercised.
func serveInProcess(t *testing.T, export string) string {
	t.Helper()
	ctx := context.Background()
	db, err := duckdb.Open(ctx, filepath.Join(t.TempDir(), "tally.duckdb"), duckdb.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w, err := db.NewWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Load(ctx, []string{export}, w, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	ce := costexplorer.New(costexplorer.Config{Store: db, Profile: profile.Unlimited, PageSize: 500,
		TokenKey: []byte("0123456789abcdef0123456789abcdef")})
	router, err := awsjson.NewRouter([]awsjson.Service{costexplorer.ServiceDef(ce)}, awsjsontest.Strict(t))
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Config{Keys: auth.TestKeys(), API: router})
	srv.SetReady()
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return hs.URL
}

// TestRequestsMatchRawSQL checks that every request's raw SQL asks DuckDB
// the same question Tally answers: same buckets, group keys and values.
func TestRequestsMatchRawSQL(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and ingests a data set")
	}
	ctx := context.Background()
	ds, err := prepareData(ctx, t.TempDir(), 30_000, 3, testNow)
	if err != nil {
		t.Fatal(err)
	}
	url := serveInProcess(t, ds.Export)
	client := NewClient(url)
	raw, err := openRaw(ctx, ds.Export, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, req := range Requests(Window{Now: ds.Now, ServerNow: time.Now()}) {
		t.Run(req.Name, func(t *testing.T) {
			if req.setup != nil {
				if err := req.setup(ctx, client); err != nil {
					t.Fatal(err)
				}
			}
			got, err := req.call(ctx, client)
			if err != nil {
				t.Fatalf("tally: %v", err)
			}
			want, err := raw.run(ctx, req)
			if err != nil {
				t.Fatalf("duckdb: %v", err)
			}
			if len(got.rows) == 0 {
				t.Fatal("Tally's answer is empty: the request misses the data")
			}
			if diff := compare(got, want); diff != "" {
				t.Errorf("answers differ: %s", diff)
			}
			if req.Name == "daily-by-category" {
				values := map[string]bool{}
				for _, r := range got.rows {
					values[r.keys[0]] = true
				}
				if len(values) < 12 || !values[categoryName+"$"] {
					t.Errorf("category values %v: want most rules to match and months before the definition without a value", values)
				}
			}
			if req.Name == "daily-by-usage-type-paged" && got.pages < 2 {
				t.Errorf("%d pages, want the answer to span several", got.pages)
			}
			if secs, ok := serverSeconds(ctx, url)(req.op); !ok || secs <= 0 {
				t.Errorf("server time of %s = %v, %v; want a positive counter", req.op, secs, ok)
			}
		})
	}
}

func TestParseCounter(t *testing.T) {
	text := `# TYPE tally_api_request_seconds_total counter
tally_api_request_seconds_total{target="AWSInsightsIndexService.GetCostAndUsage"} 1.25
tally_api_request_seconds_total{target="AWSInsightsIndexService.GetCostAndUsageWithResources"} 9
`
	for _, tc := range []struct {
		op   string
		want float64
		ok   bool
	}{
		{"GetCostAndUsage", 1.25, true},
		{"GetCostAndUsageWithResources", 9, true},
		{"GetDimensionValues", 0, false},
	} {
		got, ok := parseCounter(text, `tally_api_request_seconds_total{target="AWSInsightsIndexService.`+tc.op+`"}`)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: got %v, %v; want %v, %v", tc.op, got, ok, tc.want, tc.ok)
		}
	}
}

func TestPrepareDataReuses(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a data set")
	}
	ctx := context.Background()
	root := t.TempDir()
	first, err := prepareData(ctx, root, 5_000, 1, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if first.Reused || first.LineItems == 0 || first.Files == 0 {
		t.Fatalf("first data set = %+v, want a fresh non-empty one", first)
	}
	again, err := prepareData(ctx, root, 5_000, 1, testNow.Add(48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !again.Reused || !again.Now.Equal(first.Now) || again.LineItems != first.LineItems {
		t.Errorf("second data set = %+v, want the first reused with its clock (%v)", again, first.Now)
	}
	other, err := prepareData(ctx, root, 5_000, 2, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if other.Reused {
		t.Error("a data set of another seed was reused")
	}
}

func TestCompare(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }
	base := answer{rows: []answerRow{
		{bucket: day(1), keys: []string{"a"}, values: []float64{1.5}},
		{bucket: day(2), keys: []string{"b"}, values: []float64{2}},
	}}
	for _, tc := range []struct {
		name  string
		other answer
		agree bool
	}{
		{"same rows in another order", answer{rows: []answerRow{base.rows[1], base.rows[0]}}, true},
		{"float rounding", answer{rows: []answerRow{
			{bucket: day(1), keys: []string{"a"}, values: []float64{1.5 + 1e-9}}, base.rows[1]}}, true},
		{"missing row", answer{rows: base.rows[:1]}, false},
		{"other key", answer{rows: []answerRow{{bucket: day(1), keys: []string{"x"}, values: []float64{1.5}}, base.rows[1]}}, false},
		{"other bucket", answer{rows: []answerRow{{bucket: day(3), keys: []string{"a"}, values: []float64{1.5}}, base.rows[1]}}, false},
		{"other value", answer{rows: []answerRow{{bucket: day(1), keys: []string{"a"}, values: []float64{1.51}}, base.rows[1]}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			diff := compare(base, tc.other)
			if (diff == "") != tc.agree {
				t.Errorf("compare = %q, want agreement %v", diff, tc.agree)
			}
		})
	}
}
