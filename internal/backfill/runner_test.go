package backfill_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/backfill"
	"github.com/tallyhq/tally/internal/store"
)

// memStore is a store.BackfillStore in memory. applyErr makes ApplyBackfill fail.
// Every payer shares one tag status version, unless versions sets a payer's.
type memStore struct {
	mu       sync.Mutex
	version  int64
	versions map[string]int64
	reqs     []store.Backfill // oldest first
	applied  []int64
	applyErr error
}

func (m *memStore) TagStatusVersion(_ context.Context, payer string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.versions[payer]; ok {
		return v, nil
	}
	return m.version, nil
}

func (m *memStore) CreateBackfill(ctx context.Context, payer string, from, at time.Time) (store.Backfill, error) {
	v, _ := m.TagStatusVersion(ctx, payer)
	m.mu.Lock()
	defer m.mu.Unlock()
	r := store.Backfill{ID: int64(len(m.reqs) + 1), Payer: payer, From: from, RequestedAt: at, LastUpdatedAt: at,
		Status: store.BackfillProcessing, Version: v}
	m.reqs = append(m.reqs, r)
	return r, nil
}

func (m *memStore) Backfills(context.Context) ([]store.Backfill, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]store.Backfill, len(m.reqs))
	for i, r := range m.reqs {
		out[len(m.reqs)-1-i] = r
	}
	return out, nil
}

func (m *memStore) processing(id int64) (*store.Backfill, error) {
	if id < 1 || int(id) > len(m.reqs) || m.reqs[id-1].Status != store.BackfillProcessing {
		return nil, errors.New("not processing")
	}
	return &m.reqs[id-1], nil
}

func (m *memStore) BeginBackfill(_ context.Context, id int64) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, err := m.processing(id)
	if err != nil {
		return 0, err
	}
	r.Attempts++
	return r.Attempts, nil
}

func (m *memStore) ApplyBackfill(_ context.Context, id int64, done time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.applyErr != nil {
		return m.applyErr
	}
	r, err := m.processing(id)
	if err != nil {
		return err
	}
	r.Status, r.CompletedAt, r.LastUpdatedAt = store.BackfillSucceeded, done, done
	m.applied = append(m.applied, id)
	return nil
}

func (m *memStore) FailBackfill(_ context.Context, id int64, reason string, done time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, err := m.processing(id)
	if err != nil {
		return err
	}
	r.Status, r.Reason, r.CompletedAt, r.LastUpdatedAt = store.BackfillFailed, reason, done, done
	return nil
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const payer = "111111111111"

var (
	t0  = time.Date(2024, 11, 20, 8, 0, 0, 0, time.UTC)
	oct = time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC)
)

func newRunner(t *testing.T, st store.BackfillStore, c *clock) *backfill.Runner {
	t.Helper()
	r := backfill.New(backfill.Config{Store: st, Now: c.Now, Every: 24 * time.Hour})
	t.Cleanup(r.Stop)
	return r
}

func wait(t *testing.T, r *backfill.Runner, id int64) store.Backfill {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := r.Wait(ctx, id)
	if err != nil {
		t.Fatalf("Wait(%d): %v", id, err)
	}
	return req
}

func TestSubmitRules(t *testing.T) {
	ctx := context.Background()
	st := &memStore{}
	c := &clock{t: t0}
	r := newRunner(t, st, c)
	// Before Start the job waits, so a second request finds it processing.
	first, started, err := r.Submit(ctx, payer, oct)
	if err != nil || !started || first.Status != store.BackfillProcessing {
		t.Fatalf("Submit = %+v, %v, %v; want a started PROCESSING request", first, started, err)
	}
	if _, _, err := r.Submit(ctx, payer, oct); !errors.Is(err, backfill.ErrInProgress) {
		t.Errorf("Submit while processing: err = %v, want ErrInProgress", err)
	}
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if got := wait(t, r, first.ID); got.Status != store.BackfillSucceeded || !got.CompletedAt.Equal(t0) {
		t.Errorf("first request ended %+v, want SUCCEEDED at %s", got, t0)
	}

	// Without a status change, the last successful request comes back, even
	// within 24 hours.
	c.Add(time.Hour)
	got, started, err := r.Submit(ctx, payer, oct)
	if err != nil || started || got.ID != first.ID {
		t.Errorf("Submit without changes = %+v, %v, %v; want request %d, not started", got, started, err, first.ID)
	}
	// After a change, a request within 24 hours of the previous one is
	// refused...
	st.mu.Lock()
	st.version++
	st.mu.Unlock()
	_, _, err = r.Submit(ctx, payer, oct)
	var tooSoon *backfill.TooSoonError
	if !errors.As(err, &tooSoon) || !errors.Is(err, backfill.ErrTooSoon) || !tooSoon.Next.Equal(t0.Add(24*time.Hour)) {
		t.Errorf("Submit within 24h: err = %v, want TooSoonError with Next %s", err, t0.Add(24*time.Hour))
	}
	// ...and accepted after.
	c.Add(23 * time.Hour)
	second, started, err := r.Submit(ctx, payer, oct)
	if err != nil || !started || second.ID != 2 {
		t.Fatalf("Submit after 24h = %+v, %v, %v; want request 2 started", second, started, err)
	}
	wait(t, r, second.ID)
	if diff := cmp.Diff([]int64{1, 2}, st.applied); diff != "" {
		t.Errorf("applied (-want +got):\n%s", diff)
	}
}

func TestNoLimitWithoutEvery(t *testing.T) {
	ctx := context.Background()
	st := &memStore{}
	c := &clock{t: t0}
	r := backfill.New(backfill.Config{Store: st, Now: c.Now})
	defer r.Stop()
	r.Start(ctx)
	for i := int64(1); i <= 3; i++ {
		req, started, err := r.Submit(ctx, payer, oct)
		if err != nil || !started {
			t.Fatalf("request %d: %v, started %v", i, err, started)
		}
		wait(t, r, req.ID)
		st.mu.Lock()
		st.version++
		st.mu.Unlock()
	}
}

func TestFailedJobs(t *testing.T) {
	ctx := context.Background()
	st := &memStore{applyErr: errors.New("disk on fire")}
	c := &clock{t: t0}
	r := newRunner(t, st, c)
	r.Start(ctx)
	req, _, err := r.Submit(ctx, payer, oct)
	if err != nil {
		t.Fatal(err)
	}
	got := wait(t, r, req.ID)
	want := store.Backfill{ID: 1, Payer: payer, From: oct, RequestedAt: t0, CompletedAt: t0, LastUpdatedAt: t0,
		Status: store.BackfillFailed, Reason: "applying the tag statuses failed: disk on fire", Attempts: 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("failed job (-want +got):\n%s", diff)
	}
	// A failed request still counts for the 24-hour rule.
	st.mu.Lock()
	st.version++
	st.mu.Unlock()
	if _, _, err := r.Submit(ctx, payer, oct); !errors.Is(err, backfill.ErrTooSoon) {
		t.Errorf("Submit after a failure within 24h: err = %v, want ErrTooSoon", err)
	}
}

func TestGate(t *testing.T) {
	ctx := context.Background()
	st := &memStore{}
	r := newRunner(t, st, &clock{t: t0})
	release := make(chan error)
	held := make(chan struct{}, 1)
	r.Gate(func(ctx context.Context, _ store.Backfill) error {
		held <- struct{}{}
		select {
		case err := <-release:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	r.Start(ctx)
	req, _, _ := r.Submit(ctx, payer, oct)
	<-held
	if h, _ := st.Backfills(ctx); h[0].Status != store.BackfillProcessing {
		t.Errorf("held job is %s, want PROCESSING", h[0].Status)
	}
	release <- errors.New("operator said no")
	if got := wait(t, r, req.ID); got.Status != store.BackfillFailed || got.Reason != "operator said no" {
		t.Errorf("gate failure ended %+v, want FAILED with the gate's error", got)
	}
}

// TestResume stops runners while a job is held, as a restart does: the job
// stays PROCESSING, the next runner resumes it, and after MaxAttempts
// interrupted starts it is marked FAILED instead.
func TestResume(t *testing.T) {
	ctx := context.Background()
	st := &memStore{}
	hold := func(r *backfill.Runner) chan struct{} {
		held := make(chan struct{}, 1)
		r.Gate(func(ctx context.Context, _ store.Backfill) error {
			held <- struct{}{}
			<-ctx.Done()
			return ctx.Err()
		})
		return held
	}
	first := backfill.New(backfill.Config{Store: st, Now: (&clock{t: t0}).Now})
	held := hold(first)
	first.Start(ctx)
	req, _, _ := first.Submit(ctx, payer, oct)
	<-held
	first.Stop()
	if h, _ := st.Backfills(ctx); h[0].Status != store.BackfillProcessing {
		t.Fatalf("interrupted job is %s, want PROCESSING", h[0].Status)
	}
	second := newRunner(t, st, &clock{t: t0.Add(time.Hour)})
	second.Start(ctx)
	if got := wait(t, second, req.ID); got.Status != store.BackfillSucceeded || got.Attempts != 2 {
		t.Errorf("resumed job ended %+v, want SUCCEEDED at attempt 2", got)
	}

	st.version++
	third := backfill.New(backfill.Config{Store: st, Now: (&clock{t: t0.Add(2 * time.Hour)}).Now})
	held = hold(third)
	third.Start(ctx)
	req, _, _ = third.Submit(ctx, payer, oct)
	for i := 1; i < backfill.MaxAttempts; i++ {
		<-held
		third.Stop()
		third = backfill.New(backfill.Config{Store: st, Now: (&clock{t: t0.Add(3 * time.Hour)}).Now})
		held = hold(third)
		third.Start(ctx)
	}
	<-held
	third.Stop()
	last := newRunner(t, st, &clock{t: t0.Add(4 * time.Hour)})
	last.Start(ctx)
	got := wait(t, last, req.ID)
	if got.Status != store.BackfillFailed || got.Reason != "the job was interrupted 3 times" {
		t.Errorf("job interrupted %d times ended %+v, want FAILED", backfill.MaxAttempts, got)
	}
}

// TestPayersAreApart: each payer has its own request in progress, its own
// 24-hour quota and its own "nothing changed" answer.
func TestPayersAreApart(t *testing.T) {
	ctx := context.Background()
	st := &memStore{versions: map[string]int64{payer: 1, "333333333333": 7}}
	c := &clock{t: t0}
	r := newRunner(t, st, c)
	a, started, err := r.Submit(ctx, payer, oct)
	if err != nil || !started {
		t.Fatalf("payer A: %+v, %v, %v", a, started, err)
	}
	// A's request is processing and used A's quota: B is free to start.
	b, started, err := r.Submit(ctx, "333333333333", oct)
	if err != nil || !started || b.Payer != "333333333333" || b.Version != 7 {
		t.Fatalf("payer B while A is processing: %+v, %v, %v; want B's own request started", b, started, err)
	}
	r.Start(ctx)
	wait(t, r, a.ID)
	wait(t, r, b.ID)
	st.mu.Lock()
	st.versions["333333333333"]++
	st.mu.Unlock()
	// A changed nothing: its own last request comes back, not B's.
	c.Add(time.Hour)
	if got, started, err := r.Submit(ctx, payer, oct); err != nil || started || got.ID != a.ID {
		t.Errorf("payer A without changes = %+v, %v, %v; want request %d", got, started, err, a.ID)
	}
	if _, _, err := r.Submit(ctx, "333333333333", oct); !errors.Is(err, backfill.ErrTooSoon) {
		t.Errorf("payer B within 24h of its request: err = %v, want ErrTooSoon", err)
	}
	hist, err := backfill.History(ctx, st, "333333333333")
	if err != nil || len(hist) != 1 || hist[0].ID != b.ID {
		t.Errorf("History(B) = %+v, %v; want only B's request", hist, err)
	}
}
