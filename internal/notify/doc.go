// Package notify delivers alert messages: email through an SMTP server and
// Amazon SNS notifications posted to an HTTP(S) endpoint configured per topic
// ARN.
//
// Messages go through an outbox. A producer writes a message to the outbox in
// the same transaction as the event that caused it (a budget notification
// crossing its threshold), so an event is never recorded without its
// messages nor the reverse. A Dispatcher then sends what is due, records every
// attempt in the delivery log and retries failures with exponential backoff.
//
// Guarantees, and their limits:
//
//   - Nothing is lost: a message stays pending until a send succeeds or it
//     fails permanently (a 5xx SMTP reply, a 4xx HTTP status other than 408
//     and 429, or MaxAttempts transient failures). A restart resumes every
//     pending message at once, whatever its backoff said.
//   - Nothing is queued twice: a message's ID is derived from the event and
//     the recipient, and enqueueing an ID that exists does nothing.
//   - Delivery is at-least-once, as any delivery to an outside receiver is:
//     a crash after the receiver accepted a message and before the outcome
//     was written sends it again after the restart. Every send of an outbox
//     entry carries the same Message-ID header (email) and MessageId (SNS),
//     derived from the entry's ID, and the same Date/Timestamp, so receivers
//     drop the copy by that id.
package notify
