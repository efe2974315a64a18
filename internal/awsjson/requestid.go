package awsjson

import "context"

// requestIDKey is the context key of the request id.
type requestIDKey struct{}

// WithRequestID returns a context carrying the request id that the server
// sends as x-amzn-RequestId; Dispatch logs it with internal errors.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id stored by WithRequestID, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
