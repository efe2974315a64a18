package notify

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"
)

// Kind is how a message travels.
type Kind string

// The kinds of message, named as Budgets names subscription types.
const (
	Email Kind = "EMAIL"
	SNS   Kind = "SNS"
)

// Message is one alert to one recipient.
type Message struct {
	// ID identifies the message: the same event and recipient always give the
	// same ID (see MessageID), which makes enqueueing idempotent.
	ID   string
	Kind Kind
	// Address is an email address (Email) or an SNS topic ARN (SNS).
	Address string
	Subject string
	// Body is plain text: the email body or the SNS Message.
	Body string
	// Ref names what the message is about, for the delivery log, such as
	// "123456789012/monthly-budget".
	Ref string
	// Created is when the event happened; it is the email Date and the SNS
	// Timestamp, so that every attempt sends the same bytes.
	Created time.Time
}

// MessageID derives a message ID from the parts that identify an event and
// a recipient. It is formatted as a UUID, the form of SNS MessageIds.
func MessageID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s;", len(p), p)
	}
	b := h.Sum(nil)
	b[6] = b[6]&0x0f | 0x50 // version 5 style: name-based
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Pending is a message waiting to be sent.
type Pending struct {
	Message
	// Attempts made so far.
	Attempts int
}

// Outcome is the result of one delivery attempt.
type Outcome string

// The outcomes of an attempt.
const (
	// Sent: the receiver accepted the message.
	Sent Outcome = "sent"
	// Retry: a transient failure; the message is tried again later.
	Retry Outcome = "retry"
	// Failed: a permanent failure, or the last allowed attempt failed; the
	// message is not tried again.
	Failed Outcome = "failed"
)

// Attempt is one delivery attempt of a pending message.
type Attempt struct {
	ID      string
	Number  int // 1 for the first attempt
	At      time.Time
	Outcome Outcome
	Error   string    // "" when sent
	Next    time.Time // when to try again, for Retry
}

// LogEntry is one line of the delivery log: an attempt with what it was
// about.
type LogEntry struct {
	Attempt
	Kind    Kind
	Address string
	Ref     string
	Subject string
}

// Outbox stores messages until they are delivered, and the log of every
// attempt. Implementations MUST be safe for concurrent use and MUST make
// Enqueue idempotent per message ID and Record a no-op for a message that is
// no longer pending, so that a replayed step never sends or logs twice.
type Outbox interface {
	// Enqueue adds messages; an ID already in the outbox is left alone.
	Enqueue(ctx context.Context, msgs ...Message) error
	// Due returns up to limit pending messages whose next attempt is at or
	// before t, oldest first.
	Due(ctx context.Context, t time.Time, limit int) ([]Pending, error)
	// Record stores the outcome of an attempt and appends it to the delivery
	// log, in one transaction.
	Record(ctx context.Context, a Attempt) error
	// Log returns the delivery log, oldest attempt first.
	Log(ctx context.Context) ([]LogEntry, error)
}

// Sender delivers one message. An error wrapped with Permanent is not
// retried.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// permanentError marks a failure that retrying cannot fix.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks err as a failure that retrying cannot fix.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}
