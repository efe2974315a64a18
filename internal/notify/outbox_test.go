package notify_test

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/tallyhq/tally/internal/store"
)

// memOutbox is an in-memory Outbox with the contract's idempotency.
type memOutbox struct {
	mu    sync.Mutex
	msgs  map[string]*memEntry
	order []string
	log   []store.LogEntry
}

type memEntry struct {
	msg      store.Message
	status   store.Outcome // "" while pending
	attempts int
	next     time.Time
}

var _ store.Outbox = (*memOutbox)(nil)

func newMemOutbox() *memOutbox { return &memOutbox{msgs: map[string]*memEntry{}} }

func (o *memOutbox) Enqueue(_ context.Context, msgs ...store.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, m := range msgs {
		if _, ok := o.msgs[m.ID]; ok {
			continue
		}
		o.msgs[m.ID] = &memEntry{msg: m, next: m.Created}
		o.order = append(o.order, m.ID)
	}
	return nil
}

func (o *memOutbox) Due(_ context.Context, t time.Time, limit int) ([]store.Pending, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []store.Pending
	for _, id := range o.order {
		e := o.msgs[id]
		if e.status == "" && !e.next.After(t) && len(out) < limit {
			out = append(out, store.Pending{Message: e.msg, Attempts: e.attempts})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, nil
}

func (o *memOutbox) Record(_ context.Context, a store.Attempt) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	e, ok := o.msgs[a.ID]
	if !ok || e.status != "" {
		return nil
	}
	e.attempts = a.Number
	switch a.Outcome {
	case store.Retry:
		e.next = a.Next
	default:
		e.status = a.Outcome
	}
	o.log = append(o.log, store.LogEntry{Attempt: a, Kind: e.msg.Kind, Address: e.msg.Address, Ref: e.msg.Ref, Subject: e.msg.Subject})
	return nil
}

func (o *memOutbox) Log(context.Context) ([]store.LogEntry, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]store.LogEntry(nil), o.log...), nil
}
