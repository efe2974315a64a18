package sigv4

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/testenv"
)

// botocoreSign signs a request with botocore's SigV4Auth, the signer of the
// AWS CLI v1 and boto3, and prints the signed headers as JSON.
const botocoreSign = `
import json, sys
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
out = []
for s in json.loads(sys.argv[1]):
    req = AWSRequest(method=s["method"], url=s["url"], data=s["body"].encode(), headers=s["headers"])
    SigV4Auth(Credentials(s["key"], s["secret"]), s["service"], s["region"]).add_auth(req)
    out.append(list(req.headers.items()))
print(json.dumps(out))
`

// requireBotocore skips the test when python3 cannot import botocore.
func requireBotocore(t *testing.T) {
	t.Helper()
	if err := exec.Command("python3", "-c", "import botocore.auth").Run(); err != nil {
		testenv.Missing(t, "TALLY_REQUIRE_AWS_CLI", "python3 with botocore not installed (the aws CLI brings it)")
	}
}

func TestVerifyBotocore(t *testing.T) {
	requireBotocore(t)
	cases := []struct {
		name    string
		method  string
		url     string
		headers map[string]string
		body    string
		service string
		region  string
	}{
		{
			name: "ce", method: "POST", url: "http://127.0.0.1:4566/",
			headers: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSInsightsIndexService.GetCostAndUsage"},
			body:    `{"Granularity": "MONTHLY"}`, service: "ce", region: "us-east-1",
		},
		{
			name: "budgets", method: "POST", url: "https://budgets.amazonaws.com/",
			headers: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSBudgetServiceGateway.DescribeBudgets"},
			body:    `{"AccountId": "123456789012"}`, service: "budgets", region: "eu-west-1",
		},
		{
			name: "dated with the Date header", method: "POST", url: "http://localhost:8080/",
			headers: map[string]string{"Date": "set by the signer", "X-Amz-Target": "AWSInsightsIndexService.GetTags"},
			body:    `{}`, service: "ce", region: "ap-south-1",
		},
		{
			name: "query and spaces", method: "GET", url: "http://localhost:8080/x/y?b=2&a=1&a=0",
			headers: map[string]string{"X-Amz-Meta-Note": "  a   b  "},
			service: "ce", region: "us-west-2",
		},
	}
	// One python3 signs every case: starting botocore costs seconds.
	var in []map[string]any
	for _, tc := range cases {
		in = append(in, map[string]any{
			"method": tc.method, "url": tc.url, "headers": tc.headers, "body": tc.body,
			"key": testKey, "secret": testSecret, "service": tc.service, "region": tc.region,
		})
	}
	arg, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("python3", "-c", botocoreSign, string(arg)).Output()
	if err != nil {
		t.Fatalf("botocore: %v", err)
	}
	var signed [][][2]string
	if err := json.Unmarshal(out, &signed); err != nil || len(signed) != len(cases) {
		t.Fatalf("botocore output %q: %v", out, err)
	}
	for i, tc := range cases {
		pairs := signed[i]
		t.Run(tc.name, func(t *testing.T) {
			u, err := url.Parse(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			r := &Request{Method: tc.method, Path: u.EscapedPath(), RawQuery: u.RawQuery, Host: u.Host, Header: http.Header{}, Body: []byte(tc.body)}
			for _, p := range pairs {
				http.Header(r.Header).Add(p[0], p[1])
			}
			v := &Verifier{Credentials: testCredentials} // botocore signs at the current time
			got, err := v.Verify(r, tc.service)
			if err != nil {
				t.Fatalf("Verify: %v\nheaders: %v", err, r.Header)
			}
			if got.Region != tc.region || got.Service != tc.service || got.AccessKeyID != testKey {
				t.Errorf("Verify = %+v, want key %s, region %s, service %s", got, testKey, tc.region, tc.service)
			}
			if _, ok := r.Header["X-Amz-Date"]; tc.headers["Date"] != "" && ok {
				t.Errorf("botocore sent X-Amz-Date with Date; the Date case is not tested")
			}
		})
	}
}

// TestVerifyAWSCLI runs the AWS CLI against a server that verifies what it
// receives, for both services, with a region of the CLI's choosing.
func TestVerifyAWSCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the AWS CLI")
	}
	aws := testenv.AWSCLI(t)
	type outcome struct {
		result Result
		err    error
	}
	var (
		mu       sync.Mutex
		outcomes []outcome
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		service := "ce"
		if strings.HasPrefix(r.Header.Get("X-Amz-Target"), "AWSBudgetServiceGateway.") {
			service = "budgets"
		}
		body, _ := io.ReadAll(r.Body)
		req := &Request{Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery, Host: r.Host, Header: r.Header, Body: body}
		res, err := (&Verifier{Credentials: testCredentials}).Verify(req, service)
		mu.Lock()
		outcomes = append(outcomes, outcome{res, err})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		io.WriteString(w, "{}")
	}))
	defer srv.Close()

	dir := t.TempDir()
	env := []string{
		"AWS_ACCESS_KEY_ID=" + testKey,
		"AWS_SECRET_ACCESS_KEY=" + testSecret,
		"AWS_CONFIG_FILE=" + dir + "/config",
		"AWS_SHARED_CREDENTIALS_FILE=" + dir + "/credentials",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_MAX_ATTEMPTS=1",
		"AWS_PAGER=",
	}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	// The two CLI runs go side by side: each spends seconds starting up.
	var wg sync.WaitGroup
	for _, args := range [][]string{
		{"ce", "get-cost-and-usage", "--region", "eu-central-1", "--time-period", "Start=2024-01-01,End=2024-02-01",
			"--granularity", "MONTHLY", "--metrics", "UnblendedCost"},
		{"budgets", "describe-budgets", "--region", "us-east-1", "--account-id", "123456789012"},
	} {
		wg.Go(func() {
			cmd := exec.Command(aws, append(args, "--endpoint-url", srv.URL, "--output", "json")...)
			cmd.Env = env
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
			}
		})
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(outcomes) != 2 {
		t.Fatalf("server saw %d requests, want 2", len(outcomes))
	}
	sort.Slice(outcomes, func(i, j int) bool { return outcomes[i].result.Service < outcomes[j].result.Service })
	for i, want := range []struct{ service, region string }{{"budgets", "us-east-1"}, {"ce", "eu-central-1"}} {
		o := outcomes[i]
		if o.err != nil {
			t.Errorf("request %d: Verify: %v", i, o.err)
			continue
		}
		if o.result.Service != want.service || o.result.Region != want.region || o.result.AccessKeyID != testKey {
			t.Errorf("request %d: Verify = %+v, want service %s, region %s", i, o.result, want.service, want.region)
		}
		if d := time.Since(o.result.SignedAt); d < -time.Minute || d > time.Minute {
			t.Errorf("request %d: signed at %v, not now", i, o.result.SignedAt)
		}
	}
}
