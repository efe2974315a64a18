package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/store"
)

// Webhook posts alerts to HTTP(S) endpoints the operator configured
// (--webhook): as a Slack-compatible incoming-webhook payload,
// {"text": ...}, for endpoints marked slack, and as a plain JSON document
// (WebhookPayload) otherwise. With a Secret, every request is signed:
//
//	X-Tally-Timestamp: <Unix seconds>
//	X-Tally-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" under the secret>
//
// and X-Tally-Message-Id carries the message ID, which stays the same when
// a message is sent again, so a receiver can drop copies. Failures are
// retried through the outbox like SNS posts.
type Webhook struct {
	// Slack lists the endpoints (URLs) that take Slack's payload.
	Slack map[string]bool
	// Secret signs the requests; empty sends them unsigned.
	Secret []byte
	// Client sends the requests; nil means a client with a 30 second
	// timeout.
	Client *http.Client
	// Now stamps the signatures; nil means time.Now.
	Now func() time.Time
}

var _ Sender = (*Webhook)(nil)

// WebhookPayload is the JSON body posted to a plain webhook.
type WebhookPayload struct {
	ID      string    `json:"id"`
	Subject string    `json:"subject"`
	Message string    `json:"message"`
	Ref     string    `json:"ref"`
	Created time.Time `json:"created"`
}

// ParseWebhook reads a --webhook flag value: a URL, or slack=URL for a
// Slack-compatible endpoint.
func ParseWebhook(s string) (endpoint string, slack bool, err error) {
	endpoint = s
	if rest, ok := strings.CutPrefix(s, "slack="); ok {
		endpoint, slack = rest, true
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false, fmt.Errorf("webhook %q: want an http(s) URL, or slack=<URL> for a Slack-compatible endpoint", s)
	}
	return endpoint, slack, nil
}

// Sign returns the X-Tally-Signature of body sent at timestamp ts.
func Sign(secret []byte, ts string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Send posts m to its endpoint, m.Address.
func (w *Webhook) Send(ctx context.Context, m store.Message) error {
	var payload any = WebhookPayload{ID: m.ID, Subject: m.Subject, Message: m.Body, Ref: m.Ref, Created: m.Created.UTC()}
	if w.Slack[m.Address] {
		payload = map[string]string{"text": "*" + oneLine(m.Subject) + "*\n" + m.Body}
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return Permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.Address, bytes.NewReader(body))
	if err != nil {
		return Permanent(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Tally-Budgets-Webhook")
	req.Header.Set("X-Tally-Message-Id", m.ID)
	if len(w.Secret) > 0 {
		now := time.Now
		if w.Now != nil {
			now = w.Now
		}
		ts := strconv.FormatInt(now().Unix(), 10)
		req.Header.Set("X-Tally-Timestamp", ts)
		req.Header.Set("X-Tally-Signature", Sign(w.Secret, ts, body))
	}
	client := w.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook post to %s: %w", m.Address, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		return nil
	case code >= 400 && code < 500 && code != http.StatusRequestTimeout && code != http.StatusTooManyRequests:
		return Permanent(fmt.Errorf("webhook post to %s: %s", m.Address, resp.Status))
	default:
		return fmt.Errorf("webhook post to %s: %s", m.Address, resp.Status)
	}
}
