package backfill

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/tallyhq/tally/internal/store"
)

// Config wires a Runner.
type Config struct {
	Store store.BackfillStore
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Every is the least time between two accepted requests (AWS: 24
	// hours); 0 means no limit.
	Every time.Duration
	// Logger receives a line per job; nil discards them.
	Logger *slog.Logger
}

// TooSoonError is ErrTooSoon with the times that explain it.
type TooSoonError struct {
	// Previous is when the last request was accepted; Next is the first
	// moment another one will be.
	Previous, Next time.Time
}

func (e *TooSoonError) Error() string {
	return fmt.Sprintf("backfill requested too soon: the previous request was at %s, the next may be made from %s",
		e.Previous.UTC().Format(time.RFC3339), e.Next.UTC().Format(time.RFC3339))
}

// Is makes errors.Is(err, ErrTooSoon) hold.
func (e *TooSoonError) Is(target error) bool { return target == ErrTooSoon }

// retryEvery is how often the runner looks for PROCESSING jobs again after a
// storage error kept it from running them.
const retryEvery = time.Minute

// Runner accepts backfill requests and runs them one at a time in its own
// goroutine. Submit works before Start (the job then waits for Start); Start
// also picks up the jobs a previous process left PROCESSING.
type Runner struct {
	cfg Config

	submit sync.Mutex // serialises Submit, so the seed rules see every request

	mu      sync.Mutex // guards the fields below
	gate    func(context.Context, store.Backfill) error
	cancel  context.CancelFunc
	stopped chan struct{}
	ended   chan struct{} // closed and replaced whenever a job ends
	wake    chan struct{}
}

// New returns a Runner that is not started.
func New(cfg Config) *Runner {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Runner{cfg: cfg, ended: make(chan struct{}), wake: make(chan struct{}, 1)}
}

// Gate makes every job call g and wait for it before it runs. When g fails
// the job fails with g's error as its reason, unless the runner is stopping:
// then the job stays PROCESSING for the next start. Tests use it to hold a
// job; it applies to the jobs run after the call.
func (r *Runner) Gate(g func(ctx context.Context, req store.Backfill) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gate = g
}

// Start runs the jobs in a goroutine until Stop, beginning with those left
// PROCESSING. Starting a started runner does nothing.
func (r *Runner) Start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cancel != nil {
		return nil
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r.cancel, r.stopped = cancel, make(chan struct{})
	go r.loop(ctx, r.stopped)
	r.kick()
	return nil
}

// Stop ends the goroutine and waits for it. A job it interrupts stays
// PROCESSING and is resumed by the next Start.
func (r *Runner) Stop() {
	r.mu.Lock()
	cancel, stopped := r.cancel, r.stopped
	r.cancel = nil
	r.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-stopped
}

// Submit accepts a backfill of payer from the month from, under AWS's
// rules, which apply to each payer's requests alone: while one of payer's
// requests is processing it fails with ErrInProgress (and returns that
// request); when none of payer's tag statuses changed since its last
// successful request it starts nothing and returns that request with started
// false; a request less than Every after payer's previous one fails with a
// *TooSoonError.
func (r *Runner) Submit(ctx context.Context, payer string, from time.Time) (req store.Backfill, started bool, err error) {
	r.submit.Lock()
	defer r.submit.Unlock()
	st := r.cfg.Store
	history, err := History(ctx, st, payer)
	if err != nil {
		return store.Backfill{}, false, err
	}
	for _, h := range history {
		if h.Status == store.BackfillProcessing {
			return h, false, fmt.Errorf("%w: the request made at %s has not completed", ErrInProgress, h.RequestedAt.UTC().Format(time.RFC3339))
		}
	}
	version, err := st.TagStatusVersion(ctx, payer)
	if err != nil {
		return store.Backfill{}, false, err
	}
	for _, h := range history {
		if h.Status == store.BackfillSucceeded {
			if h.Version == version {
				return h, false, nil
			}
			break
		}
	}
	now := r.cfg.Now().UTC()
	if r.cfg.Every > 0 && len(history) > 0 {
		if next := history[0].RequestedAt.Add(r.cfg.Every); now.Before(next) {
			return store.Backfill{}, false, &TooSoonError{Previous: history[0].RequestedAt, Next: next}
		}
	}
	req, err = st.CreateBackfill(ctx, payer, from, now)
	if errors.Is(err, store.ErrBackfillInProgress) {
		// Another node accepted one since History was read.
		return store.Backfill{}, false, fmt.Errorf("%w: %v", ErrInProgress, err)
	}
	if err != nil {
		return store.Backfill{}, false, err
	}
	r.cfg.Logger.Info("tag backfill requested", "id", req.ID, "payer", payer, "from", from.Format("2006-01"))
	r.kick()
	return req, true, nil
}

// History lists payer's backfill requests, newest first.
func History(ctx context.Context, st store.BackfillStore, payer string) ([]store.Backfill, error) {
	all, err := st.Backfills(ctx)
	if err != nil {
		return nil, err
	}
	var out []store.Backfill
	for _, h := range all {
		if h.Payer == payer {
			out = append(out, h)
		}
	}
	return out, nil
}

// Wait returns request id once it is no longer PROCESSING, or ctx's error.
func (r *Runner) Wait(ctx context.Context, id int64) (store.Backfill, error) {
	for {
		r.mu.Lock()
		ended := r.ended
		r.mu.Unlock()
		history, err := r.cfg.Store.Backfills(ctx)
		if err != nil {
			return store.Backfill{}, err
		}
		var req store.Backfill
		found := false
		for _, h := range history {
			if h.ID == id {
				req, found = h, true
			}
		}
		if !found {
			return store.Backfill{}, fmt.Errorf("backfill: no request %d", id)
		}
		if req.Status != store.BackfillProcessing {
			return req, nil
		}
		select {
		case <-ended:
		case <-ctx.Done():
			return req, ctx.Err()
		}
	}
}

// kick wakes the loop without blocking.
func (r *Runner) kick() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *Runner) loop(ctx context.Context, stopped chan struct{}) {
	defer close(stopped)
	retry := time.NewTicker(retryEvery)
	defer retry.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-retry.C:
		}
		if ctx.Err() != nil {
			// A wake-up that raced with Stop must not start (and count an
			// attempt of) a job.
			return
		}
		if err := r.runPending(ctx); err != nil && ctx.Err() == nil {
			r.cfg.Logger.Error("tag backfill: cannot read the pending jobs; retrying", "err", err)
		}
	}
}

// runPending runs every PROCESSING job, oldest first.
func (r *Runner) runPending(ctx context.Context) error {
	history, err := r.cfg.Store.Backfills(ctx)
	if err != nil {
		return err
	}
	for i := len(history) - 1; i >= 0; i-- {
		if history[i].Status != store.BackfillProcessing {
			continue
		}
		if ctx.Err() != nil {
			return nil
		}
		if err := r.run(ctx, history[i]); err != nil {
			return err
		}
	}
	return nil
}

// run runs one job. It returns an error only when the job could not be
// finished either way and stays PROCESSING.
func (r *Runner) run(ctx context.Context, req store.Backfill) error {
	log := r.cfg.Logger.With("id", req.ID, "payer", req.Payer, "from", req.From.Format("2006-01"))
	n, err := r.cfg.Store.BeginBackfill(ctx, req.ID)
	if errors.Is(err, store.ErrLeased) {
		// Another node runs it; should that node die, the job is taken
		// over here once its lease has run out.
		log.Debug("tag backfill runs on another node")
		return nil
	}
	if err != nil {
		return err
	}
	if n > MaxAttempts {
		return r.fail(ctx, log, req, fmt.Sprintf("the job was interrupted %d times", n-1))
	}
	if n > 1 {
		log.Info("resuming an interrupted tag backfill", "attempt", n)
	}
	r.mu.Lock()
	gate := r.gate
	r.mu.Unlock()
	if gate != nil {
		if err := gate(ctx, req); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return r.fail(ctx, log, req, err.Error())
		}
	}
	if err := r.cfg.Store.ApplyBackfill(ctx, req.ID, r.cfg.Now().UTC()); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return r.fail(ctx, log, req, "applying the tag statuses failed: "+err.Error())
	}
	log.Info("tag backfill succeeded")
	r.notifyEnded()
	return nil
}

func (r *Runner) fail(ctx context.Context, log *slog.Logger, req store.Backfill, reason string) error {
	if err := r.cfg.Store.FailBackfill(ctx, req.ID, reason, r.cfg.Now().UTC()); err != nil {
		return errors.Join(fmt.Errorf("backfill %d: %s", req.ID, reason), err)
	}
	log.Warn("tag backfill failed", "reason", reason)
	r.notifyEnded()
	return nil
}

// notifyEnded tells waiters that a job ended.
func (r *Runner) notifyEnded() {
	r.mu.Lock()
	defer r.mu.Unlock()
	close(r.ended)
	r.ended = make(chan struct{})
}
