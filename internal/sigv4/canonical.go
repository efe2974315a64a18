package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// timeFormat is the ISO-8601 basic format of X-Amz-Date and of the string to
// sign.
const timeFormat = "20060102T150405Z"

// canonicalRequest builds the SigV4 canonical request of r for the given
// SignedHeaders list (as sent in the Authorization header) and payload hash:
// method, URI, query, headers, signed header list and payload hash, one per
// line. It follows the AWS SDKs' signers for non-S3 services: the path is
// URI-encoded again (so "%20" becomes "%2520"), the query is decoded, encoded
// and sorted, and header values are trimmed with runs of spaces collapsed.
func canonicalRequest(r *Request, signedHeaders, payloadHash string) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(canonicalURI(r.Path))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r.RawQuery))
	b.WriteByte('\n')
	for _, name := range strings.Split(signedHeaders, ";") {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(canonicalHeaderValue(r, name))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(signedHeaders)
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// canonicalURI encodes the request path as it was sent (still escaped) once
// more; an empty path is "/".
func canonicalURI(escapedPath string) string {
	if escapedPath == "" {
		return "/"
	}
	return uriEncode(escapedPath, true)
}

// canonicalQuery decodes the raw query the way the Go SDK's signer does
// (url.ParseQuery: "+" is a space, malformed pairs are dropped), encodes each
// name and value, and sorts by name, then value.
func canonicalQuery(rawQuery string) string {
	if rawQuery == "" {
		return ""
	}
	values, _ := url.ParseQuery(rawQuery) // malformed pairs are dropped, as when signing
	type pair struct{ name, value string }
	var pairs []pair
	for name, vs := range values {
		for _, v := range vs {
			pairs = append(pairs, pair{uriEncode(name, false), uriEncode(v, false)})
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return strings.Compare(a.value, b.value)
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.name)
		b.WriteByte('=')
		b.WriteString(p.value)
	}
	return b.String()
}

// uriEncode percent-encodes every byte except the unreserved characters of
// RFC 3986 (and "/" when keepSlash is set), with upper-case hex digits.
func uriEncode(s string, keepSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) || (keepSlash && c == '/') {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// isUnreserved reports whether c is an RFC 3986 unreserved character.
func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// canonicalHeaderValue returns the canonical value of the header name (lower
// case, as in SignedHeaders): its values trimmed, runs of spaces collapsed,
// joined by commas. The host comes from Request.Host, since Go's server moves
// it out of the header map. A signed Content-Length missing from the header
// map is the body's length.
func canonicalHeaderValue(r *Request, name string) string {
	if strings.EqualFold(name, "host") && r.Host != "" {
		return trimAll(r.Host)
	}
	values := headerValues(r.Header, name)
	if len(values) == 0 && strings.EqualFold(name, "content-length") {
		return strconv.Itoa(len(r.Body))
	}
	trimmed := make([]string, len(values))
	for i, v := range values {
		trimmed[i] = trimAll(v)
	}
	return strings.Join(trimmed, ",")
}

// headerValues looks name up in h, whose keys should be canonical MIME keys
// as in http.Header; other spellings are found too.
func headerValues(h map[string][]string, name string) []string {
	if vs, ok := h[textproto.CanonicalMIMEHeaderKey(name)]; ok {
		return vs
	}
	for k, vs := range h {
		if strings.EqualFold(k, name) {
			return vs
		}
	}
	return nil
}

// firstHeader returns the first value of the header name, or "".
func firstHeader(h map[string][]string, name string) string {
	if vs := headerValues(h, name); len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// trimAll removes surrounding white space and collapses runs of spaces into
// one, as the SigV4 specification asks of header values.
func trimAll(s string) string {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' && i > 0 && s[i-1] == ' ' {
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// stringToSign builds the SigV4 string to sign for a request signed at t
// within scope, whose canonical request is canonical.
func stringToSign(t time.Time, scope Scope, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	return Algorithm + "\n" + t.UTC().Format(timeFormat) + "\n" + scope.String() + "\n" + hex.EncodeToString(sum[:])
}

// signingKey derives the key that signs requests for one day, region and
// service from a secret access key.
func signingKey(secret, date, region, service string) []byte {
	id := secret + "\x00" + date + "\x00" + region + "\x00" + service
	signingKeys.Lock()
	defer signingKeys.Unlock()
	if k, ok := signingKeys.m[id]; ok {
		return k
	}
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	k = hmacSHA256(k, terminator)
	if signingKeys.m == nil || len(signingKeys.m) >= maxSigningKeys {
		signingKeys.m = map[string][]byte{}
	}
	signingKeys.m[id] = k
	return k
}

// signingKeys keeps the derived keys of recent (secret, date, region,
// service) scopes: deriving one costs four HMACs, a third of verifying a
// small request, and a client signs all day under the same scope. The
// derived key is valid for that day only, as its scope says.
var signingKeys struct {
	sync.Mutex
	m map[string][]byte
}

// maxSigningKeys bounds signingKeys; it starts over when full.
const maxSigningKeys = 1024

// signature returns the hex signature of sts, a string to sign, under key.
func signature(key []byte, sts string) string {
	return hex.EncodeToString(hmacSHA256(key, sts))
}

// hmacSHA256 returns HMAC-SHA256(key, data).
func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
