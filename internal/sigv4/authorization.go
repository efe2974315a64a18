package sigv4

import (
	"strings"
)

// Algorithm is the only signing algorithm SigV4 header authentication uses.
const Algorithm = "AWS4-HMAC-SHA256"

// terminator ends every SigV4 credential scope.
const terminator = "aws4_request"

// Authorization is a parsed SigV4 Authorization header. Missing components
// are empty; Verify reports them.
type Authorization struct {
	// Algorithm is the first word, AWS4-HMAC-SHA256 for a valid header.
	Algorithm string
	// Credential is access-key-id/date/region/service/aws4_request.
	Credential string
	// SignedHeaders is the semicolon-separated list of lower-case header
	// names, exactly as sent; it is part of the canonical request.
	SignedHeaders string
	// Signature is the hex HMAC the client computed.
	Signature string
}

// ParseAuthorization splits a SigV4 Authorization header such as
//
//	AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/ce/aws4_request, SignedHeaders=host;x-amz-date, Signature=…
//
// into its components. Components are separated by commas, spaces or both.
// A header that is empty or does not start with "AWS4-" is
// MissingAuthenticationTokenException, as on AWS; a component without an
// equal sign, an unknown component or one given twice is
// IncompleteSignatureException: a header that names two signatures or two
// credentials is not one a signer wrote, and accepting either would let a
// proxy or a logger read it differently from this verifier.
func ParseAuthorization(h string) (Authorization, error) {
	h = strings.TrimSpace(h)
	if !strings.HasPrefix(h, "AWS4-") {
		return Authorization{}, fail(errMissingToken)
	}
	parts := strings.FieldsFunc(h, isSeparator)
	a := Authorization{Algorithm: parts[0]}
	seen := map[string]bool{}
	for _, part := range parts[1:] {
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			return Authorization{}, fail(errMissingEqualSign, part, h)
		}
		var field *string
		switch name {
		case "Credential":
			field = &a.Credential
		case "SignedHeaders":
			field = &a.SignedHeaders
		case "Signature":
			field = &a.Signature
		default:
			return Authorization{}, fail(errUnknownComponent, name, h)
		}
		if seen[name] {
			return Authorization{}, fail(errDuplicateComponent, name, h)
		}
		seen[name] = true
		*field = value
	}
	return a, nil
}

// isSeparator reports whether r separates Authorization components.
func isSeparator(r rune) bool {
	return r == ',' || r == ' ' || r == '\t'
}

// Scope is a parsed credential: the access key and the scope it signs for.
type Scope struct {
	AccessKeyID string
	// Date is the scope's day, YYYYMMDD.
	Date       string
	Region     string
	Service    string
	Terminator string
}

// ParseCredential splits the Credential component of an Authorization
// header. It must have exactly five slash-separated elements; their values
// are checked by Verify.
func ParseCredential(c string) (Scope, error) {
	parts := strings.Split(c, "/")
	if len(parts) != 5 {
		return Scope{}, fail(errCredentialElements, c)
	}
	return Scope{
		AccessKeyID: parts[0],
		Date:        parts[1],
		Region:      parts[2],
		Service:     parts[3],
		Terminator:  parts[4],
	}, nil
}

// String returns the credential scope as it appears in the string to sign:
// date/region/service/aws4_request.
func (s Scope) String() string {
	return s.Date + "/" + s.Region + "/" + s.Service + "/" + s.Terminator
}
