package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/store"
)

// topicARN is the form of an SNS topic ARN.
var topicARN = regexp.MustCompile(`^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$`)

// ValidTopicARN reports whether s has the form of an SNS topic ARN.
func ValidTopicARN(s string) bool { return topicARN.MatchString(s) }

// ParseEndpoint reads a flag value of the form <topic ARN>=<http(s) URL>.
func ParseEndpoint(s string) (topic, endpoint string, err error) {
	topic, endpoint, ok := strings.Cut(s, "=")
	if !ok || !ValidTopicARN(topic) {
		return "", "", fmt.Errorf("SNS endpoint %q: want <topic ARN>=<http(s) URL>, such as arn:aws:sns:us-east-1:123456789012:alerts=http://127.0.0.1:9000/hook", s)
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", "", fmt.Errorf("SNS endpoint %q: %q is not an http(s) URL", s, endpoint)
	}
	return topic, endpoint, nil
}

// SNSHTTP posts SNS notifications to the HTTP(S) endpoint configured for
// each topic, as SNS does for an HTTP subscription: a JSON body in SNS's
// notification format with the x-amz-sns-* headers. Tally cannot sign with
// AWS's key, so Signature and SigningCertURL are empty; a receiver that
// verifies signatures must be told to skip that for Tally's topics.
type SNSHTTP struct {
	// Endpoints maps topic ARNs to URLs.
	Endpoints map[string]string
	// Client sends the requests; nil means a client with a 30 second
	// timeout.
	Client *http.Client
}

var _ Sender = (*SNSHTTP)(nil)

// SNSNotification is the JSON body of an SNS HTTP notification.
type SNSNotification struct {
	Type             string
	MessageID        string `json:"MessageId"`
	TopicARN         string `json:"TopicArn"`
	Subject          string `json:",omitempty"`
	Message          string
	Timestamp        string
	SignatureVersion string
	Signature        string
	SigningCertURL   string
	UnsubscribeURL   string
}

// Send posts m to the endpoint of its topic. A missing endpoint is retried,
// so that messages survive until the operator configures it.
func (s *SNSHTTP) Send(ctx context.Context, m store.Message) error {
	endpoint, ok := s.Endpoints[m.Address]
	if !ok {
		return fmt.Errorf("no SNS endpoint configured for topic %s: start tally with --sns-endpoint %s=<URL>", m.Address, m.Address)
	}
	body, err := json.Marshal(Notification(m))
	if err != nil {
		return Permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return Permanent(err)
	}
	req.Header.Set("Content-Type", "text/plain; charset=UTF-8")
	req.Header.Set("x-amz-sns-message-type", "Notification")
	req.Header.Set("x-amz-sns-message-id", m.ID)
	req.Header.Set("x-amz-sns-topic-arn", m.Address)
	req.Header.Set("User-Agent", "Amazon Simple Notification Service Agent")
	client := s.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("sns post to %s: %w", endpoint, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		return nil
	case code >= 400 && code < 500 && code != http.StatusRequestTimeout && code != http.StatusTooManyRequests:
		return Permanent(fmt.Errorf("sns post to %s: %s", endpoint, resp.Status))
	default:
		return fmt.Errorf("sns post to %s: %s", endpoint, resp.Status)
	}
}

// Notification returns the SNS notification of m. SNS subjects are at most
// 100 characters.
func Notification(m store.Message) SNSNotification {
	subject := oneLine(m.Subject)
	if r := []rune(subject); len(r) > 100 {
		subject = string(r[:100])
	}
	return SNSNotification{
		Type:             "Notification",
		MessageID:        m.ID,
		TopicARN:         m.Address,
		Subject:          subject,
		Message:          m.Body,
		Timestamp:        m.Created.UTC().Format("2006-01-02T15:04:05.000Z"),
		SignatureVersion: "1",
	}
}
