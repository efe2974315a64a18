package sigv4

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestVerifyKnownAnswers checks requests and signatures published by AWS
// (the SigV4 test suite's get-vanilla and the IAM ListUsers walkthrough),
// independently of any signer.
func TestVerifyKnownAnswers(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	at := time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		service string
		r       *Request
	}{
		{
			name:    "get-vanilla",
			service: "service",
			r: &Request{
				Method: "GET", Path: "/", Host: "example.amazonaws.com",
				Header: map[string][]string{
					"X-Amz-Date": {"20150830T123600Z"},
					"Authorization": {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, " +
						"SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
				},
			},
		},
		{
			name:    "iam ListUsers",
			service: "iam",
			r: &Request{
				Method: "GET", Path: "/", RawQuery: "Action=ListUsers&Version=2010-05-08", Host: "iam.amazonaws.com",
				Header: map[string][]string{
					"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"},
					"X-Amz-Date":   {"20150830T123600Z"},
					"Authorization": {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, " +
						"SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"},
				},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := &Verifier{
				Credentials: CredentialsFunc(func(id string) (string, bool) { return secret, id == "AKIDEXAMPLE" }),
				Now:         func() time.Time { return at },
			}
			if _, err := v.Verify(tc.r, tc.service); err != nil {
				t.Fatalf("Verify: %v", err)
			}
		})
	}
}

func TestCanonicalURI(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"", "/"},
		{"/", "/"},
		{"/a/b.c_d-e~f", "/a/b.c_d-e~f"},
		{"/a%20b", "/a%2520b"},
		{"/%C3%BC/%2F", "/%25C3%25BC/%252F"},
		{"/a+b=c", "/a%2Bb%3Dc"},
	} {
		if got := canonicalURI(tc.path); got != tc.want {
			t.Errorf("canonicalURI(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}

func TestCanonicalQuery(t *testing.T) {
	for _, tc := range []struct{ raw, want string }{
		{"", ""},
		{"b=2&a=1", "a=1&b=2"},
		{"a=2&a=1&a=10", "a=1&a=10&a=2"},
		{"c=x+y&d=%7e&e", "c=x%20y&d=~&e="},
		{"f=%2B&g=%zz&&h=a/b", "f=%2B&h=a%2Fb"},
		{"a-b=1&a=2&a.b=3", "a=2&a-b=1&a.b=3"},
		{"%C3%BC=%E2%82%AC", "%C3%BC=%E2%82%AC"},
	} {
		if got := canonicalQuery(tc.raw); got != tc.want {
			t.Errorf("canonicalQuery(%q) = %q, want %q", tc.raw, got, tc.want)
		}
	}
}

func TestTrimAll(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"a", "a"},
		{"  a   b  c ", "a b c"},
		{"\ta\t", "a"},
		{"a \t b", "a \t b"},
		{`"a   b"`, `"a b"`},
	} {
		if got := trimAll(tc.in); got != tc.want {
			t.Errorf("trimAll(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCanonicalHeaderValue(t *testing.T) {
	r := &Request{
		Host: " example.com:8080 ",
		Header: map[string][]string{
			"X-Amz-Meta-A": {" one ", "two  three"},
			"x-lower":      {"found"},
		},
		Body: []byte("12345"),
	}
	for _, tc := range []struct{ name, want string }{
		{"host", "example.com:8080"},
		{"x-amz-meta-a", "one,two three"},
		{"x-lower", "found"},
		{"content-length", "5"},
		{"absent", ""},
	} {
		if got := canonicalHeaderValue(r, tc.name); got != tc.want {
			t.Errorf("canonicalHeaderValue(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestParseAuthorization(t *testing.T) {
	for _, tc := range []struct {
		name    string
		h       string
		want    Authorization
		wantErr *Error
	}{
		{
			name: "SDK form",
			h:    "AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/ce/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
			want: Authorization{"AWS4-HMAC-SHA256", "AK/20240101/us-east-1/ce/aws4_request", "host;x-amz-date", "abc"},
		},
		{
			name: "commas only, any order",
			h:    "AWS4-HMAC-SHA256 Signature=abc,Credential=AK/d/r/s/t,SignedHeaders=host",
			want: Authorization{"AWS4-HMAC-SHA256", "AK/d/r/s/t", "host", "abc"},
		},
		{
			name: "unknown component",
			h:    " AWS4-X Foo=bar, Signature=1 ",
			wantErr: &Error{CodeIncompleteSignature, "'Foo' is not a component of a SigV4 Authorization header " +
				"(Credential, SignedHeaders, Signature): 'AWS4-X Foo=bar, Signature=1'.", 403},
		},
		{
			name:    "two signatures",
			h:       "AWS4-HMAC-SHA256 Credential=AK/d/r/s/t, SignedHeaders=host, Signature=1, Signature=2",
			wantErr: &Error{CodeIncompleteSignature, "'Signature' appears more than once in Authorization header: 'AWS4-HMAC-SHA256 Credential=AK/d/r/s/t, SignedHeaders=host, Signature=1, Signature=2'.", 403},
		},
		{
			name:    "two credentials",
			h:       "AWS4-HMAC-SHA256 Credential=AK/d/r/s/t,Credential=BK/d/r/s/t,SignedHeaders=host,Signature=1",
			wantErr: &Error{CodeIncompleteSignature, "'Credential' appears more than once in Authorization header: 'AWS4-HMAC-SHA256 Credential=AK/d/r/s/t,Credential=BK/d/r/s/t,SignedHeaders=host,Signature=1'.", 403},
		},
		{
			name:    "two signed header lists, one empty",
			h:       "AWS4-HMAC-SHA256 Credential=AK/d/r/s/t, SignedHeaders=, SignedHeaders=host, Signature=1",
			wantErr: &Error{CodeIncompleteSignature, "'SignedHeaders' appears more than once in Authorization header: 'AWS4-HMAC-SHA256 Credential=AK/d/r/s/t, SignedHeaders=, SignedHeaders=host, Signature=1'.", 403},
		},
		{
			name: "algorithm only",
			h:    "AWS4-HMAC-SHA256",
			want: Authorization{Algorithm: "AWS4-HMAC-SHA256"},
		},
		{
			name:    "empty",
			wantErr: &Error{CodeMissingAuthenticationToken, "Request is missing Authentication Token", 403},
		},
		{
			name:    "SigV2",
			h:       "AWS AKID:c2lnbmF0dXJl",
			wantErr: &Error{CodeMissingAuthenticationToken, "Request is missing Authentication Token", 403},
		},
		{
			name: "space inside the credential",
			h:    "AWS4-HMAC-SHA256 Credential=AK /20240101/us-east-1/ce/aws4_request, SignedHeaders=host, Signature=abc",
			wantErr: &Error{CodeIncompleteSignature, "'/20240101/us-east-1/ce/aws4_request' not a valid key=value pair (missing equal-sign) " +
				"in Authorization header: 'AWS4-HMAC-SHA256 Credential=AK /20240101/us-east-1/ce/aws4_request, SignedHeaders=host, Signature=abc'.", 403},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseAuthorization(tc.h)
			if tc.wantErr != nil {
				if diff := cmp.Diff(error(tc.wantErr), err, cmp.Comparer(func(a, b *Error) bool { return *a == *b })); diff != "" {
					t.Errorf("ParseAuthorization error (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseAuthorization: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseAuthorization (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseCredential(t *testing.T) {
	got, err := ParseCredential("AK/20240101/eu-west-1/budgets/aws4_request")
	if err != nil {
		t.Fatal(err)
	}
	want := Scope{AccessKeyID: "AK", Date: "20240101", Region: "eu-west-1", Service: "budgets", Terminator: "aws4_request"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseCredential (-want +got):\n%s", diff)
	}
	if got := want.String(); got != "20240101/eu-west-1/budgets/aws4_request" {
		t.Errorf("Scope.String() = %q", got)
	}
	for _, c := range []string{"", "AK", "AK/20240101/eu-west-1/budgets", "AK/20240101/eu-west-1/budgets/aws4_request/"} {
		if _, err := ParseCredential(c); err == nil {
			t.Errorf("ParseCredential(%q) succeeded, want an error", c)
		}
	}
}
