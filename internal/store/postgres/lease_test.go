package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/store"
	"github.com/tallyhq/tally/internal/store/postgres"
	"github.com/tallyhq/tally/internal/testenv"
)

// nodes opens n stores, as n Tally nodes would, on one new database.
func nodes(t *testing.T, n int, lease time.Duration) []*postgres.DB {
	t.Helper()
	dsn := newDatabase(t, testenv.Postgres(t))
	var out []*postgres.DB
	for i := range n {
		db, err := postgres.Open(context.Background(), dsn, postgres.Options{Node: fmt.Sprintf("node%d", i), Lease: lease})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		out = append(out, db)
	}
	return out
}

// TestOutboxOnceAcrossNodes has two nodes drain one outbox at the same
// time, as their dispatchers do: every message is handed to exactly one
// node and logged once.
func TestOutboxOnceAcrossNodes(t *testing.T) {
	ctx := context.Background()
	dbs := nodes(t, 2, time.Minute)
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	const total = 200
	var msgs []store.Message
	for i := range total {
		msgs = append(msgs, store.Message{ID: fmt.Sprintf("m%03d", i), Kind: store.Email, Address: "a@example.com",
			Subject: "s", Body: "b", Ref: "r", Created: t0.Add(time.Duration(i) * time.Second)})
	}
	if err := dbs[0].Outbox().Enqueue(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	sentBy := map[string][]string{}
	var wg sync.WaitGroup
	for _, db := range dbs {
		wg.Go(func() {
			o := db.Outbox()
			for {
				due, err := o.Due(ctx, t0.Add(time.Hour), 7)
				if err != nil {
					t.Error(err)
					return
				}
				if len(due) == 0 {
					return
				}
				for _, p := range due {
					mu.Lock()
					sentBy[p.ID] = append(sentBy[p.ID], db.Node())
					mu.Unlock()
					if err := o.Record(ctx, store.Attempt{ID: p.ID, Number: 1, At: t0, Outcome: store.Sent}); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	perNode := map[string]int{}
	for _, m := range msgs {
		if n := sentBy[m.ID]; len(n) != 1 {
			t.Errorf("%s sent by %v, want exactly one node", m.ID, n)
		} else {
			perNode[n[0]]++
		}
	}
	log, err := dbs[1].Outbox().Log(ctx)
	if err != nil || len(log) != total {
		t.Errorf("delivery log has %d entries (%v), want %d", len(log), err, total)
	}
	t.Logf("messages sent per node: %v", perNode)
}

// TestOutboxTakeOver: a node that took messages and died holds them until
// its lease expires; then another node takes them, and the dead node's
// late report changes nothing.
func TestOutboxTakeOver(t *testing.T) {
	ctx := context.Background()
	const lease = 300 * time.Millisecond
	dbs := nodes(t, 2, lease)
	a, b := dbs[0].Outbox(), dbs[1].Outbox()
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	if err := a.Enqueue(ctx, store.Message{ID: "m", Kind: store.Email, Address: "x@example.com", Created: t0}); err != nil {
		t.Fatal(err)
	}
	taken := time.Now() // before A's lease starts: B's wait is measured from here
	if got, err := a.Due(ctx, t0, 10); err != nil || len(got) != 1 {
		t.Fatalf("node A: Due = %v, %v", got, err)
	}
	// Node A is killed here. Node B sees nothing while A's lease runs.
	if got, err := b.Due(ctx, t0, 10); err != nil || len(got) != 0 {
		t.Fatalf("node B during A's lease: Due = %v, %v; want none", got, err)
	}
	var got []store.Pending
	for deadline := time.Now().Add(10 * time.Second); len(got) == 0 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		var err error
		if got, err = b.Due(ctx, t0, 10); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != 1 {
		t.Fatal("node B never took the message over")
	}
	if waited := time.Since(taken); waited < lease {
		t.Errorf("node B took the message after %v, before A's lease of %v ran out", waited, lease)
	}
	// A comes back and reports; B holds the message, so nothing changes.
	if err := a.Record(ctx, store.Attempt{ID: "m", Number: 1, At: t0, Outcome: store.Sent}); err != nil {
		t.Fatal(err)
	}
	if err := b.Record(ctx, store.Attempt{ID: "m", Number: 1, At: t0.Add(time.Second), Outcome: store.Sent}); err != nil {
		t.Fatal(err)
	}
	log, err := a.Log(ctx)
	if err != nil || len(log) != 1 || !log[0].At.Equal(t0.Add(time.Second)) {
		t.Errorf("delivery log = %+v, %v; want node B's one attempt", log, err)
	}
}

// TestBackfillOnceAcrossNodes: of two nodes beginning one job at the same
// time, one runs it and the other is told it is leased; a node killed
// mid-job is replaced after its lease, and its late outcome is refused.
func TestBackfillOnceAcrossNodes(t *testing.T) {
	ctx := context.Background()
	const lease = 300 * time.Millisecond
	dbs := nodes(t, 2, lease)
	at := time.Date(2024, 11, 20, 8, 0, 0, 0, time.UTC)
	req, err := dbs[0].CreateBackfill(ctx, "111111111111", time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC), at)
	if err != nil {
		t.Fatal(err)
	}
	errs := make([]error, 2)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, db := range dbs {
		wg.Go(func() {
			<-start
			_, errs[i] = db.BeginBackfill(ctx, req.ID)
		})
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			winner = i
		case !errors.Is(err, store.ErrLeased):
			t.Fatalf("node %d: BeginBackfill = %v, want nil or ErrLeased", i, err)
		}
	}
	if winner < 0 || errs[1-winner] == nil {
		t.Fatalf("BeginBackfill results %v: want exactly one node to take the job", errs)
	}
	// The winner is killed mid-job. The other takes over once the lease
	// has run out, as its second attempt.
	other := dbs[1-winner]
	var n int
	for deadline := time.Now().Add(10 * time.Second); ; {
		n, err = other.BeginBackfill(ctx, req.ID)
		if err == nil || !errors.Is(err, store.ErrLeased) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil || n != 2 {
		t.Fatalf("take-over: BeginBackfill = %d, %v; want attempt 2", n, err)
	}
	if err := dbs[winner].ApplyBackfill(ctx, req.ID, at.Add(time.Hour)); !errors.Is(err, store.ErrLeased) {
		t.Errorf("the killed node's late ApplyBackfill = %v, want ErrLeased", err)
	}
	if err := other.ApplyBackfill(ctx, req.ID, at.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	all, err := dbs[winner].Backfills(ctx)
	if err != nil || len(all) != 1 || all[0].Status != store.BackfillSucceeded || !all[0].CompletedAt.Equal(at.Add(2*time.Hour)) {
		t.Errorf("Backfills = %+v, %v; want one SUCCEEDED by the node that took over", all, err)
	}
}

// TestOneBackfillAcrossNodes: two nodes accepting a backfill of one payer
// at the same moment store one; the other is told one is in progress.
func TestOneBackfillAcrossNodes(t *testing.T) {
	ctx := context.Background()
	dbs := nodes(t, 2, time.Minute)
	at := time.Date(2024, 11, 20, 8, 0, 0, 0, time.UTC)
	errs := make([]error, 2)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, db := range dbs {
		wg.Go(func() {
			<-start
			_, errs[i] = db.CreateBackfill(ctx, "111111111111", time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC), at)
		})
	}
	close(start)
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("CreateBackfill on two nodes = %v; want one success", errs)
	}
	for _, err := range errs {
		if err != nil && !errors.Is(err, store.ErrBackfillInProgress) {
			t.Errorf("the refused CreateBackfill = %v, want ErrBackfillInProgress", err)
		}
	}
	// Another payer's request is not held up.
	if _, err := dbs[0].CreateBackfill(ctx, "333333333333", time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC), at); err != nil {
		t.Errorf("another payer's backfill: %v", err)
	}
}

// TestLockBudgets: while one node holds the budgets lock another waits;
// a node whose session ends gives it back.
func TestLockBudgets(t *testing.T) {
	ctx := context.Background()
	dbs := nodes(t, 2, time.Minute)
	unlockA, err := dbs[0].LockBudgets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan func())
	go func() {
		unlock, err := dbs[1].LockBudgets(ctx)
		if err != nil {
			t.Error(err)
		}
		got <- unlock
	}()
	select {
	case <-got:
		t.Fatal("node B took the budgets lock node A holds")
	case <-time.After(200 * time.Millisecond):
	}
	unlockA()
	unlockB := <-got
	// Node B dies holding it: its session ends, and A takes it again.
	if _, err := dbs[0].Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	defer unlockB()
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	again, err := dbs[0].LockBudgets(wait)
	if err != nil {
		t.Fatalf("after node B died holding the lock: %v", err)
	}
	again()
}
