package sigv4

import (
	"net/http"
	"strings"
	"testing"
)

// mismatch is the start of the message of every signature mismatch.
const mismatch = "The request signature we calculated does not match the signature you provided. " +
	"Check your AWS Secret Access Key and signing method. Consult the service documentation for details.…"

// editAuthorization returns a mutation that rewrites the Authorization header.
func editAuthorization(old, new string) func(*Request) {
	return func(r *Request) {
		h := http.Header(r.Header)
		h.Set("Authorization", strings.Replace(h.Get("Authorization"), old, new, 1))
	}
}

// TestVerifyMutations signs a request with the official signer, changes one
// thing and checks that verification fails with AWS's error.
func TestVerifyMutations(t *testing.T) {
	for _, tc := range []struct {
		name    string
		spec    func(*spec) // changes the signed request; nil keeps jsonSpec
		mutate  func(*Request)
		service string // expected signing name; empty means "ce"
		want    *Error
	}{
		{
			name:   "header value changed",
			mutate: func(r *Request) { http.Header(r.Header).Set("X-Amz-Target", "AWSInsightsIndexService.GetCostForecast") },
			want:   &Error{CodeInvalidSignature, mismatch, 403},
		},
		{
			name:   "signed header removed",
			mutate: func(r *Request) { http.Header(r.Header).Del("X-Amz-Target") },
			want:   &Error{CodeInvalidSignature, mismatch, 403},
		},
		{
			name:   "host changed",
			mutate: func(r *Request) { r.Host = "ce.us-west-2.amazonaws.com" },
			want:   &Error{CodeInvalidSignature, mismatch, 403},
		},
		{
			name:   "body changed, same length",
			mutate: func(r *Request) { r.Body = []byte(strings.Replace(string(r.Body), "MONTHLY", "DAILY__", 1)) },
			want:   &Error{CodeInvalidSignature, mismatch, 403},
		},
		{
			name:   "body extended",
			mutate: func(r *Request) { r.Body = append(r.Body, ' ') },
			want:   &Error{CodeInvalidSignature, mismatch, 403},
		},
		{
			name:   "method changed",
			mutate: func(r *Request) { r.Method = "PUT" },
			want:   &Error{CodeInvalidSignature, mismatch, 403},
		},
		{
			name:   "path changed",
			mutate: func(r *Request) { r.Path = "/other" },
			want:   &Error{CodeInvalidSignature, mismatch, 403},
		},
		{
			name:   "query added",
			mutate: func(r *Request) { r.RawQuery = "a=1" },
			want:   &Error{CodeInvalidSignature, mismatch, 403},
		},
		{
			name:   "region changed in scope",
			mutate: editAuthorization("/us-east-1/", "/us-west-2/"),
			want:   &Error{CodeInvalidSignature, mismatch, 403},
		},
		{
			name: "signature changed",
			mutate: func(r *Request) {
				h := http.Header(r.Header)
				a := h.Get("Authorization")
				last := "0"
				if strings.HasSuffix(a, last) {
					last = "1"
				}
				h.Set("Authorization", a[:len(a)-1]+last)
			},
			want: &Error{CodeInvalidSignature, mismatch, 403},
		},
		{
			name: "wrong secret",
			spec: func(s *spec) { s.key, s.secret = testKey, "not-the-secret" },
			want: &Error{CodeInvalidSignature, mismatch, 403},
		},
		{
			name:    "budgets scope presented to ce",
			spec:    func(s *spec) { s.service = "budgets" },
			service: "ce",
			want:    &Error{CodeInvalidSignature, "Credential should be scoped to correct service: 'ce'.", 403},
		},
		{
			name:    "ce scope presented to budgets",
			service: "budgets",
			want:    &Error{CodeInvalidSignature, "Credential should be scoped to correct service: 'budgets'.", 403},
		},
		{
			name:   "scope date differs from X-Amz-Date",
			mutate: editAuthorization("/20240305/", "/20240304/"),
			want: &Error{CodeInvalidSignature, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: " +
				"'20240304' != '20240305', from '20240305T102030Z'.", 403},
		},
		{
			name:   "bad terminator and empty region",
			mutate: editAuthorization("/us-east-1/ce/aws4_request", "//ce/aws5_request"),
			want: &Error{CodeInvalidSignature, "Credential should be scoped to a valid region, not ''. " +
				"Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'.", 403},
		},
		{
			name: "unknown key",
			spec: func(s *spec) { s.key, s.secret = "AKIDUNKNOWN", "whatever" },
			want: &Error{CodeUnrecognizedClient, "The security token included in the request is invalid.", 403},
		},
		{
			name: "session token",
			spec: func(s *spec) { s.header.Set("X-Amz-Security-Token", "FwoGZXIvYXdzEXAMPLE") },
			want: &Error{CodeUnrecognizedClient, "The security token included in the request is invalid.", 403},
		},
		{
			name:   "missing Authorization",
			mutate: func(r *Request) { http.Header(r.Header).Del("Authorization") },
			want:   &Error{CodeMissingAuthenticationToken, "Request is missing Authentication Token", 403},
		},
		{
			name:   "not a SigV4 Authorization",
			mutate: func(r *Request) { http.Header(r.Header).Set("Authorization", "Bearer abc") },
			want:   &Error{CodeMissingAuthenticationToken, "Request is missing Authentication Token", 403},
		},
		{
			name: "truncated Authorization",
			mutate: func(r *Request) {
				h := http.Header(r.Header)
				a := h.Get("Authorization")
				h.Set("Authorization", a[:strings.Index(a, ", SignedHeaders")])
			},
			want: &Error{CodeIncompleteSignature, "Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. " +
				"Authorization=AWS4-HMAC-SHA256 Credential=AKIDTALLYEXAMPLE/20240305/us-east-1/ce/aws4_request", 403},
		},
		{
			name: "Authorization cut inside a component",
			mutate: func(r *Request) {
				http.Header(r.Header).Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDTALLYEXAMPLE/20240305/us-east-1/ce/aws4_request, Signed")
			},
			want: &Error{CodeIncompleteSignature, "'Signed' not a valid key=value pair (missing equal-sign) in Authorization header: " +
				"'AWS4-HMAC-SHA256 Credential=AKIDTALLYEXAMPLE/20240305/us-east-1/ce/aws4_request, Signed'.", 403},
		},
		{
			name:   "missing X-Amz-Date",
			mutate: func(r *Request) { http.Header(r.Header).Del("X-Amz-Date") },
			want: &Error{CodeIncompleteSignature, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
				"Authorization=…", 403},
		},
		{
			name:   "X-Amz-Date not in basic format",
			mutate: func(r *Request) { http.Header(r.Header).Set("X-Amz-Date", "2024-03-05T10:20:30Z") },
			want: &Error{CodeIncompleteSignature, "Date must be in ISO-8601 'basic format'. Got '2024-03-05T10:20:30Z'. " +
				"See http://en.wikipedia.org/wiki/ISO_8601", 403},
		},
		{
			name:   "unsupported algorithm",
			mutate: editAuthorization("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512"),
			want:   &Error{CodeIncompleteSignature, "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now).", 403},
		},
		{
			name:   "credential with four elements",
			mutate: editAuthorization("/us-east-1/", "/"),
			want: &Error{CodeIncompleteSignature, "Credential must have exactly 5 slash-delimited elements, " +
				"e.g. keyid/date/region/service/term, got 'AKIDTALLYEXAMPLE/20240305/ce/aws4_request'", 403},
		},
		{
			name:   "signed headers without host",
			mutate: editAuthorization("SignedHeaders=content-length;content-type;host;", "SignedHeaders=content-length;content-type;"),
			want:   &Error{CodeInvalidSignature, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.", 403},
		},
		{
			name:   "signed headers without x-amz-date",
			mutate: editAuthorization(";x-amz-date;", ";"),
			want:   &Error{CodeInvalidSignature, "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.", 403},
		},
		{
			name:   "x-amz-content-sha256 does not match the body",
			spec:   func(s *spec) { s.header.Set("X-Amz-Content-Sha256", sha256Hex("another body")) },
			mutate: nil,
			want:   &Error{CodeInvalidSignature, "The provided 'x-amz-content-sha256' header does not match what was computed.", 403},
		},
		{
			name: "body changed under unsigned payload",
			spec: func(s *spec) {
				s.header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
				s.payloadHash = "UNSIGNED-PAYLOAD"
			},
			mutate: func(r *Request) { r.Body = []byte(`{}`); http.Header(r.Header).Set("Content-Length", "2") },
			want:   &Error{CodeInvalidSignature, mismatch, 403}, // the content length is signed
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := jsonSpec()
			if tc.spec != nil {
				tc.spec(&s)
			}
			r := sign(t, s)
			if tc.mutate != nil {
				tc.mutate(r)
			}
			service := tc.service
			if service == "" {
				service = "ce"
			}
			_, err := verifierAt(signTime).Verify(r, service)
			checkError(t, err, tc.want)
			// VerifyHeader, which a server calls before reading the body,
			// agrees with Verify on everything but the body's checks.
			_, err = verifierAt(signTime).VerifyHeader(r, service)
			if tc.want != nil && (tc.want.Message == mismatch || tc.want.Message == payloadMismatch) {
				tc.want = nil
			}
			checkError(t, err, tc.want)
		})
	}
}

const payloadMismatch = "The provided 'x-amz-content-sha256' header does not match what was computed."

// TestVerifyMismatchExplains checks that a signature mismatch tells the
// client the canonical request and string to sign the server expected, as
// AWS does, so that a faulty client can be debugged.
func TestVerifyMismatchExplains(t *testing.T) {
	r := sign(t, jsonSpec())
	http.Header(r.Header).Set("X-Amz-Target", "AWSInsightsIndexService.Changed")
	_, err := verifierAt(signTime).Verify(r, "ce")
	for _, want := range []string{
		"The Canonical String for this request should have been\n'POST\n/\n\ncontent-length:",
		"x-amz-target:AWSInsightsIndexService.Changed\n",
		"The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20240305T102030Z\n20240305/us-east-1/ce/aws4_request\n",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Verify error = %v, want it to contain %q", err, want)
		}
	}
}
