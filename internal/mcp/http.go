package mcp

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"

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
func Handler(cfg Config, keys *auth.Keys) http.Handler {
	srv := NewServer(cfg, nil)
	h := sdk.NewStreamableHTTPHandler(func(*http.Request) *sdk.Server { return srv }, nil)
	protected := sdkauth.RequireBearerToken(verifier(keys), &sdkauth.RequireBearerTokenOptions{AllowMissingExpiration: true})(h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if keys.Test && r.Header.Get("Authorization") == "" {
			r = r.Clone(r.Context())
			r.Header.Set("Authorization", "Bearer test:test")
		}
		protected.ServeHTTP(w, r)
	})
}

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
