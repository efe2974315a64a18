// Package sts answers the one AWS Security Token Service operation that
// tools ask before anything else: GetCallerIdentity. Terraform's AWS provider
// calls it to learn the account id it works in, and `aws sts
// get-caller-identity` is how people check which credentials they use.
//
// STS speaks the AWS query protocol: a form-encoded POST body with Action and
// Version, an XML response, and errors in the query protocol's
// <ErrorResponse> envelope. The HTTP server verifies the SigV4 signature
// (signing name sts) and puts the caller in the context; this package only
// parses the form and renders XML, so it does not import net/http.
package sts

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"

	"github.com/tallyhq/tally/internal/auth"
)

// Identity of STS on the wire.
const (
	// SigningName is the SigV4 service name.
	SigningName = "sts"
	// Version is the API version every request names.
	Version = "2011-06-15"
	// Namespace is the XML namespace of every response.
	Namespace = "https://sts.amazonaws.com/doc/2011-06-15/"
	// ContentType is the media type of every response.
	ContentType = "text/xml"
	// FormContentType is the media type of a query protocol request.
	FormContentType = "application/x-www-form-urlencoded"
)

// GetCallerIdentityInput is the input of GetCallerIdentity; it has no
// members.
type GetCallerIdentityInput struct{}

// GetCallerIdentityOutput mirrors the model's GetCallerIdentityResponse.
type GetCallerIdentityOutput struct {
	// UserId is the unique identifier of the calling entity: for a root
	// identity, the account id.
	UserId string `xml:"UserId"`
	// Account is the 12-digit account the caller acts as.
	Account string `xml:"Account"`
	// Arn is the caller's ARN.
	Arn string `xml:"Arn"`
}

// GetCallerIdentity implements the STS operation GetCallerIdentity. Each
// Tally access key acts as an account, not as a user inside it, so the
// caller is that account's root identity: ARN arn:aws:iam::ACCOUNT:root and
// user id ACCOUNT, as AWS answers for root credentials.
func GetCallerIdentity(ctx context.Context, _ *GetCallerIdentityInput) (*GetCallerIdentityOutput, error) {
	a, ok := auth.Caller(ctx)
	if !ok {
		return nil, &Error{Code: "MissingAuthenticationToken", Status: 403, Message: "Request is missing Authentication Token"}
	}
	return &GetCallerIdentityOutput{UserId: a.AccountID, Account: a.AccountID, Arn: "arn:aws:iam::" + a.AccountID + ":root"}, nil
}

// Error is a query protocol error: Code is the AWS error code, Status the
// HTTP status. A 5xx status is the service's fault (Type Receiver), any
// other the caller's (Type Sender).
type Error struct {
	Code    string
	Message string
	Status  int
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Response is what the HTTP server writes back.
type Response struct {
	Status int
	Body   []byte
}

// Handle serves one query protocol request whose signature the server has
// checked: it parses the form body, runs the action and renders the result
// or the error as XML carrying requestID.
func Handle(ctx context.Context, body []byte, requestID string) Response {
	out, err := dispatch(ctx, body)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			e = &Error{Code: "InternalFailure", Status: 500, Message: "the server encountered an internal error"}
		}
		return RenderError(e, requestID)
	}
	return render(out, requestID)
}

func dispatch(ctx context.Context, body []byte) (any, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, &Error{Code: "MalformedQueryString", Status: 400, Message: fmt.Sprintf("the request body is not a valid form: %v", err)}
	}
	action := form.Get("Action")
	switch {
	case action == "":
		return nil, &Error{Code: "MissingAction", Status: 400, Message: "the request must contain the parameter Action"}
	case form.Get("Version") == "":
		return nil, &Error{Code: "MissingParameter", Status: 400, Message: "the request must contain the parameter Version"}
	case form.Get("Version") != Version:
		return nil, &Error{Code: "InvalidAction", Status: 400, Message: fmt.Sprintf("Could not find operation %s for version %s", action, form.Get("Version"))}
	case action != "GetCallerIdentity":
		return nil, &Error{Code: "InvalidAction", Status: 400, Message: fmt.Sprintf("Tally implements only the GetCallerIdentity operation of STS, not %s", action)}
	}
	for k := range form {
		if k != "Action" && k != "Version" {
			return nil, &Error{Code: "InvalidParameterValue", Status: 400, Message: fmt.Sprintf("GetCallerIdentity takes no parameter %s", k)}
		}
	}
	out, err := GetCallerIdentity(ctx, &GetCallerIdentityInput{})
	if err != nil {
		return nil, err
	}
	return &getCallerIdentityResponse{Result: out}, nil
}

type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

type getCallerIdentityResponse struct {
	XMLName  xml.Name                 `xml:"GetCallerIdentityResponse"`
	Xmlns    string                   `xml:"xmlns,attr"`
	Result   *GetCallerIdentityOutput `xml:"GetCallerIdentityResult"`
	Metadata responseMetadata         `xml:"ResponseMetadata"`
}

func render(out any, requestID string) Response {
	r := out.(*getCallerIdentityResponse)
	r.Xmlns, r.Metadata.RequestID = Namespace, requestID
	return Response{Status: 200, Body: marshal(r)}
}

type errorResponse struct {
	XMLName   xml.Name  `xml:"ErrorResponse"`
	Xmlns     string    `xml:"xmlns,attr"`
	Error     errorBody `xml:"Error"`
	RequestID string    `xml:"RequestId"`
}

type errorBody struct {
	Type    string `xml:"Type"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

// RenderError renders e in the query protocol's error envelope.
func RenderError(e *Error, requestID string) Response {
	typ := "Sender"
	if e.Status >= 500 {
		typ = "Receiver"
	}
	return Response{Status: e.Status, Body: marshal(&errorResponse{Xmlns: Namespace,
		Error: errorBody{Type: typ, Code: e.Code, Message: e.Message}, RequestID: requestID})}
}

func marshal(v any) []byte {
	var b bytes.Buffer
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil { // fixed structs of strings always encode
		panic(err)
	}
	b.WriteByte('\n')
	return b.Bytes()
}

// signatureCodes maps the AWS JSON names of SigV4 failures (package sigv4)
// to the codes query protocol services such as STS answer with.
var signatureCodes = map[string]string{
	"MissingAuthenticationTokenException": "MissingAuthenticationToken",
	"IncompleteSignatureException":        "IncompleteSignature",
	"InvalidSignatureException":           "SignatureDoesNotMatch",
	"UnrecognizedClientException":         "InvalidClientTokenId",
}

// SignatureError converts a SigV4 failure reported with its AWS JSON code to
// the query protocol's error.
func SignatureError(jsonCode, message string, status int) *Error {
	code, ok := signatureCodes[jsonCode]
	if !ok {
		code = "IncompleteSignature"
	}
	return &Error{Code: code, Message: message, Status: status}
}
