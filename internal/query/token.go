package query

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
)

// Tokens signs and checks page tokens. A token binds a position to the
// request it came from, so a token replayed with other parameters is
// detected, and a forged or damaged one is rejected.
type Tokens struct {
	Key []byte // HMAC key; keep it stable across restarts
}

// ErrBadToken is a token that is not one of ours.
var ErrBadToken = errors.New("invalid page token")

// ErrRequestChanged is a valid token presented with a different request.
var ErrRequestChanged = errors.New("request parameters changed between pages")

type tokenBody struct {
	Req string   `json:"r"` // request digest
	Pos Position `json:"p"`
}

// Digest returns the request digest to bind tokens to: a hash of whatever
// canonical bytes identify the request, without its page token.
func Digest(canonical []byte) string {
	h := sha256.Sum256(canonical)
	return base64.RawURLEncoding.EncodeToString(h[:16])
}

// Make returns the token for position p of the request with digest req.
func (t Tokens) Make(req string, p Position) string {
	body, _ := json.Marshal(tokenBody{Req: req, Pos: p})
	payload := base64.RawURLEncoding.EncodeToString(body)
	return payload + "." + t.sign(payload)
}

// Parse checks a token against the request digest req.
func (t Tokens) Parse(token, req string) (Position, error) {
	payload, sig, ok := strings.Cut(token, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(t.sign(payload))) {
		return Position{}, ErrBadToken
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return Position{}, ErrBadToken
	}
	var b tokenBody
	if err := json.Unmarshal(raw, &b); err != nil || b.Pos.Bucket < 0 || b.Pos.Group < 0 {
		return Position{}, ErrBadToken
	}
	if b.Req != req {
		return Position{}, ErrRequestChanged
	}
	return b.Pos, nil
}

func (t Tokens) sign(payload string) string {
	m := hmac.New(sha256.New, t.Key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
