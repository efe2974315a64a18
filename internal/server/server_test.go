package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/budgets"
	"github.com/tallyhq/tally/internal/costexplorer"
)

func newTestServer(t *testing.T) (*Server, *httptest.Server) {
	t.Helper()
	router, err := awsjson.NewRouter([]awsjson.Service{
		costexplorer.ServiceDef(costexplorer.Unimplemented{}),
		budgets.ServiceDef(budgets.Unimplemented{}),
	})
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{Keys: auth.TestKeys(), API: router, MaxBodyBytes: 1 << 16})
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
	s := New(Config{Keys: auth.TestKeys(), Health: func(context.Context) error {
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

func TestIngestHandOffNeedsToken(t *testing.T) {
	_, ts := newTestServer(t)
	resp, err := http.Post(ts.URL+"/_tally/ingest", "application/json", strings.NewReader(`{"paths":["/"]}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("ingest without token: %d", resp.StatusCode)
	}
}
