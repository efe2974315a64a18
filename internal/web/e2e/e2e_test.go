package e2e

import (
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/sigv4"
)

// TestNodeUnit runs the JavaScript unit tests: SHA-256 and HMAC against
// Node's crypto, exact money sums, URL state, tabulation, filters.
func TestNodeUnit(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		Require(t) // skips, or fails under TALLY_REQUIRE_BROWSER=1
	}
	out := (&Browser{node: "node", dir: dir()}).NodeTest(t)
	if !strings.Contains(out, "# fail 0") {
		t.Errorf("node tests:\n%s", out)
	}
}

// TestSignatureVerifies signs requests with the page's sigv4.js and checks
// them with the server's verifier: the same bytes the browser sends.
func TestSignatureVerifies(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		Require(t)
	}
	at := time.Date(2025, 3, 10, 5, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, method, path, body, service, secret string
		headers                                   map[string]string
		wantErr                                   bool
	}{
		{"api call", "POST", "/", `{"TimePeriod":{"Start":"2025-01-01","End":"2025-02-01"},"Note":"é ü"}`, "ce", "s3cret",
			map[string]string{"content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSInsightsIndexService.GetCostAndUsage"}, false},
		{"ui endpoint", "GET", "/ui/api/data", "", "tally", "s3cret", nil, false},
		{"long secret", "GET", "/ui/api/whoami", "", "tally", strings.Repeat("k", 100), nil, false},
		{"wrong secret", "GET", "/ui/api/data", "", "tally", "other", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, _ := json.Marshal(map[string]any{"method": tc.method, "host": "127.0.0.1:4599", "path": tc.path,
				"headers": orEmpty(tc.headers), "body": tc.body, "accessKeyId": "AKID", "secret": tc.secret,
				"service": tc.service, "date": at.Format(time.RFC3339)})
			script := `import { sign } from '../static/js/sigv4.js';
const o = JSON.parse(process.argv[1]); o.date = new Date(o.date);
process.stdout.write(JSON.stringify(sign(o)));`
			cmd := exec.Command("node", "--input-type=module", "-e", script, string(in))
			cmd.Dir = dir()
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("node: %v\n%s", err, out)
			}
			var signed map[string]string
			if err := json.Unmarshal(out, &signed); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			h := http.Header{}
			for k, v := range orEmpty(tc.headers) {
				h.Set(k, v)
			}
			for k, v := range signed {
				h.Set(k, v)
			}
			v := sigv4.Verifier{Now: func() time.Time { return at.Add(time.Minute) },
				Credentials: sigv4.CredentialsFunc(func(id string) (string, bool) {
					if tc.wantErr {
						return "s3cret", id == "AKID"
					}
					return tc.secret, id == "AKID"
				})}
			_, err = v.Verify(&sigv4.Request{Method: tc.method, Path: tc.path, Host: "127.0.0.1:4599", Header: h,
				Body: []byte(tc.body)}, tc.service)
			if (err != nil) != tc.wantErr {
				t.Errorf("Verify: %v, want error %v", err, tc.wantErr)
			}
		})
	}
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
