package notify

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/tallyhq/tally/internal/store"
)

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

// Sender delivers one message. An error wrapped with Permanent is not
// retried.
type Sender interface {
	Send(ctx context.Context, m store.Message) error
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
