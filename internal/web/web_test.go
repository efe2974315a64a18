package web

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/store"
)

var testNow = time.Date(2025, 3, 10, 5, 0, 0, 0, time.UTC)

const (
	payerID       = "111111111111"
	memberID      = "222222222222"
	otherPayerID  = "333333333333"
	otherMemberID = "444444444444"
	outsiderID    = "555555555555"
)

// accounts are the callers of the tests; the server puts them in the
// request's context once it has verified the signature.
var accounts = map[string]auth.Account{
	"test":        auth.TestKeys().MustLookup("test"),
	"PAYER":       {AccessKeyID: "PAYER", AccountID: payerID},
	"MEMBER":      {AccessKeyID: "MEMBER", AccountID: memberID},
	"OTHERMEMBER": {AccessKeyID: "OTHERMEMBER", AccountID: otherMemberID},
	"OUTSIDER":    {AccessKeyID: "OUTSIDER", AccountID: outsiderID},
}

// payersOf says whose data holds each account's lines.
func payersOf(_ context.Context, account string) ([]string, error) {
	switch account {
	case payerID, memberID:
		return []string{payerID}, nil
	case otherMemberID:
		return []string{otherPayerID}, nil
	}
	return nil, nil
}

func credentialKeys(t *testing.T) *auth.Keys {
	t.Helper()
	k, err := auth.Parse(strings.NewReader("access_key_id,secret_access_key,account_id\n" +
		"PAYER,payer-secret," + payerID + "\nMEMBER,member-secret," + memberID + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func month(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }

func testPeriods() []Period {
	ingested := testNow.Add(-time.Hour)
	return []Period{
		{Period: billing.BillingPeriod{Source: "cur:" + payerID, Month: month(2025, 2)}, Format: "cur2-parquet", Final: true,
			InvoiceID: "INV-2", Rows: 20, Files: []string{"/exports/feb.parquet"}, IngestedAt: ingested, Currency: "USD"},
		{Period: billing.BillingPeriod{Source: "cur:" + payerID, Month: month(2025, 3)}, Format: "cur2-parquet",
			Rows: 7, Files: []string{"/exports/mar.parquet"}, IngestedAt: ingested, Currency: "USD"},
		{Period: billing.BillingPeriod{Source: "focus:AWS:" + otherPayerID, Month: month(2025, 3)}, Format: "focus-csv",
			Rows: 5, Files: []string{"/other/mar.csv"}, IngestedAt: ingested, Currency: "EUR"},
	}
}

func newHandler(t *testing.T, keys *auth.Keys, log *IngestLog) http.Handler {
	t.Helper()
	return newHandlerOver(t, keys, log, testPeriods())
}

func newHandlerOver(t *testing.T, keys *auth.Keys, log *IngestLog, periods []Period) http.Handler {
	t.Helper()
	clock := func() time.Time { return testNow }
	return Handler(Config{Keys: keys, Now: clock, WallClock: clock, Version: "v-test", Profile: "aws",
		Periods: func(context.Context) ([]Period, error) { return periods, nil }, Payers: payersOf, Ingests: log})
}

// as returns a GET request from the account of key, as the server passes it
// on after verifying its signature.
func as(path, key string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:4599"+path, nil)
	return r.WithContext(auth.WithCaller(r.Context(), accounts[key]))
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestPages(t *testing.T) {
	h := newHandler(t, auth.TestKeys(), nil)
	for _, tc := range []struct {
		method, path string
		status       int
		contentType  string
		contains     string
	}{
		{"GET", "/", 200, "text/html; charset=utf-8", `data-test-mode="true"`},
		{"GET", "/explorer", 200, "text/html; charset=utf-8", `data-now="2025-03-10T05:00:00Z"`},
		{"GET", "/budgets", 200, "text/html; charset=utf-8", `src="/ui/js/main.js"`},
		{"GET", "/budgets", 200, "text/html; charset=utf-8", `data-clock="2025-03-10T05:00:00Z"`},
		{"GET", "/tags", 200, "text/html; charset=utf-8", `data-version="v-test"`},
		{"GET", "/data", 200, "text/html; charset=utf-8", `data-profile="aws"`},
		{"GET", "/signin", 200, "text/html; charset=utf-8", "<main"},
		{"GET", "/ui/js/main.js", 200, "text/javascript; charset=utf-8", "import"},
		{"GET", "/ui/app.css", 200, "text/css; charset=utf-8", ":root"},
		{"GET", "/ui/icon.svg", 200, "image/svg+xml", "<svg"},
		{"GET", "/ui/index.html", 404, "", ""},
		{"GET", "/ui/js/", 404, "", ""},
		{"GET", "/ui/nope.js", 404, "", ""},
		{"GET", "/explorer/x", 404, "", ""},
		{"GET", "/favicon.ico", 404, "", ""},
		{"DELETE", "/explorer", 405, "", ""},
		{"GET", "/ui/api/nope", 404, "application/json", "no such UI endpoint"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			w := serve(h, httptest.NewRequest(tc.method, tc.path, nil))
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("Content-Security-Policy = %q", csp)
			}
			if tc.contentType != "" && w.Header().Get("Content-Type") != tc.contentType {
				t.Errorf("Content-Type = %q, want %q", w.Header().Get("Content-Type"), tc.contentType)
			}
			if !strings.Contains(w.Body.String(), tc.contains) {
				t.Errorf("body lacks %q:\n%s", tc.contains, w.Body)
			}
		})
	}
}

func TestPageNotTestModeWithCredentials(t *testing.T) {
	w := serve(newHandler(t, credentialKeys(t), nil), httptest.NewRequest("GET", "/", nil))
	if !strings.Contains(w.Body.String(), `data-test-mode="false"`) {
		t.Errorf("a server with a credentials file must not put the page in test mode:\n%s", w.Body)
	}
}

// TestNoExternalAssets checks that the document and every embedded file
// reference nothing outside the server: no CDN, no fonts, no analytics.
func TestNoExternalAssets(t *testing.T) {
	err := walkStatic(func(name string, b []byte) {
		for _, bad := range []string{"http://", "https://", "//cdn", "@import url("} {
			s := string(b)
			s = strings.ReplaceAll(s, "http://www.w3.org/2000/svg", "") // the SVG namespace is a name, not a fetch
			if strings.Contains(s, bad) {
				t.Errorf("%s contains %q", name, bad)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestWhoami(t *testing.T) {
	h := newHandler(t, credentialKeys(t), nil)
	for _, tc := range []struct {
		name        string
		req         *http.Request
		status      int
		want        whoamiResponse
		wantErrCode string
	}{
		{"payer", as("/ui/api/whoami", "PAYER"), 200, whoamiResponse{AccessKeyID: "PAYER", AccountID: payerID}, ""},
		{"member", as("/ui/api/whoami", "MEMBER"), 200, whoamiResponse{AccessKeyID: "MEMBER", AccountID: memberID}, ""},
		{"test identity", as("/ui/api/whoami", "test"), 200, whoamiResponse{AccessKeyID: "test", AccountID: auth.TestAccountID, All: true}, ""},
		{"no verified caller", httptest.NewRequest("GET", "/ui/api/whoami", nil), 403, whoamiResponse{}, "MissingAuthenticationTokenException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := serve(h, tc.req)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if tc.status != 200 {
				var e apiError
				if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error == "" || e.Code == "" {
					t.Fatalf("error body %s: %v", w.Body, err)
				}
				if e.Code != tc.wantErrCode {
					t.Errorf("code %s (message %q), want %s", e.Code, e.Error, tc.wantErrCode)
				}
				return
			}
			var got whoamiResponse
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("whoami (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDataVisibility(t *testing.T) {
	log := NewIngestLog(10)
	log.Record(testNow.Add(-2*time.Hour), []string{"/other/mar.csv"}, nil, errors.New("ingest: /other/mar.csv: row 3: bad amount"))
	log.Record(testNow.Add(-time.Hour), []string{"/exports"}, &ingest.Report{Rows: 27, Periods: []store.PeriodInfo{
		{Period: billing.BillingPeriod{Source: "cur:" + payerID, Month: month(2025, 2)}},
		{Period: billing.BillingPeriod{Source: "cur:" + payerID, Month: month(2025, 3)}},
	}}, nil)
	log.Record(testNow.Add(-30*time.Minute), []string{"/mixed"}, &ingest.Report{Rows: 12, Periods: []store.PeriodInfo{
		{Period: billing.BillingPeriod{Source: "cur:" + payerID, Month: month(2025, 3)}},
		{Period: billing.BillingPeriod{Source: "focus:AWS:333333333333", Month: month(2025, 3)}},
	}}, nil)
	ingested := testNow.Add(-time.Hour)
	full := []periodJSON{
		{Source: "cur:" + payerID, Month: "2025-03", Format: "cur2-parquet", IngestedAt: ingested, Currency: "USD", Detail: true,
			Rows: 7, Files: []string{"/exports/mar.parquet"}},
		{Source: "cur:" + payerID, Month: "2025-02", Format: "cur2-parquet", Final: true, IngestedAt: ingested, Currency: "USD",
			Detail: true, InvoiceID: "INV-2", Rows: 20, Files: []string{"/exports/feb.parquet"}},
	}
	other := periodJSON{Source: "focus:AWS:333333333333", Month: "2025-03", Format: "focus-csv", IngestedAt: ingested, Currency: "EUR"}
	otherFull := other
	otherFull.Detail, otherFull.Rows, otherFull.Files = true, 5, []string{"/other/mar.csv"}
	failed := ingestJSON{At: testNow.Add(-2 * time.Hour), Paths: []string{"/other/mar.csv"}, Periods: []string{},
		Error: "ingest: /other/mar.csv: row 3: bad amount"}
	mine := ingestJSON{At: testNow.Add(-time.Hour), Paths: []string{"/exports"}, Rows: 27,
		Periods: []string{"cur:" + payerID + " 2025-02", "cur:" + payerID + " 2025-03"}}
	onlyMine := testPeriods()[:2]
	for _, tc := range []struct {
		name    string
		key     string
		periods []Period // nil: testPeriods
		want    dataResponse
	}{
		{"test identity sees all", "test", nil, dataResponse{Periods: append(append([]periodJSON{}, full...), otherFull),
			Ingests: []ingestJSON{
				{At: testNow.Add(-30 * time.Minute), Paths: []string{"/mixed"}, Rows: 12,
					Periods: []string{"cur:" + payerID + " 2025-03", "focus:AWS:333333333333 2025-03"}},
				mine, failed}}},
		{"payer sees its sources only", "PAYER", nil, dataResponse{
			Periods: full,
			Ingests: []ingestJSON{
				{At: testNow.Add(-30 * time.Minute), Paths: []string{"/mixed"}, Periods: []string{"cur:" + payerID + " 2025-03"}},
				mine}}},
		{"payer of every source sees failures", "PAYER", onlyMine, dataResponse{
			Periods: full,
			Ingests: []ingestJSON{
				{At: testNow.Add(-30 * time.Minute), Paths: []string{"/mixed"}, Periods: []string{"cur:" + payerID + " 2025-03"}},
				mine, failed}}},
		{"member sees its payer's months and states only", "MEMBER", nil, dataResponse{Limited: true, Ingests: []ingestJSON{},
			Periods: []periodJSON{
				{Source: "cur:" + payerID, Month: "2025-03", Format: "cur2-parquet", IngestedAt: ingested, Currency: "USD"},
				{Source: "cur:" + payerID, Month: "2025-02", Format: "cur2-parquet", Final: true, IngestedAt: ingested, Currency: "USD"}}}},
		{"other payer's member sees its payer's month only", "OTHERMEMBER", nil, dataResponse{Limited: true, Ingests: []ingestJSON{},
			Periods: []periodJSON{other}}},
		{"outsider sees nothing", "OUTSIDER", nil, dataResponse{Periods: []periodJSON{}, Ingests: []ingestJSON{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			periods := tc.periods
			if periods == nil {
				periods = testPeriods()
			}
			w := serve(newHandlerOver(t, credentialKeys(t), log, periods), as("/ui/api/data", tc.key))
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			var got dataResponse
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			tc.want.Now, tc.want.PeriodsAvailable, tc.want.Watches = testNow, true, []watchJSON{}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("data (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDataStoreError(t *testing.T) {
	for _, tc := range []struct {
		name    string
		periods func(context.Context) ([]Period, error)
		payers  func(context.Context, string) ([]string, error)
		key     string
	}{
		{"periods", func(context.Context) ([]Period, error) { return nil, errors.New("disk on fire") }, payersOf, "test"},
		{"payers", func(context.Context) ([]Period, error) { return testPeriods(), nil },
			func(context.Context, string) ([]string, error) { return nil, errors.New("disk on fire") }, "MEMBER"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := Handler(Config{Keys: auth.TestKeys(), Now: func() time.Time { return testNow }, WallClock: func() time.Time { return testNow },
				Periods: tc.periods, Payers: tc.payers})
			w := serve(h, as("/ui/api/data", tc.key))
			if w.Code != 500 || strings.Contains(w.Body.String(), "disk on fire") {
				t.Errorf("status %d body %s: want 500 without the internal detail", w.Code, w.Body)
			}
		})
	}
}

func TestIngestLog(t *testing.T) {
	l := NewIngestLog(2)
	for i, p := range []string{"a", "b", "c"} {
		l.Record(testNow.Add(time.Duration(i)*time.Minute), []string{p}, &ingest.Report{Rows: int64(i)}, nil)
	}
	var got []string
	for _, e := range l.Recent() {
		got = append(got, e.Paths[0])
	}
	if diff := cmp.Diff([]string{"c", "b"}, got); diff != "" {
		t.Errorf("kept entries, newest first (-want +got):\n%s", diff)
	}
	if n := NewIngestLog(0).size; n != DefaultIngestLogSize {
		t.Errorf("default size %d, want %d", n, DefaultIngestLogSize)
	}
}

func walkStatic(fn func(name string, b []byte)) error {
	return fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(staticFiles, p)
		if err != nil {
			return err
		}
		fn(p, b)
		return nil
	})
}
