package budgets

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// NextTokens are signed and bound to the request they continue: the
// operation, the account and the object listed. A token from another
// request, or a damaged one, is InvalidNextTokenException; one older than
// tokenLifetime is ExpiredNextTokenException.

// tokenLifetime is how long a NextToken stays valid.
const tokenLifetime = 24 * time.Hour

type pageToken struct {
	Req    string `json:"r"` // the request's identity
	After  string `json:"a"` // key of the last item returned
	Issued int64  `json:"t"` // Unix seconds
}

// pager pages one listing.
type pager struct {
	key []byte
	req string
	now time.Time
}

func (s *Service) pager(parts ...string) pager {
	return pager{key: s.cfg.TokenKey, req: strings.Join(parts, "\x00"), now: s.now()}
}

func (p pager) sign(payload string) string {
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (p pager) make(after string) *string {
	body, _ := json.Marshal(pageToken{Req: p.req, After: after, Issued: p.now.Unix()})
	payload := base64.RawURLEncoding.EncodeToString(body)
	return ptr(payload + "." + p.sign(payload))
}

// parse returns where the page starts: "" for the first page.
func (p pager) parse(token *string) (string, error) {
	if token == nil || *token == "" {
		return "", nil
	}
	bad := NewInvalidNextTokenException("the pagination token is invalid: pass the NextToken of the previous response to the same request")
	payload, sig, ok := strings.Cut(*token, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(p.sign(payload))) {
		return "", bad
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	var t pageToken
	if err != nil || json.Unmarshal(raw, &t) != nil || t.Req != p.req {
		return "", bad
	}
	if p.now.Sub(time.Unix(t.Issued, 0)) > tokenLifetime {
		return "", NewExpiredNextTokenException(fmt.Sprintf("the pagination token expired: tokens are valid for %s", tokenLifetime))
	}
	return t.After, nil
}

// paginate returns the page of items (sorted by key) after the token's
// position, at most max of them, and the token of the next page.
func paginate[T any](p pager, items []T, key func(T) string, token *string, max int) ([]T, *string, error) {
	after, err := p.parse(token)
	if err != nil {
		return nil, nil, err
	}
	i := 0
	if after != "" {
		for i < len(items) && key(items[i]) <= after {
			i++
		}
	}
	end := min(len(items), i+max)
	var next *string
	if end < len(items) {
		next = p.make(key(items[end-1]))
	}
	return items[i:end], next, nil
}

// position is the key of the i-th item of a list kept in its own order.
func position(i int) string { return fmt.Sprintf("%08d", i) }

// maxResults returns the page size asked for, or def.
func maxResults(n *int32, def int) int {
	if n == nil || *n <= 0 {
		return def
	}
	return int(*n)
}
