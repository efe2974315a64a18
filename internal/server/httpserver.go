package server

import (
	"net/http"
	"time"
)

// Limits of Tally's HTTP server. They bound what a client can hold without
// credentials: a connection that sends its headers slowly, or a body it
// never finishes, is closed once its time is up; headers are small.
const (
	// ReadHeaderTimeout bounds the time to read a request's headers.
	ReadHeaderTimeout = 10 * time.Second
	// ReadTimeout bounds the time to read a whole request, body included.
	// API bodies are at most a megabyte.
	ReadTimeout = 30 * time.Second
	// IdleTimeout bounds how long a kept-alive connection waits for its
	// next request.
	IdleTimeout = 2 * time.Minute
	// MaxHeaderBytes bounds a request's headers; a signed AWS request
	// needs a few kilobytes.
	MaxHeaderBytes = 64 << 10
)

// NewHTTPServer returns the http.Server that serves h with Tally's limits.
// No write timeout is set: a large query may take long to answer.
func NewHTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: ReadHeaderTimeout, ReadTimeout: ReadTimeout,
		IdleTimeout: IdleTimeout, MaxHeaderBytes: MaxHeaderBytes}
}
