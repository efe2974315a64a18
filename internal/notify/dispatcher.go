package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/tallyhq/tally/internal/store"
)

// DispatcherConfig configures a Dispatcher. Zero durations and counts take
// the defaults in parentheses.
type DispatcherConfig struct {
	Outbox store.Outbox
	// Senders deliver each kind of message; a kind without a sender is
	// retried until one is configured or MaxAttempts runs out.
	Senders map[store.MessageKind]Sender
	// Now is the clock that stamps attempts and schedules retries.
	Now    func() time.Time
	Logger *slog.Logger
	// RetryBase is the wait after the first failure (30s); it doubles after
	// each failure up to RetryMax (1h).
	RetryBase, RetryMax time.Duration
	// MaxAttempts is how many transient failures end in Failed (20, about
	// fourteen hours of retries).
	MaxAttempts int
	// Poll is how often, in wall-clock time, the dispatcher looks for retries
	// that fell due (1s).
	Poll time.Duration
	// Batch bounds the messages handled in one pass (500).
	Batch int
}

// Dispatcher sends the outbox's due messages, one at a time, and records
// each attempt.
type Dispatcher struct {
	cfg  DispatcherConfig
	wake chan struct{}
}

// NewDispatcher returns a Dispatcher; call Run to start it.
func NewDispatcher(cfg DispatcherConfig) *Dispatcher {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = 30 * time.Second
	}
	if cfg.RetryMax <= 0 {
		cfg.RetryMax = time.Hour
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 20
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 500
	}
	return &Dispatcher{cfg: cfg, wake: make(chan struct{}, 1)}
}

// Kick wakes the dispatcher after messages were enqueued. It never blocks,
// and does nothing harmful when the dispatcher is not running.
func (d *Dispatcher) Kick() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// restartHorizon makes the first pass after a start see every pending
// message, whatever its backoff.
var restartHorizon = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// Run delivers until ctx ends. Its first pass retries every pending message:
// a restart is the moment an operator has fixed what made them fail.
func (d *Dispatcher) Run(ctx context.Context) {
	d.pass(ctx, restartHorizon)
	t := time.NewTicker(d.cfg.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-d.wake:
		}
		d.pass(ctx, d.cfg.Now())
	}
}

// Flush makes one pass over the messages due now and reports how many it
// attempted.
func (d *Dispatcher) Flush(ctx context.Context) (int, error) {
	return d.pass(ctx, d.cfg.Now())
}

func (d *Dispatcher) pass(ctx context.Context, due time.Time) (int, error) {
	ps, err := d.cfg.Outbox.Due(ctx, due, d.cfg.Batch)
	if err != nil {
		if ctx.Err() == nil {
			d.cfg.Logger.Error("notify: read outbox", "err", err)
		}
		return 0, err
	}
	for i, p := range ps {
		if ctx.Err() != nil {
			return i, ctx.Err()
		}
		if err := d.attempt(ctx, p); err != nil {
			d.cfg.Logger.Error("notify: record attempt", "id", p.ID, "err", err)
			return i + 1, err
		}
	}
	return len(ps), nil
}

// attempt sends one message and records the outcome, also when ctx ends
// during the send: the outcome must not be lost with the context.
func (d *Dispatcher) attempt(ctx context.Context, p store.Pending) error {
	var err error
	s := d.cfg.Senders[p.Kind]
	if s != nil {
		err = s.Send(ctx, p.Message)
	} else {
		err = fmt.Errorf("no sender configured for %s messages", p.Kind)
	}
	a := store.Attempt{ID: p.ID, Number: p.Attempts + 1, At: d.cfg.Now().UTC()}
	if _, unconfigured := s.(unconfigured); unconfigured || s == nil {
		// Nothing can deliver it until an operator configures delivery and
		// restarts (the first pass after a start retries every message):
		// record the reason once and let it wait, without using up attempts.
		a.Outcome, a.Error, a.Next = store.Retry, err.Error(), restartHorizon
		d.cfg.Logger.Info("notify: no delivery configured; the message waits in the outbox", "id", p.ID, "kind", p.Kind, "to", p.Address, "reason", err)
		return d.cfg.Outbox.Record(context.WithoutCancel(ctx), a)
	}
	switch {
	case err == nil:
		a.Outcome = store.Sent
	case IsPermanent(err) || a.Number >= d.cfg.MaxAttempts:
		a.Outcome, a.Error = store.Failed, err.Error()
	default:
		a.Outcome, a.Error, a.Next = store.Retry, err.Error(), a.At.Add(d.backoff(a.Number))
	}
	log := d.cfg.Logger.With("id", p.ID, "kind", p.Kind, "to", p.Address, "ref", p.Ref, "attempt", a.Number)
	switch a.Outcome {
	case store.Sent:
		log.Info("notify: delivered")
	case store.Retry:
		log.Warn("notify: delivery failed, will retry", "err", err, "next", a.Next)
	default:
		log.Error("notify: delivery failed for good", "err", err)
	}
	return d.cfg.Outbox.Record(context.WithoutCancel(ctx), a)
}

// backoff is the wait after the n-th failed attempt.
func (d *Dispatcher) backoff(n int) time.Duration {
	w := d.cfg.RetryBase
	for i := 1; i < n && w < d.cfg.RetryMax; i++ {
		w *= 2
	}
	return min(w, d.cfg.RetryMax)
}

// Unconfigured is a Sender for a kind of message that has no delivery
// configured: every attempt fails with reason, transiently, so the messages
// wait for the operator.
func Unconfigured(reason string) Sender { return unconfigured(reason) }

type unconfigured string

func (u unconfigured) Send(context.Context, store.Message) error { return errors.New(string(u)) }
