// Package sigv4 verifies AWS Signature Version 4 Authorization headers, as
// sent by the AWS SDKs and the AWS CLI, and reports failures with the error
// codes and messages AWS uses.
//
// The package sees a request as plain values (Request), so it does not
// depend on net/http; the server builds a Request from its *http.Request.
package sigv4

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// DefaultMaxSkew is how far a request's signing time may be from the
// verifier's clock, in either direction, when Verifier.MaxSkew is zero.
const DefaultMaxSkew = 15 * time.Minute

// unsignedPayload is the X-Amz-Content-Sha256 value of a request whose body
// is not covered by the signature.
const unsignedPayload = "UNSIGNED-PAYLOAD"

// Request is what verification needs from an HTTP request.
type Request struct {
	Method string
	// Path is the request path as sent, still escaped (URL.EscapedPath()).
	Path string
	// RawQuery is the query string as sent, without the "?".
	RawQuery string
	// Host is the Host header (http.Request.Host), which Go's server removes
	// from the header map.
	Host string
	// Header holds the request headers under canonical MIME keys, like
	// http.Header (which can be assigned to it).
	Header map[string][]string
	// Body is the whole request body.
	Body []byte
}

// Credentials finds the secret access key of an access key ID.
// Implementations must be safe for concurrent use.
type Credentials interface {
	// Secret returns the secret of accessKeyID, and false if the key is
	// unknown.
	Secret(accessKeyID string) (secret string, ok bool)
}

// CredentialsFunc adapts a function to the Credentials interface.
type CredentialsFunc func(accessKeyID string) (secret string, ok bool)

// Secret calls f.
func (f CredentialsFunc) Secret(accessKeyID string) (string, bool) {
	return f(accessKeyID)
}

// Verifier checks SigV4 signatures. The zero value knows no keys; a Verifier
// is safe for concurrent use when its Credentials are.
type Verifier struct {
	// Credentials resolves access keys. Nil means no key is known.
	Credentials Credentials
	// Now is the clock requests are compared with; nil means time.Now.
	Now func() time.Time
	// MaxSkew is the allowed distance between the signing time and Now;
	// zero means DefaultMaxSkew.
	MaxSkew time.Duration
}

// Result identifies a verified request: the access key that signed it, its
// credential scope and its signing time.
type Result struct {
	Scope
	SignedAt time.Time
}

// Verify checks the Authorization header of r, signed for service (the
// signing name, such as "ce" or "budgets"; any region is accepted, since
// clients sign with their configured region when given an endpoint). On
// failure the error is an *Error. The checks follow the order AWS was seen
// to apply them (completeness, algorithm, credential form, date, clock skew,
// signed headers, scope, key, signature), so a request with several faults
// gets the error AWS would most likely send.
func (v *Verifier) Verify(r *Request, service string) (Result, error) {
	a, res, e := v.checkHeader(r, service)
	if e != nil {
		return Result{}, e
	}
	if e := v.checkSignature(r, a, res.Scope, res.SignedAt); e != nil {
		return Result{}, e
	}
	return res, nil
}

// VerifyHeader makes every check of Verify that does not need the body:
// all but the payload hash and the signature. A server calls it before it
// reads the body, so that a request without a well-formed, current
// signature by a known key holds no memory for its body. On failure the
// error is an *Error, the one Verify would return.
func (v *Verifier) VerifyHeader(r *Request, service string) (Result, error) {
	_, res, e := v.checkHeader(r, service)
	if e != nil {
		return Result{}, e
	}
	return res, nil
}

// checkHeader checks the Authorization header, the date and the key, in
// the order Verify documents.
func (v *Verifier) checkHeader(r *Request, service string) (Authorization, Result, *Error) {
	raw := firstHeader(r.Header, "Authorization")
	a, err := ParseAuthorization(raw)
	if err != nil {
		return a, Result{}, err.(*Error)
	}
	dateHeader, dateValue := requestDate(r.Header)
	if e := checkComplete(raw, a, dateValue); e != nil {
		return a, Result{}, e
	}
	if a.Algorithm != Algorithm {
		return a, Result{}, fail(errAlgorithm, a.Algorithm)
	}
	scope, err := ParseCredential(a.Credential)
	if err != nil {
		return a, Result{}, err.(*Error)
	}
	t, e := parseRequestTime(dateHeader, dateValue)
	if e != nil {
		return a, Result{}, e
	}
	if e := v.checkSkew(t); e != nil {
		return a, Result{}, e
	}
	if e := checkSignedHeaders(a.SignedHeaders, dateHeader); e != nil {
		return a, Result{}, e
	}
	if e := checkScope(scope, service, t); e != nil {
		return a, Result{}, e
	}
	if e := v.checkKey(r, scope); e != nil {
		return a, Result{}, e
	}
	return a, Result{Scope: scope, SignedAt: t}, nil
}

// checkKey refuses an unknown key and any session token.
func (v *Verifier) checkKey(r *Request, scope Scope) *Error {
	if v.Credentials == nil {
		return fail(errUnknownKey)
	}
	if _, ok := v.Credentials.Secret(scope.AccessKeyID); !ok {
		return fail(errUnknownKey)
	}
	// Tally issues no session tokens, so none can be valid; AWS answers an
	// invalid token as it does an unknown key.
	if len(headerValues(r.Header, "X-Amz-Security-Token")) > 0 {
		return fail(errUnknownKey)
	}
	return nil
}

// checkSignature compares the signature with the one
// computed from the request, in constant time.
func (v *Verifier) checkSignature(r *Request, a Authorization, scope Scope, t time.Time) *Error {
	secret, ok := v.Credentials.Secret(scope.AccessKeyID)
	if !ok { // the key went away since checkKey
		return fail(errUnknownKey)
	}
	hash, e := payloadHash(r)
	if e != nil {
		return e
	}
	canonical := canonicalRequest(r, a.SignedHeaders, hash)
	sts := stringToSign(t, scope, canonical)
	want := signature(signingKey(secret, scope.Date, scope.Region, scope.Service), sts)
	if subtle.ConstantTimeCompare([]byte(want), []byte(a.Signature)) != 1 {
		return fail(errSignature, canonical, sts)
	}
	return nil
}

// requestDate returns the name of the header that dates the request and
// its value: X-Amz-Date, or Date when X-Amz-Date is absent.
func requestDate(h map[string][]string) (name, value string) {
	if v := firstHeader(h, "X-Amz-Date"); v != "" {
		return "X-Amz-Date", v
	}
	if v := firstHeader(h, "Date"); v != "" {
		return "Date", v
	}
	return "", ""
}

// checkComplete reports every missing component of the Authorization header
// raw, parsed as a, and a missing date header together, as AWS does.
func checkComplete(raw string, a Authorization, date string) *Error {
	var ps []problem
	if a.Credential == "" {
		ps = append(ps, problem{reason: errMissingCredential})
	}
	if a.Signature == "" {
		ps = append(ps, problem{reason: errMissingSignature})
	}
	if a.SignedHeaders == "" {
		ps = append(ps, problem{reason: errMissingSignedHeaders})
	}
	if date == "" {
		ps = append(ps, problem{reason: errMissingDate})
	}
	if len(ps) == 0 {
		return nil
	}
	ps = append(ps, problem{errAuthorizationEcho, []any{raw}})
	return failAll(ps)
}

// parseRequestTime parses the dating header: X-Amz-Date in ISO-8601 basic
// format, or Date in the HTTP format (RFC 1123, with a zone name or offset).
func parseRequestTime(header, value string) (time.Time, *Error) {
	layouts := []string{timeFormat}
	if header == "Date" {
		layouts = []string{time.RFC1123, time.RFC1123Z}
	}
	for _, layout := range layouts {
		if t, err := time.Parse(layout, value); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fail(errDateFormat, value)
}

// checkSkew rejects a signing time too far from the verifier's clock.
func (v *Verifier) checkSkew(t time.Time) *Error {
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	now = now.UTC()
	skew := v.MaxSkew
	if skew <= 0 {
		skew = DefaultMaxSkew
	}
	span := strconv.Itoa(int(skew/time.Minute)) + " min"
	if skew%time.Minute != 0 {
		span = skew.String()
	}
	if earliest := now.Add(-skew); t.Before(earliest) {
		return fail(errExpired, t.Format(timeFormat), earliest.Format(timeFormat), now.Format(timeFormat), span)
	}
	if latest := now.Add(skew); t.After(latest) {
		return fail(errNotYetCurrent, t.Format(timeFormat), latest.Format(timeFormat), now.Format(timeFormat), span)
	}
	return nil
}

// checkSignedHeaders requires the host and the dating header to be signed,
// so that neither can be replaced.
func checkSignedHeaders(signedHeaders, dateHeader string) *Error {
	var host, date bool
	for _, name := range strings.Split(signedHeaders, ";") {
		host = host || strings.EqualFold(name, "host")
		date = date || strings.EqualFold(name, dateHeader)
	}
	if !host {
		return fail(errHostNotSigned)
	}
	if !date {
		return fail(errDateNotSigned, dateHeader)
	}
	return nil
}

// checkScope compares the credential scope with the expected service, the
// terminator and the request's date, reporting every mismatch together.
func checkScope(s Scope, service string, t time.Time) *Error {
	var ps []problem
	if s.Region == "" {
		ps = append(ps, problem{errScopeRegion, []any{s.Region}})
	}
	if s.Service != service {
		ps = append(ps, problem{errScopeService, []any{service}})
	}
	if s.Terminator != terminator {
		ps = append(ps, problem{errScopeTerminator, []any{s.Terminator}})
	}
	if day := t.Format("20060102"); s.Date != day {
		ps = append(ps, problem{errScopeDate, []any{s.Date, day, t.Format(timeFormat)}})
	}
	if len(ps) == 0 {
		return nil
	}
	return failAll(ps)
}

// payloadHash returns the payload hash for the canonical request: the
// X-Amz-Content-Sha256 header when present, which must then be the body's
// SHA-256 or UNSIGNED-PAYLOAD, and otherwise the body's SHA-256.
func payloadHash(r *Request) (string, *Error) {
	sum := sha256.Sum256(r.Body)
	computed := hex.EncodeToString(sum[:])
	values := headerValues(r.Header, "X-Amz-Content-Sha256")
	if len(values) == 0 {
		return computed, nil
	}
	claimed := values[0]
	if claimed != unsignedPayload && !strings.EqualFold(claimed, computed) {
		return "", fail(errPayloadHash)
	}
	return claimed, nil
}
