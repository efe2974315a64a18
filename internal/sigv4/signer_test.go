package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/google/go-cmp/cmp"
)

// signTime is when the test requests are signed; verifiers get a fixed clock
// near it.
var signTime = time.Date(2024, 3, 5, 10, 20, 30, 0, time.UTC)

const (
	testKey    = "AKIDTALLYEXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
)

// testCredentials knows testKey and the default test/test pair.
var testCredentials = CredentialsFunc(func(id string) (string, bool) {
	switch id {
	case testKey:
		return testSecret, true
	case "test":
		return "test", true
	}
	return "", false
})

// verifierAt returns a Verifier whose clock reads now.
func verifierAt(now time.Time) *Verifier {
	return &Verifier{Credentials: testCredentials, Now: func() time.Time { return now }}
}

// spec describes a request to sign with the official aws-sdk-go-v2 signer.
type spec struct {
	method, url, body string
	header            http.Header
	service, region   string
	key, secret       string
	at                time.Time
	// payloadHash is what the signer is told the payload hash is; empty
	// means the body's SHA-256, as the SDK computes it.
	payloadHash string
}

// jsonSpec is a Cost Explorer call as aws-sdk-go-v2 sends it.
func jsonSpec() spec {
	return spec{
		method: "POST",
		url:    "https://ce.us-east-1.amazonaws.com/",
		body:   `{"TimePeriod":{"Start":"2024-01-01","End":"2024-02-01"},"Granularity":"MONTHLY","Metrics":["UnblendedCost"]}`,
		header: http.Header{
			"Content-Type": {"application/x-amz-json-1.1"},
			"X-Amz-Target": {"AWSInsightsIndexService.GetCostAndUsage"},
		},
		service: "ce",
		region:  "us-east-1",
	}
}

// sign signs s with the official signer, sends the request through the
// HTTP/1.1 wire format and reads it back as Go's server would, and returns
// what a handler would pass to Verify.
func sign(t testing.TB, s spec) *Request {
	t.Helper()
	if s.key == "" {
		s.key, s.secret = testKey, testSecret
	}
	if s.at.IsZero() {
		s.at = signTime
	}
	req, err := http.NewRequest(s.method, s.url, strings.NewReader(s.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range s.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	hash := s.payloadHash
	if hash == "" {
		hash = sha256Hex(s.body)
	}
	creds := aws.Credentials{AccessKeyID: s.key, SecretAccessKey: s.secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hash, s.service, s.region, s.at); err != nil {
		t.Fatal(err)
	}
	var wire bytes.Buffer
	if err := req.Write(&wire); err != nil {
		t.Fatal(err)
	}
	got, err := http.ReadRequest(bufio.NewReader(&wire))
	if err != nil {
		t.Fatal(err)
	}
	return fromHTTP(t, got)
}

// fromHTTP converts a server-side request the way Tally's server does.
func fromHTTP(t testing.TB, r *http.Request) *Request {
	t.Helper()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &Request{
		Method:   r.Method,
		Path:     r.URL.EscapedPath(),
		RawQuery: r.URL.RawQuery,
		Host:     r.Host,
		Header:   r.Header,
		Body:     body,
	}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestVerifyOfficialSigner(t *testing.T) {
	budgets := func(region, body string) spec {
		return spec{
			method: "POST",
			url:    "https://budgets.amazonaws.com/",
			body:   body,
			header: http.Header{
				"Content-Type": {"application/x-amz-json-1.1"},
				"X-Amz-Target": {"AWSBudgetServiceGateway.DescribeBudgets"},
			},
			service: "budgets",
			region:  region,
		}
	}
	for _, tc := range []struct {
		name string
		spec spec
	}{
		{"ce us-east-1", jsonSpec()},
		{"budgets us-east-1", budgets("us-east-1", `{"AccountId":"123456789012"}`)},
		{"budgets eu-west-3 empty body", budgets("eu-west-3", "")},
		{"budgets unicode body", budgets("ap-southeast-2", `{"AccountId":"123456789012","BudgetName":"Bücher – 書籍 💸"}`)},
		{"ce local endpoint with port", func() spec {
			s := jsonSpec()
			s.url, s.region = "http://127.0.0.1:4566/", "eu-central-1"
			return s
		}()},
		{"ce default test key", func() spec {
			s := jsonSpec()
			s.key, s.secret, s.region = "test", "test", "us-gov-west-1"
			return s
		}()},
		{"ce large body", func() spec {
			s := jsonSpec()
			s.body = `{"Filter":"` + strings.Repeat("x", 1<<20) + `"}`
			return s
		}()},
		{"escaped path and query", spec{
			method:  "GET",
			url:     "http://localhost:8080/a%20b/%C3%BC/~x/%2Fy/?b=2&a=1&a=0&c=x+y&d=%7E&e&f=%2B&g=%zz",
			service: "ce", region: "cn-north-1",
		}},
		{"repeated headers and excess spaces", func() spec {
			s := jsonSpec()
			s.header.Add("X-Amz-Meta-Note", "  a   b  c ")
			s.header.Add("X-Amz-Meta-Note", "second\tvalue")
			s.header.Add("X-Custom", "\tleading tab")
			return s
		}()},
		{"content sha256 header", func() spec {
			s := jsonSpec()
			s.header.Set("X-Amz-Content-Sha256", sha256Hex(s.body))
			return s
		}()},
		{"unsigned payload", func() spec {
			s := jsonSpec()
			s.header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
			s.payloadHash = "UNSIGNED-PAYLOAD"
			return s
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sign(t, tc.spec)
			got, err := verifierAt(signTime).Verify(r, tc.spec.service)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			key := tc.spec.key
			if key == "" {
				key = testKey
			}
			want := Result{
				Scope:    Scope{AccessKeyID: key, Date: "20240305", Region: tc.spec.region, Service: tc.spec.service, Terminator: "aws4_request"},
				SignedAt: signTime,
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Verify result (-want +got):\n%s", diff)
			}
		})
	}
}

func TestVerifyClockSkew(t *testing.T) {
	for _, tc := range []struct {
		name    string
		offset  time.Duration // verifier clock minus signing time
		wantErr *Error
	}{
		{"same time", 0, nil},
		{"clock 14 minutes ahead", 14 * time.Minute, nil},
		{"clock 14 minutes behind", -14 * time.Minute, nil},
		{"clock exactly 15 minutes ahead", 15 * time.Minute, nil},
		{"clock exactly 15 minutes behind", -15 * time.Minute, nil},
		{"clock 16 minutes ahead", 16 * time.Minute, &Error{
			Code:    CodeInvalidSignature,
			Message: "Signature expired: 20240305T102030Z is now earlier than 20240305T102130Z (20240305T103630Z - 15 min.)",
			Status:  403,
		}},
		{"clock 16 minutes behind", -16 * time.Minute, &Error{
			Code:    CodeInvalidSignature,
			Message: "Signature not yet current: 20240305T102030Z is still later than 20240305T101930Z (20240305T100430Z + 15 min.)",
			Status:  403,
		}},
		{"clock a day ahead", 24 * time.Hour, &Error{
			Code:    CodeInvalidSignature,
			Message: "Signature expired: 20240305T102030Z is now earlier than 20240306T100530Z (20240306T102030Z - 15 min.)",
			Status:  403,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := verifierAt(signTime.Add(tc.offset)).Verify(sign(t, jsonSpec()), "ce")
			checkError(t, err, tc.wantErr)
		})
	}
}

func TestVerifyMaxSkew(t *testing.T) {
	v := verifierAt(signTime.Add(6 * time.Minute))
	v.MaxSkew = 5 * time.Minute
	_, err := v.Verify(sign(t, jsonSpec()), "ce")
	checkError(t, err, &Error{
		Code:    CodeInvalidSignature,
		Message: "Signature expired: 20240305T102030Z is now earlier than 20240305T102130Z (20240305T102630Z - 5 min.)",
		Status:  403,
	})
}

func BenchmarkVerify(b *testing.B) {
	r := sign(b, jsonSpec())
	v := verifierAt(signTime)
	for b.Loop() {
		if _, err := v.Verify(r, "ce"); err != nil {
			b.Fatal(err)
		}
	}
}

// checkError compares err with want (nil for success). Messages of signature
// mismatches, which carry the canonical request, are compared by prefix.
func checkError(t *testing.T, err error, want *Error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		return
	}
	var got *Error
	if !errors.As(err, &got) {
		t.Fatalf("Verify error = %v (%T), want *Error %s", err, err, want.Code)
	}
	got = &Error{Code: got.Code, Message: got.Message, Status: got.Status}
	if strings.HasSuffix(want.Message, "…") {
		prefix := strings.TrimSuffix(want.Message, "…")
		if strings.HasPrefix(got.Message, prefix) {
			got.Message = want.Message
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Verify error (-want +got):\n%s", diff)
	}
}
