// Package sdkhttp gives Tally's own AWS SDK clients (the tally tags command,
// the benchmark, tests) an HTTP client that works around a race between
// smithy-go and net/http.
//
// smithy-go closes a request body as soon as the response headers arrive,
// and its closed body's WriteTo returns io.EOF as an error. Against a server
// as fast as a local Tally, net/http's last read of the body can come after
// that close; the transport then drops the connection under the response
// being read ("use of closed network connection"). Hiding the body's
// WriteTo makes net/http read it with Read, which a closed body answers with
// a clean EOF.
package sdkhttp

import (
	"io"
	"net/http"
)

// Client returns an HTTP client for aws-sdk-go-v2 clients of a Tally server.
func Client() *http.Client {
	return &http.Client{Transport: Transport{Base: http.DefaultTransport}}
}

// Transport is an http.RoundTripper that hides the WriterTo of request
// bodies before handing requests to Base.
type Transport struct{ Base http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (t Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r = r.Clone(r.Context())
		r.Body = struct{ io.ReadCloser }{r.Body}
	}
	return t.Base.RoundTrip(r)
}
