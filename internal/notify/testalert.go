package notify

import (
	"context"
	"fmt"
	"time"

	"github.com/tallyhq/tally/internal/store"
)

// TestResult is the outcome of one test alert.
type TestResult struct {
	Kind    store.MessageKind
	Address string
	// Err is why it was not delivered; nil when it was.
	Err error
}

// SendTest sends a test alert to each of to (their Kind and Address) at
// once, without the outbox, through senders, and reports each outcome.
// origin says who asked (`tally test-alert`, the web UI) and goes in the
// text and the message IDs.
func SendTest(ctx context.Context, senders map[store.MessageKind]Sender, to []store.Message, origin string, now time.Time) []TestResult {
	now = now.UTC()
	out := make([]TestResult, 0, len(to))
	for _, m := range to {
		m.ID = MessageID("test-alert", origin, now.Format(time.RFC3339Nano), string(m.Kind), m.Address)
		m.Subject = "Tally: test alert"
		m.Body = fmt.Sprintf("This is a test alert sent by %s at %s.\nBudget alerts will arrive here.\n", origin, now.Format(time.RFC1123))
		m.Ref, m.Created = "test-alert", now
		r := TestResult{Kind: m.Kind, Address: m.Address}
		if s, ok := senders[m.Kind]; !ok {
			r.Err = fmt.Errorf("no delivery of %s alerts is configured", m.Kind)
		} else {
			r.Err = s.Send(ctx, m)
		}
		out = append(out, r)
	}
	return out
}
