package store

import (
	"context"
	"time"
)

// MessageKind is how an alert message travels.
type MessageKind string

// The kinds of message, named as Budgets names subscription types; Webhook
// is Tally's own (an operator-configured endpoint, see notify.Webhook).
const (
	Email   MessageKind = "EMAIL"
	SNS     MessageKind = "SNS"
	Webhook MessageKind = "WEBHOOK"
)

// Message is one alert to one recipient.
type Message struct {
	// ID identifies the message: the same event and recipient always give the
	// same ID (see notify.MessageID), which makes enqueueing idempotent.
	ID   string
	Kind MessageKind
	// Address is an email address (Email), an SNS topic ARN (SNS) or a
	// URL (Webhook).
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
	// Failed: a permanent failure, or the last allowed attempt
	// failed; the message is not tried again.
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
	Kind    MessageKind
	Address string
	Ref     string
	Subject string
}

// Outbox stores alert messages until they are delivered, and the log of
// every attempt. Implementations MUST be safe for concurrent use and MUST
// make Enqueue idempotent per message ID and Record a no-op for a message
// that is no longer pending, so that a replayed step never sends or logs
// twice.
type Outbox interface {
	// Enqueue adds messages; an ID already in the outbox is left alone.
	Enqueue(ctx context.Context, msgs ...Message) error
	// Due returns up to limit pending messages whose next attempt is at or
	// before t, oldest first (by Created, then ID).
	Due(ctx context.Context, t time.Time, limit int) ([]Pending, error)
	// Record stores the outcome of an attempt and appends it to the delivery
	// log, in one transaction. A Retry attempt makes the message due again
	// at its Next; Sent and Failed end it.
	Record(ctx context.Context, a Attempt) error
	// Log returns the delivery log, oldest attempt first.
	Log(ctx context.Context) ([]LogEntry, error)
}
