package awsjson

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"
)

// ContentType is the media type of every request and response body.
const ContentType = "application/x-amz-json-1.1"

// Default limits of a Router.
const (
	DefaultMaxBodyBytes = 1 << 20
	DefaultMaxDepth     = 32
)

// Operation is one operation of a service, bound to its implementation.
type Operation struct {
	// Name is the model's operation name, such as GetCostAndUsage.
	Name string
	// Errors lists the exception shape names the model allows this
	// operation to return.
	Errors []string
	// Handle decodes and validates body, calls the implementation and
	// returns the output to render as JSON, or an error: an *Error, a
	// *ValidationError, or anything else for an internal error.
	Handle func(ctx context.Context, body []byte) (any, error)
}

// Service describes one AWS JSON 1.1 service and its operations.
type Service struct {
	// Name is the model's serviceId, such as "Cost Explorer".
	Name string
	// TargetPrefix is the X-Amz-Target prefix, such as
	// AWSInsightsIndexService.
	TargetPrefix string
	// SigningName is the SigV4 service name, such as ce.
	SigningName string
	// ValidationError is the exception that reports constraint violations
	// (ValidationException, or InvalidParameterException for Budgets).
	ValidationError string
	// InternalError is the exception that reports internal faults with
	// HTTP 500 (InternalFailure, or InternalErrorException for Budgets).
	InternalError string
	// ErrorShapes lists the exceptions of the model.
	ErrorShapes []ErrorShape
	// Operations lists every operation of the model.
	Operations []Operation
	// MapError, when set, is the service's one table of errors: it turns
	// the error an operation returned into the exception the client sees
	// (an *Error), or returns it unchanged. ServiceDef sets it when the API
	// is an ErrorMapper.
	MapError func(op *Operation, err error) error
}

// ErrorMapper is a service API that maps the typed errors of its
// operations to modelled exceptions in one place.
type ErrorMapper interface {
	// MapError returns the exception the client sees for err, returned by
	// op: one that op's Errors list, or the service's validation or
	// internal error, or an *Error marked Unmodelled. Errors it does not
	// know it returns unchanged.
	MapError(op *Operation, err error) error
}

// Response is what the HTTP server writes back.
type Response struct {
	Status  int
	Headers map[string]string
	Body    []byte
}

// Encoded is an operation's output already encoded as JSON (a cached
// answer); Dispatch writes it as it is instead of marshalling it.
type Encoded []byte

// Validator is an input structure that checks the model's constraints.
type Validator interface {
	Validate() error
}

// Bind makes an Operation from a typed implementation: it decodes the body
// strictly against shape into a new I, validates it, calls call and returns
// its output (an empty O when call returns nil without an error).
func Bind[I, O any, PI interface {
	*I
	Validator
}](name string, errs []string, shape *Shape, call func(context.Context, PI) (*O, error)) Operation {
	return Operation{
		Name:   name,
		Errors: errs,
		Handle: func(ctx context.Context, body []byte) (any, error) {
			in := PI(new(I))
			if err := Decode(body, shape, in); err != nil {
				return nil, err
			}
			if err := in.Validate(); err != nil {
				return nil, err
			}
			out, err := call(ctx, in)
			if err != nil {
				return nil, err
			}
			if out == nil {
				out = new(O)
			}
			return out, nil
		},
	}
}

// Router maps full targets (Prefix.Operation) to operations and renders
// their results. It is safe for concurrent use.
type Router struct {
	routes   map[string]route
	services map[string]*Service
	maxBody  int
	maxDepth int
	logger   *slog.Logger
	strict   func(error) // nil unless WithStrictErrors
}

type route struct {
	svc *Service
	op  *Operation
}

// Option configures a Router.
type Option func(*Router)

// WithMaxBodyBytes sets the largest body accepted, in bytes.
func WithMaxBodyBytes(n int) Option { return func(r *Router) { r.maxBody = n } }

// WithMaxDepth sets how deeply objects and arrays may nest in a body.
func WithMaxDepth(n int) Option { return func(r *Router) { r.maxDepth = n } }

// WithLogger sets the logger of internal errors and panics; by default they
// are discarded.
func WithLogger(l *slog.Logger) Option { return func(r *Router) { r.logger = l } }

// WithStrictErrors makes an exception that the operation's model does not
// list (and that is not marked Unmodelled) an internal error, reported to
// fail; tests turn it on so that such an exception fails them instead of
// only being logged.
func WithStrictErrors(fail func(error)) Option { return func(r *Router) { r.strict = fail } }

// NewRouter returns a Router for services. Two operations with the same
// target are an error.
func NewRouter(services []Service, opts ...Option) (*Router, error) {
	r := &Router{
		routes:   make(map[string]route),
		services: make(map[string]*Service),
		maxBody:  DefaultMaxBodyBytes,
		maxDepth: DefaultMaxDepth,
		logger:   slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		o(r)
	}
	services = slices.Clone(services)
	for i := range services {
		svc := &services[i]
		svc.Operations = slices.Clone(svc.Operations)
		if _, dup := r.services[svc.TargetPrefix]; dup {
			return nil, fmt.Errorf("awsjson: target prefix %s registered twice", svc.TargetPrefix)
		}
		r.services[svc.TargetPrefix] = svc
		for j := range svc.Operations {
			op := &svc.Operations[j]
			target := svc.TargetPrefix + "." + op.Name
			if _, dup := r.routes[target]; dup {
				return nil, fmt.Errorf("awsjson: target %s registered twice", target)
			}
			r.routes[target] = route{svc: svc, op: op}
		}
	}
	return r, nil
}

// Service returns the service whose prefix starts target, so that the server
// can check the SigV4 signing name before dispatching.
func (r *Router) Service(target string) (*Service, bool) {
	prefix, _, _ := strings.Cut(target, ".")
	svc, ok := r.services[prefix]
	return svc, ok
}

// Targets returns every registered target, sorted.
func (r *Router) Targets() []string {
	out := make([]string, 0, len(r.routes))
	for t := range r.routes {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// Dispatch runs the operation named by target on body and renders the
// result or the error. It never panics: a panicking operation yields the
// service's internal error.
func (r *Router) Dispatch(ctx context.Context, target string, body []byte) Response {
	rt, ok := r.routes[target]
	if !ok {
		return r.render(ctx, unknownTarget(target))
	}
	if len(body) > r.maxBody {
		return r.render(ctx, Serialization("request body of %d bytes exceeds the limit of %d bytes", len(body), r.maxBody))
	}
	if err := checkDepth(body, r.maxDepth); err != nil {
		return r.render(ctx, r.toError(ctx, rt, err))
	}
	out, err := r.call(ctx, rt, body)
	if err != nil {
		return r.render(ctx, r.toError(ctx, rt, err))
	}
	if b, ok := out.(Encoded); ok {
		return Response{Status: 200, Headers: r.headers(ctx, ""), Body: b}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return r.render(ctx, r.toError(ctx, rt, fmt.Errorf("marshal %s output: %w", rt.op.Name, err)))
	}
	return Response{Status: 200, Headers: r.headers(ctx, ""), Body: b}
}

// call runs the operation, turning a panic into an error.
func (r *Router) call(ctx context.Context, rt route, body []byte) (out any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in %s: %v\n%s", rt.op.Name, p, debug.Stack())
		}
	}()
	return rt.op.Handle(ctx, body)
}

// toError maps an operation's error to what the client sees.
func (r *Router) toError(ctx context.Context, rt route, err error) *Error {
	if rt.svc.MapError != nil {
		err = rt.svc.MapError(rt.op, err)
	}
	var ae *Error
	if errors.As(err, &ae) {
		if !rt.svc.Allows(rt.op, ae) {
			r.logger.WarnContext(ctx, "operation returned an exception its model does not list",
				"request_id", RequestID(ctx), "operation", rt.op.Name, "type", ae.Type)
			if r.strict != nil {
				r.strict(fmt.Errorf("awsjson: %s returned %s, which its model does not list: %w", rt.op.Name, ae.Type, ae))
				return &Error{Type: rt.svc.InternalError, Status: 500, Message: InternalErrorMessage}
			}
		}
		return ae
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		return &Error{Type: rt.svc.ValidationError, Status: 400, Message: ve.Error()}
	}
	if e := unavailable(err); e != nil {
		r.logger.WarnContext(ctx, "backend unavailable", "request_id", RequestID(ctx),
			"target", rt.svc.TargetPrefix+"."+rt.op.Name, "error", err)
		return e
	}
	r.logger.ErrorContext(ctx, "internal error",
		"request_id", RequestID(ctx), "target", rt.svc.TargetPrefix+"."+rt.op.Name, "error", err)
	return &Error{Type: rt.svc.InternalError, Status: 500, Message: InternalErrorMessage}
}

// Allows reports whether op may answer e: an exception its model lists, a
// protocol error, the service's validation or internal error, or one marked
// Unmodelled.
func (s *Service) Allows(op *Operation, e *Error) bool {
	return slices.Contains(op.Errors, e.Type) || IsProtocolError(e.Type) || e.Unmodelled ||
		e.Type == s.ValidationError || e.Type == s.InternalError
}

// render writes an error response.
func (r *Router) render(ctx context.Context, e *Error) Response {
	b, err := json.Marshal(e.body())
	if err != nil { // a map of strings always marshals
		panic(err)
	}
	return Response{Status: e.Status, Headers: r.headers(ctx, e.Type), Body: b}
}

// headers returns the response headers; errType is empty on success.
func (r *Router) headers(ctx context.Context, errType string) map[string]string {
	h := map[string]string{"Content-Type": ContentType}
	if errType != "" {
		h["X-Amzn-ErrorType"] = errType
	}
	if id := RequestID(ctx); id != "" {
		h["x-amzn-RequestId"] = id
	}
	return h
}

// unknownTarget explains why target names no operation.
func unknownTarget(target string) *Error {
	if target == "" {
		return UnknownOperation("the request has no X-Amz-Target header naming an operation")
	}
	return UnknownOperation(fmt.Sprintf("X-Amz-Target %q names no operation of this endpoint", target))
}
