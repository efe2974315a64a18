package awsjson

import "context"

// RenderError renders an error raised outside any operation, such as a failed
// signature check or an oversized body, in the same envelope as operation
// errors.
func (r *Router) RenderError(ctx context.Context, e *Error) Response { return r.render(ctx, e) }
