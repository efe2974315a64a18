package mcp

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"
	"time"

	sdkauth "github.com/modelcontextprotocol/go-sdk/auth"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/tallyhq/tally/internal/auth"
)

// Handler serves MCP over streamable HTTP (mounted at /mcp).
//
// MCP clients cannot sign requests with SigV4, but all of them can send a
// fixed header, so a request authenticates with the same access keys as the
// AWS API, as a bearer token: "Authorization: Bearer ACCESS_KEY_ID:SECRET".
// The tools then act for that key's account. With the built-in test keys
// (served on loopback only) a request without Authorization acts as the
// test key, like the web UI.
func Handler(cfg Config, keys *auth.Keys) *HTTPHandler {
	srv := NewServer(cfg, nil)
	h := sdk.NewStreamableHTTPHandler(func(*http.Request) *sdk.Server { return srv },
		&sdk.StreamableHTTPOptions{SessionTimeout: sessionTimeout})
	protected := sdkauth.RequireBearerToken(verifier(keys), &sdkauth.RequireBearerTokenOptions{AllowMissingExpiration: true})(h)
	ctx, cancel := context.WithCancel(context.Background())
	return &HTTPHandler{h: protected, test: keys.Test, closing: ctx, close: cancel}
}

// sessionTimeout closes sessions a client has left without closing them.
const sessionTimeout = 30 * time.Minute

// HTTPHandler is the /mcp endpoint.
type HTTPHandler struct {
	h       http.Handler
	test    bool
	closing context.Context
	close   context.CancelFunc
}

// ServeHTTP serves one MCP request.
func (h *HTTPHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer context.AfterFunc(h.closing, cancel)()
	r = r.WithContext(ctx)
	if h.test && r.Header.Get("Authorization") == "" {
		r.Header = r.Header.Clone()
		r.Header.Set("Authorization", "Bearer test:test")
	}
	h.h.ServeHTTP(w, r)
}

// Close ends every open request, such as a client's event stream, so that
// the HTTP server's graceful shutdown need not wait for clients to leave
// (register it with http.Server.RegisterOnShutdown).
func (h *HTTPHandler) Close() { h.close() }

// verifier checks a bearer token KEY:SECRET against keys. The token info
// carries the account for the tools, and the key as the user id, which the
// SDK uses to keep one key from taking over another's session.
func verifier(keys *auth.Keys) sdkauth.TokenVerifier {
	return func(_ context.Context, token string, _ *http.Request) (*sdkauth.TokenInfo, error) {
		id, secret, ok := strings.Cut(token, ":")
		a, known := keys.Lookup(id)
		if !ok || !known || subtle.ConstantTimeCompare([]byte(secret), []byte(a.Secret)) != 1 {
			return nil, fmt.Errorf("%w: want Authorization: Bearer ACCESS_KEY_ID:SECRET_ACCESS_KEY of a Tally key", sdkauth.ErrInvalidToken)
		}
		return &sdkauth.TokenInfo{UserID: a.AccessKeyID, Extra: map[string]any{accountKey: a}}, nil
	}
}

// RunStdio serves MCP on standard input and output until the client
// disconnects or ctx ends, acting for acct.
func RunStdio(ctx context.Context, cfg Config, acct auth.Account) error {
	return NewServer(cfg, &acct).Run(ctx, &sdk.StdioTransport{})
}
