package server

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/awsjson/awsjsontest"
	"github.com/tallyhq/tally/internal/budgets"
	"github.com/tallyhq/tally/internal/costexplorer"
	"github.com/tallyhq/tally/internal/web"
)

func newTestServer(t *testing.T) (*Server, *httptest.Server) {
	t.Helper()
	s := New(Config{Keys: auth.TestKeys(), API: testRouter(t), MaxBodyBytes: 1 << 16})
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts
}

// signed builds a request to target signed with test/test for service.
func signed(t *testing.T, url, target, service string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", awsjson.ContentType)
	req.Header.Set("X-Amz-Target", target)
	h := sha256.Sum256(body)
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
		req, hex.EncodeToString(h[:]), service, "us-west-2", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestAPIErrors(t *testing.T) {
	_, ts := newTestServer(t)
	for _, tc := range []struct {
		name, target, service string
		body                  string
		status                int
		errType               string
	}{
		{"not implemented", "AWSInsightsIndexService.GetAnomalies", "ce", `{"DateInterval":{"StartDate":"2024-01-01"}}`, 501, "NotImplementedException"},
		{"budgets not implemented", "AWSBudgetServiceGateway.DescribeBudgetAction", "budgets", `{"AccountId":"123456789012","BudgetName":"b","ActionId":"12345678-1234-1234-1234-123456789012"}`, 501, "NotImplementedException"},
		{"malformed JSON", "AWSInsightsIndexService.GetCostAndUsage", "ce", `{"TimePeriod":`, 400, "SerializationException"},
		{"wrong type", "AWSInsightsIndexService.GetDimensionValues", "ce", `{"TimePeriod":{"Start":"2024-01-01","End":"2024-02-01"},"Dimension":"SERVICE","MaxResults":"ten"}`, 400, "SerializationException"},
		{"unknown member", "AWSInsightsIndexService.GetCostAndUsage", "ce", `{"Bogus":1}`, 400, "SerializationException"},
		{"too deep", "AWSInsightsIndexService.GetCostAndUsage", "ce", strings.Repeat(`{"Not":`, 40) + "{}" + strings.Repeat("}", 40), 400, "SerializationException"},
		{"too big", "AWSInsightsIndexService.GetCostAndUsage", "ce", `{"x":"` + strings.Repeat("a", 1<<17) + `"}`, 413, "RequestEntityTooLargeException"},
		{"unknown operation", "AWSInsightsIndexService.Nope", "ce", `{}`, 400, "UnknownOperationException"},
		{"signed for the other service", "AWSInsightsIndexService.GetAnomalies", "budgets", `{}`, 403, "InvalidSignatureException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.DefaultClient.Do(signed(t, ts.URL, tc.target, tc.service, []byte(tc.body)))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			var env struct {
				Type    string `json:"__type"`
				Message string
			}
			if err := json.Unmarshal(body, &env); err != nil {
				t.Fatalf("body %q is not an error envelope: %v", body, err)
			}
			if resp.StatusCode != tc.status || env.Type != tc.errType || resp.Header.Get("X-Amzn-ErrorType") != tc.errType {
				t.Errorf("got %d %s (header %s), want %d %s", resp.StatusCode, env.Type, resp.Header.Get("X-Amzn-ErrorType"), tc.status, tc.errType)
			}
			if env.Message == "" {
				t.Error("empty Message")
			}
			if resp.Header.Get("x-amzn-RequestId") == "" {
				t.Error("no x-amzn-RequestId")
			}
		})
	}
}

func TestHealthz(t *testing.T) {
	s, ts := newTestServer(t)
	get := func() int {
		resp, err := http.Get(ts.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get(); got != http.StatusServiceUnavailable {
		t.Errorf("before ready: %d", got)
	}
	s.SetReady()
	if got := get(); got != http.StatusOK {
		t.Errorf("after ready: %d", got)
	}
}

// A store that cannot answer makes the server unhealthy.
func TestHealthzAsksTheStore(t *testing.T) {
	var broken atomic.Bool
	s := New(Config{Keys: auth.TestKeys(), API: testRouter(t), Health: func(context.Context) error {
		if broken.Load() {
			return errors.New("database has been invalidated")
		}
		return nil
	}})
	s.SetReady()
	ts := httptest.NewServer(s)
	defer ts.Close()
	for _, b := range []bool{false, true, false} {
		broken.Store(b)
		resp, err := http.Get(ts.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if want := map[bool]int{false: 200, true: 503}[b]; resp.StatusCode != want {
			t.Errorf("store broken=%v: /healthz %d, want %d", b, resp.StatusCode, want)
		}
	}
}

// TestIngestHandOffNeedsToken checks that only the holder of the token
// written to the data directory can make the server ingest.
func TestIngestHandOffNeedsToken(t *testing.T) {
	var ingested [][]string
	s := New(Config{Keys: auth.TestKeys(), API: testRouter(t), IngestToken: "0123456789abcdef",
		Ingest: func(_ context.Context, paths []string) (any, error) {
			ingested = append(ingested, paths)
			return map[string]int{"rows": 1}, nil
		}})
	ts := httptest.NewServer(s)
	defer ts.Close()
	for _, tc := range []struct {
		name, token string
		status      int
	}{
		{"no token", "", http.StatusForbidden},
		{"wrong token", "fedcba9876543210", http.StatusForbidden},
		{"prefix of the token", "0123456789", http.StatusForbidden},
		{"the token", "0123456789abcdef", http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ingested = nil
			req, _ := http.NewRequest(http.MethodPost, ts.URL+"/_tally/ingest", strings.NewReader(`{"paths":["/exports"]}`))
			if tc.token != "" {
				req.Header.Set("X-Tally-Token", tc.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("ingest with token %q: %d, want %d", tc.token, resp.StatusCode, tc.status)
			}
			if want := tc.status == http.StatusOK; (len(ingested) > 0) != want {
				t.Errorf("ingest with token %q ran %d ingests", tc.token, len(ingested))
			}
		})
	}
}

func testRouter(t *testing.T) *awsjson.Router {
	t.Helper()
	router, err := awsjson.NewRouter([]awsjson.Service{
		costexplorer.ServiceDef(costexplorer.Unimplemented{}),
		budgets.ServiceDef(budgets.Unimplemented{}),
	}, awsjsontest.Strict(t))
	if err != nil {
		t.Fatal(err)
	}
	return router
}

// TestMetricsBounded checks that requests naming targets that do not exist,
// signed or not, add no series to /metrics.
func TestMetricsBounded(t *testing.T) {
	_, ts := newTestServer(t)
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range 400 {
		target := fmt.Sprintf("AWSInsightsIndexService.Op%016x", rnd.Uint64())
		var req *http.Request
		if i%2 == 0 {
			req = signed(t, ts.URL, target, "ce", []byte(`{}`))
		} else {
			req, _ = http.NewRequest(http.MethodPost, ts.URL+"/", strings.NewReader(`{}`))
			req.Header.Set("X-Amz-Target", fmt.Sprintf("%x", rnd.Uint64()))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	resp, err := http.DefaultClient.Do(signed(t, ts.URL, "AWSInsightsIndexService.GetAnomalies", "ce", []byte(`{"DateInterval":{"StartDate":"2024-01-01"}}`)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var series []string
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "tally_api_request") {
			series = append(series, line)
		}
	}
	want := []string{
		`tally_api_requests_total{target="AWSInsightsIndexService.GetAnomalies",status="501"} 1`,
		`tally_api_requests_total{target="unknown",status="400"} 400`,
	}
	var counts []string
	for _, l := range series {
		if strings.HasPrefix(l, "tally_api_requests_total") {
			counts = append(counts, l)
		}
	}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("request series (-want +got):\n%s", diff)
	}
	if len(series) != 4 {
		t.Errorf("%d series after 400 requests with random targets, want 4:\n%s", len(series), strings.Join(series, "\n"))
	}
	t.Logf("%d series after 400 requests with random targets", len(series))
}

// TestUIDoor checks that the UI's endpoints are verified by the same door
// as the API, signed for the UI's signing name, with refusals in the shape
// the pages read, and that the caller reaches the UI.
func TestUIDoor(t *testing.T) {
	now := time.Date(2025, 3, 10, 5, 0, 0, 0, time.UTC)
	keys, err := auth.Parse(strings.NewReader("access_key_id,secret_access_key,account_id\nPAYER,payer-secret,111111111111\n"))
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return now }
	s := New(Config{Keys: keys, API: testRouter(t), Now: clock, Web: web.Handler(web.Config{Keys: keys, Now: clock, WallClock: clock})})
	for _, tc := range []struct {
		name, key, secret, service string
		at                         time.Time
		status                     int
		want                       string // the account id, or the error code
	}{
		{"payer", "PAYER", "payer-secret", web.SigningName, now, 200, "111111111111"},
		{"unsigned", "", "", "", now, 403, "MissingAuthenticationTokenException"},
		{"wrong secret", "PAYER", "guess", web.SigningName, now, 403, "InvalidSignatureException"},
		{"unknown key", "NOBODY", "x", web.SigningName, now, 403, "UnrecognizedClientException"},
		{"other service", "PAYER", "payer-secret", "ce", now, 403, "InvalidSignatureException"},
		{"stale", "PAYER", "payer-secret", web.SigningName, now.Add(-20 * time.Minute), 403, "InvalidSignatureException"},
		{"test key refused", "test", "test", web.SigningName, now, 403, "UnrecognizedClientException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:4599/ui/api/whoami", nil)
			if tc.key != "" {
				h := sha256.Sum256(nil)
				err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: tc.key, SecretAccessKey: tc.secret}, r,
					hex.EncodeToString(h[:]), tc.service, "us-east-1", tc.at)
				if err != nil {
					t.Fatal(err)
				}
			}
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			var body struct{ AccountID, Error, Code string }
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %s: %v", w.Body, err)
			}
			got := body.AccountID
			if tc.status != 200 {
				got = body.Code
				if body.Error == "" {
					t.Errorf("refusal without a message: %s", w.Body)
				}
			}
			if w.Code != tc.status || got != tc.want {
				t.Errorf("got %d %s, want %d %s: %s", w.Code, got, tc.status, tc.want, w.Body)
			}
		})
	}
}

// TestDateFromClock checks that responses are dated by the server's clock,
// which the SDKs use to correct their own after a skew error.
func TestDateFromClock(t *testing.T) {
	now := time.Date(2031, 7, 1, 12, 0, 0, 0, time.UTC)
	s := New(Config{Keys: auth.TestKeys(), API: testRouter(t), Now: func() time.Time { return now }})
	r := signed(t, "http://127.0.0.1:4599", "AWSInsightsIndexService.GetAnomalies", "ce", []byte(`{}`))
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	if got, want := w.Header().Get("Date"), "Tue, 01 Jul 2031 12:00:00 GMT"; got != want {
		t.Errorf("Date = %q, want %q (status %d: %s)", got, want, w.Code, w.Body)
	}
}

// cutWriter passes on the first n bytes written to it, then fails: it
// sends a request all but its end.
type cutWriter struct {
	w io.Writer
	n int
}

var errCut = errors.New("cut")

func (c *cutWriter) Write(p []byte) (int, error) {
	if len(p) > c.n {
		n, _ := c.w.Write(p[:c.n])
		c.n -= n
		return n, errCut
	}
	n, err := c.w.Write(p)
	c.n -= n
	return n, err
}

// stall opens a connection to addr and sends req without its last byte.
func stall(t *testing.T, addr string, req *http.Request, size int) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	go func() {
		var head bytes.Buffer
		req.Write(&head) // the headers and the whole body
		(&cutWriter{w: conn, n: head.Len() - 1}).Write(head.Bytes())
	}()
	return conn
}

// heapInUse returns the bytes of live heap after a collection.
func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// TestStalledBodiesBounded sends many requests of a megabyte, unsigned or
// signed by a known key, and holds their last byte back: unsigned ones must
// hold nothing, and signed ones no more than the server's room for bodies
// being read before their verification.
func TestStalledBodiesBounded(t *testing.T) {
	const (
		conns = 40
		size  = 1 << 20
		room  = 4 * (size + 1)
	)
	s := New(Config{Keys: auth.TestKeys(), API: testRouter(t), MaxBodyBytes: size, MaxPendingBodyBytes: room})
	ts := httptest.NewServer(s)
	defer ts.Close()
	addr := strings.TrimPrefix(ts.URL, "http://")
	body := bytes.Repeat([]byte(" "), size)
	var open []net.Conn
	defer func() { // before the server closes, which waits for its requests
		for _, c := range open {
			c.Close()
		}
	}()
	before := heapInUse()
	for i := range conns {
		var req *http.Request
		if i%2 == 0 {
			req = signed(t, ts.URL, "AWSInsightsIndexService.GetAnomalies", "ce", body)
		} else {
			req, _ = http.NewRequest(http.MethodPost, ts.URL+"/", bytes.NewReader(body))
			req.Header.Set("X-Amz-Target", "AWSInsightsIndexService.GetAnomalies")
		}
		open = append(open, stall(t, addr, req, size))
	}
	time.Sleep(time.Second) // let the server read what it will read
	held := heapInUse() - before
	pending := s.metrics.pendingBytes.Load()
	t.Logf("%d stalled requests of %d bytes: %d bytes of heap held, %d bytes of bodies pending verification", conns, size, held, pending)
	if pending > room {
		t.Errorf("%d bytes of bodies pending, want at most %d", pending, room)
	}
	if limit := int64(2 * room); held > limit {
		t.Errorf("%d stalled requests hold %d bytes of heap, want at most %d", conns, held, limit)
	}
}

// TestStalledBodyTimesOut checks that the HTTP server gives up on a body
// that does not arrive in its read timeout.
func TestStalledBodyTimesOut(t *testing.T) {
	hs := NewHTTPServer(New(Config{Keys: auth.TestKeys(), API: testRouter(t)}))
	if hs.ReadTimeout <= 0 || hs.ReadHeaderTimeout <= 0 || hs.MaxHeaderBytes <= 0 || hs.ReadTimeout > time.Minute {
		t.Fatalf("NewHTTPServer sets ReadTimeout %v, ReadHeaderTimeout %v, MaxHeaderBytes %d", hs.ReadTimeout, hs.ReadHeaderTimeout, hs.MaxHeaderBytes)
	}
	hs.ReadTimeout = 300 * time.Millisecond // the test's own, shorter
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go hs.Serve(ln)
	defer hs.Close()
	url := "http://" + ln.Addr().String()
	conn := stall(t, ln.Addr().String(), signed(t, url, "AWSInsightsIndexService.GetAnomalies", "ce", bytes.Repeat([]byte(" "), 1000)), 1000)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("stalled body answered %d, want 400", resp.StatusCode)
		}
	} else if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatal("the server still waits for the body after 5 s")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the server gave up on the body after %v", d)
	}
}
