package sigv4

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

// The seed corpora live in testdata/fuzz; run the fuzzers with
//
//	go test ./internal/sigv4 -run '^$' -fuzz FuzzVerify -fuzztime 30s

// checkFuzzError fails unless err is nil or an *Error from the table.
func checkFuzzError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	switch e.Code {
	case CodeMissingAuthenticationToken, CodeIncompleteSignature, CodeInvalidSignature, CodeUnrecognizedClient:
	default:
		t.Fatalf("unknown code %q", e.Code)
	}
	if e.Status != 403 || e.Message == "" {
		t.Fatalf("error %+v has no message or a status other than 403", e)
	}
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/ce/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc")
	f.Fuzz(func(t *testing.T, h string) {
		a, err := ParseAuthorization(h)
		checkFuzzError(t, err)
		if err == nil && !strings.HasPrefix(a.Algorithm, "AWS4-") {
			t.Fatalf("ParseAuthorization(%q) accepted algorithm %q", h, a.Algorithm)
		}
		if err == nil {
			_, err = ParseCredential(a.Credential)
			checkFuzzError(t, err)
		}
	})
}

func FuzzVerify(f *testing.F) {
	r := sign(f, jsonSpec())
	h := http.Header(r.Header)
	f.Add(h.Get("Authorization"), h.Get("X-Amz-Date"), h.Get("X-Amz-Target"), r.Path, r.RawQuery, "", string(r.Body))
	f.Fuzz(func(t *testing.T, auth, date, target, path, query, contentSHA, body string) {
		// Content-Length is left out: the signed value is then the body's length.
		h := http.Header{
			"Authorization": {auth},
			"X-Amz-Date":    {date},
			"Content-Type":  {"application/x-amz-json-1.1"},
			"X-Amz-Target":  {target},
		}
		if contentSHA != "" {
			h.Set("X-Amz-Content-Sha256", contentSHA)
		}
		r := &Request{Method: "POST", Path: path, RawQuery: query, Host: "ce.us-east-1.amazonaws.com", Header: h, Body: []byte(body)}
		res, err := verifierAt(signTime).Verify(r, "ce")
		checkFuzzError(t, err)
		if err == nil && (res.Service != "ce" || res.AccessKeyID == "") {
			t.Fatalf("Verify accepted %+v", res)
		}
	})
}
