package awsjson

import (
	"errors"
	"fmt"
	"maps"
)

// Error names that belong to the protocol rather than to a service model.
// They are the same for every service, except the validation and internal
// error names, which each Service chooses.
const (
	// UnknownOperationException answers a missing or unknown X-Amz-Target.
	UnknownOperationException = "UnknownOperationException"
	// SerializationException answers a body that is not a JSON object of the
	// operation's input shape, or that breaks the size or depth limits.
	SerializationException = "SerializationException"
	// ValidationException is AWS's common error for constraint violations; the
	// Cost Explorer model does not list it but the service returns it.
	ValidationException = "ValidationException"
	// ServiceUnavailable is AWS's common error for a temporary failure of
	// the server, which SDKs retry (a backend that cannot be reached).
	ServiceUnavailable = "ServiceUnavailable"
	// InternalFailure is AWS's common error for an unexpected server fault.
	InternalFailure = "InternalFailure"
	// NotImplementedException answers operations Tally does not implement yet.
	NotImplementedException = "NotImplementedException"
)

// InternalErrorMessage is the fixed message of every internal error: the
// detail goes to the log, never to the client.
const InternalErrorMessage = "The request processing has failed because of an unknown error, exception or failure."

// Fault tells whether an error is the caller's fault or the server's.
type Fault string

// The two faults Smithy models.
const (
	FaultClient Fault = "client"
	FaultServer Fault = "server"
)

// ErrorShape describes one exception of a service model: its name, HTTP
// status, fault and the members it carries besides Message.
type ErrorShape struct {
	Name   string
	Status int
	Fault  Fault
	// Extra lists members other than Message, such as ResourceName.
	Extra []string
}

// New returns an error of this shape with the given message.
func (s ErrorShape) New(message string) *Error {
	return &Error{Type: s.Name, Status: s.Status, Message: message}
}

// Error is an error the client sees: the body {"__type":Type,"Message":...}
// with the HTTP status Status. Operations return it (usually through the
// constructors generated for each modeled exception) to answer with a modeled
// exception; any other error becomes an internal error.
type Error struct {
	// Type is the exception's shape name, such as DataUnavailableException.
	Type string
	// Status is the HTTP status code.
	Status int
	// Message is the human-readable text sent to the client.
	Message string
	// Fields holds extra string members of the exception, such as
	// ResourceName; nil for most errors.
	Fields map[string]string
	// Unmodelled marks an exception AWS returns although the operation's
	// model does not list it (such as AccessDeniedException for a linked
	// account's ListCostAllocationTags); the router lets it through.
	Unmodelled bool
}

// Error returns the type and message.
func (e *Error) Error() string {
	return e.Type + ": " + e.Message
}

// WithField returns a copy of e with the extra member name set to value.
func (e *Error) WithField(name, value string) *Error {
	c := *e
	c.Fields = maps.Clone(e.Fields)
	if c.Fields == nil {
		c.Fields = make(map[string]string, 1)
	}
	c.Fields[name] = value
	return &c
}

// body returns the JSON error document: __type, Message and any Fields.
func (e *Error) body() map[string]string {
	b := make(map[string]string, 2+len(e.Fields))
	for k, v := range e.Fields {
		b[k] = v
	}
	b["__type"] = e.Type
	b["Message"] = e.Message
	return b
}

// NotImplemented returns the error of an operation Tally does not implement
// yet. The status is 501 so that SDKs fail at once instead of retrying.
func NotImplemented(service, operation string) *Error {
	return &Error{
		Type:    NotImplementedException,
		Status:  501,
		Message: fmt.Sprintf("Tally does not implement %s yet (%s API)", operation, service),
	}
}

// Serialization returns a SerializationException with a formatted message.
func Serialization(format string, args ...any) *Error {
	return &Error{Type: SerializationException, Status: 400, Message: fmt.Sprintf(format, args...)}
}

// UnknownOperation returns the error for a target that names no operation.
func UnknownOperation(message string) *Error {
	return &Error{Type: UnknownOperationException, Status: 400, Message: message}
}

// IsProtocolError reports whether name is an error the protocol layer can
// return for any operation, whether or not the model lists it.
func IsProtocolError(name string) bool {
	switch name {
	case UnknownOperationException, SerializationException, ValidationException,
		InternalFailure, NotImplementedException:
		return true
	}
	return false
}

// unavailable returns the answer to a backend that cannot be reached (an
// error with an Unavailable() string method naming it, such as
// store.UnavailableError): ServiceUnavailable with status 503, which AWS
// uses for a temporary service-side failure and SDKs retry. It is nil for
// any other error.
func unavailable(err error) *Error {
	var u interface{ Unavailable() string }
	if !errors.As(err, &u) {
		return nil
	}
	return &Error{Type: ServiceUnavailable, Status: 503, Unmodelled: true,
		Message: u.Unavailable() + " is unavailable; retry later"}
}
