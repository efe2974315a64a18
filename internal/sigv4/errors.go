package sigv4

import (
	"fmt"
	"strings"
)

// The AWS error codes Verify can return. The protocol layer writes Code as the
// error's __type and X-Amzn-ErrorType.
const (
	CodeMissingAuthenticationToken = "MissingAuthenticationTokenException"
	CodeIncompleteSignature        = "IncompleteSignatureException"
	CodeInvalidSignature           = "InvalidSignatureException"
	CodeUnrecognizedClient         = "UnrecognizedClientException"
)

// statusForbidden is the HTTP status of every authentication failure
// (DESIGN.md §3). It is spelt out to keep net/http out of this package.
const statusForbidden = 403

// Error is an authentication failure with its AWS error code, the message AWS
// sends for it and the HTTP status to answer with.
type Error struct {
	Code    string
	Message string
	Status  int
}

// Error returns the code and the message, as the AWS SDKs print them.
func (e *Error) Error() string {
	return e.Code + ": " + e.Message
}

// reason names one row of the error table.
type reason int

const (
	errMissingToken reason = iota
	errMissingEqualSign
	errUnknownComponent
	errDuplicateComponent
	errMissingCredential
	errMissingSignature
	errMissingSignedHeaders
	errMissingDate
	errAuthorizationEcho
	errAlgorithm
	errCredentialElements
	errDateFormat
	errExpired
	errNotYetCurrent
	errHostNotSigned
	errDateNotSigned
	errScopeRegion
	errScopeService
	errScopeTerminator
	errScopeDate
	errUnknownKey
	errPayloadHash
	errSignature
)

// errorTable holds the code and message format of every failure. The
// messages are those AWS JSON services send (as observed from DynamoDB, STS
// and others); several checks of one stage are reported together, as AWS
// does, by joining their messages.
var errorTable = [...]struct{ code, format string }{
	errMissingToken:         {CodeMissingAuthenticationToken, "Request is missing Authentication Token"},
	errMissingEqualSign:     {CodeIncompleteSignature, "'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'."},
	errUnknownComponent:     {CodeIncompleteSignature, "'%s' is not a component of a SigV4 Authorization header (Credential, SignedHeaders, Signature): '%s'."},
	errDuplicateComponent:   {CodeIncompleteSignature, "'%s' appears more than once in Authorization header: '%s'."},
	errMissingCredential:    {CodeIncompleteSignature, "Authorization header requires 'Credential' parameter."},
	errMissingSignature:     {CodeIncompleteSignature, "Authorization header requires 'Signature' parameter."},
	errMissingSignedHeaders: {CodeIncompleteSignature, "Authorization header requires 'SignedHeaders' parameter."},
	errMissingDate:          {CodeIncompleteSignature, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."},
	errAuthorizationEcho:    {CodeIncompleteSignature, "Authorization=%s"},
	errAlgorithm:            {CodeIncompleteSignature, "Unsupported AWS 'algorithm': '%s' (only AWS4-HMAC-SHA256 for now)."},
	errCredentialElements:   {CodeIncompleteSignature, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'"},
	errDateFormat:           {CodeIncompleteSignature, "Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601"},
	errExpired:              {CodeInvalidSignature, "Signature expired: %s is now earlier than %s (%s - %s.)"},
	errNotYetCurrent:        {CodeInvalidSignature, "Signature not yet current: %s is still later than %s (%s + %s.)"},
	errHostNotSigned:        {CodeInvalidSignature, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
	errDateNotSigned:        {CodeInvalidSignature, "'%s' must be a 'SignedHeader' in the AWS Authorization."},
	errScopeRegion:          {CodeInvalidSignature, "Credential should be scoped to a valid region, not '%s'."},
	errScopeService:         {CodeInvalidSignature, "Credential should be scoped to correct service: '%s'."},
	errScopeTerminator:      {CodeInvalidSignature, "Credential should be scoped with a valid terminator: 'aws4_request', not '%s'."},
	errScopeDate:            {CodeInvalidSignature, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'."},
	errUnknownKey:           {CodeUnrecognizedClient, "The security token included in the request is invalid."},
	errPayloadHash:          {CodeInvalidSignature, "The provided 'x-amz-content-sha256' header does not match what was computed."},
	errSignature: {CodeInvalidSignature, "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details." +
		"\n\nThe Canonical String for this request should have been\n'%s'\n\nThe String-to-Sign should have been\n'%s'\n"},
}

// problem is one failed check: a row of the table and its arguments.
type problem struct {
	reason reason
	args   []any
}

// fail builds the Error for a single problem.
func fail(r reason, args ...any) *Error {
	return failAll([]problem{{r, args}})
}

// failAll builds one Error from problems found in the same stage, which all
// share a code; the first problem's code is used.
func failAll(ps []problem) *Error {
	msgs := make([]string, len(ps))
	for i, p := range ps {
		row := errorTable[p.reason]
		msgs[i] = row.format
		if len(p.args) > 0 {
			msgs[i] = fmt.Sprintf(row.format, p.args...)
		}
	}
	return &Error{
		Code:    errorTable[ps[0].reason].code,
		Message: strings.Join(msgs, " "),
		Status:  statusForbidden,
	}
}
