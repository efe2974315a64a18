// Package pager cuts answers into pages and signs the tokens that continue
// them, for every paged operation of every service.
//
// A token carries the position where the next page starts and a digest of
// the request it continues: the operation, the request without its page
// token and page size (the PageKey apigen generates for each paged input)
// and whatever else it must not move between, such as the caller. A token
// presented with another request is ErrRequestChanged; a forged or damaged
// one is ErrInvalidToken; one older than Tokens.Lifetime is ErrExpired. Each
// service maps these errors to its modelled exceptions.
package pager

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Errors of Pager.Start.
var (
	// ErrInvalidToken is a token that is not one of ours, or whose position
	// lies outside the answer.
	ErrInvalidToken = errors.New("invalid page token")
	// ErrRequestChanged is a valid token presented with a different request.
	ErrRequestChanged = errors.New("request parameters changed between pages")
	// ErrExpired is a valid token older than Tokens.Lifetime.
	ErrExpired = errors.New("page token expired")
)

// Request is the input of a paged operation; apigen generates both methods
// for every input with a page token.
type Request interface {
	// PageToken returns the token of the page asked for: "" for the first.
	PageToken() string
	// PageKey returns the request without its page token and page size:
	// what the request's tokens are bound to.
	PageKey() any
}

// Tokens signs page tokens.
type Tokens struct {
	// Key is the HMAC key; keep it stable across restarts.
	Key []byte
	// Lifetime is how long a token stays valid; 0 means for ever.
	Lifetime time.Duration
}

// body is what a token carries, before its signature.
type body[P any] struct {
	Req    string `json:"r"` // request digest
	Pos    P      `json:"p"`
	Issued int64  `json:"t,omitempty"` // Unix seconds; only with a Lifetime
}

// Pager pages one request: Start says where its page starts and Next makes
// the token of the page that follows. P is the position type, such as an
// index or the key of the last item returned.
type Pager[P any] struct {
	tokens Tokens
	now    time.Time
	token  string
	digest string
	err    error
}

// New returns the pager of req, a request of operation op; scope names
// what else its tokens must not move between (such as the caller), "" for
// nothing.
func New[P any](t Tokens, now time.Time, op string, req Request, scope string) Pager[P] {
	p := Pager[P]{tokens: t, now: now, token: req.PageToken()}
	key, err := json.Marshal(req.PageKey())
	if err != nil {
		p.err = err
		return p
	}
	p.digest = digest(op, key, scope)
	return p
}

// Digest identifies the request, less its page token and page size: what
// its tokens are bound to. It can key a cache of the request's answer.
func (p Pager[P]) Digest() string { return p.digest }

// digest hashes what a token binds: op, the canonical bytes of the request
// without its token, and scope.
func digest(op string, key []byte, scope string) string {
	h := sha256.New()
	h.Write([]byte(op))
	h.Write([]byte{0})
	h.Write(key)
	h.Write([]byte{0})
	h.Write([]byte(scope))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:16])
}

// Start returns where the page starts: the zero P for the first page, or
// the position of the request's token.
func (p Pager[P]) Start() (P, error) {
	var b body[P]
	if p.err != nil || p.token == "" {
		return b.Pos, p.err
	}
	payload, sig, ok := strings.Cut(p.token, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(p.tokens.sign(payload))) {
		return b.Pos, ErrInvalidToken
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil || json.Unmarshal(raw, &b) != nil {
		return b.Pos, ErrInvalidToken
	}
	if b.Req != p.digest {
		return b.Pos, ErrRequestChanged
	}
	if p.tokens.Lifetime > 0 && p.now.Sub(time.Unix(b.Issued, 0)) > p.tokens.Lifetime {
		return b.Pos, ErrExpired
	}
	return b.Pos, nil
}

// Next returns the token of the page that starts at pos.
func (p Pager[P]) Next(pos P) *string {
	b := body[P]{Req: p.digest, Pos: pos}
	if p.tokens.Lifetime > 0 {
		b.Issued = p.now.Unix()
	}
	raw, err := json.Marshal(b)
	if err != nil { // positions are ints, strings and structs of them
		panic(err)
	}
	payload := base64.RawURLEncoding.EncodeToString(raw)
	token := payload + "." + p.tokens.sign(payload)
	return &token
}

func (t Tokens) sign(payload string) string {
	m := hmac.New(sha256.New, t.Key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
