package duckdb

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/store"
)

func openFile(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(context.Background(), path, Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func docs(t *testing.T, db *DB, account string) []string {
	t.Helper()
	ds, err := db.BudgetDocs(context.Background(), account)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range ds {
		out = append(out, string(d))
	}
	return out
}

func TestBudgetDocs(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.duckdb")
	db := openFile(t, path)
	for _, b := range []struct{ account, name, doc string }{
		{"222222222222", "b", `{"n":"b2"}`}, {"111111111111", "z", `{"n":"z1"}`}, {"111111111111", "a", `{"n":"a1"}`},
		{"111111111111", "a", `{"n":"a1 v2"}`},
	} {
		if err := db.PutBudget(ctx, b.account, b.name, []byte(b.doc), nil); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]string{`{"n":"a1 v2"}`, `{"n":"z1"}`, `{"n":"b2"}`}, docs(t, db, "")); diff != "" {
		t.Errorf("all budgets (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{`{"n":"a1 v2"}`, `{"n":"z1"}`}, docs(t, db, "111111111111")); diff != "" {
		t.Errorf("one account (-want +got):\n%s", diff)
	}
	if d, err := db.BudgetDoc(ctx, "222222222222", "b"); err != nil || string(d) != `{"n":"b2"}` {
		t.Errorf("BudgetDoc = %s, %v", d, err)
	}
	if d, err := db.BudgetDoc(ctx, "222222222222", "a"); err != nil || d != nil {
		t.Errorf("missing BudgetDoc = %s, %v; want nil", d, err)
	}
	if ok, err := db.DeleteBudget(ctx, "111111111111", "z"); !ok || err != nil {
		t.Errorf("DeleteBudget = %v, %v", ok, err)
	}
	if ok, err := db.DeleteBudget(ctx, "111111111111", "z"); ok || err != nil {
		t.Errorf("second DeleteBudget = %v, %v; want false", ok, err)
	}
	db.Close()
	db = openFile(t, path)
	defer db.Close()
	if diff := cmp.Diff([]string{`{"n":"a1 v2"}`, `{"n":"b2"}`}, docs(t, db, "")); diff != "" {
		t.Errorf("after reopening (-want +got):\n%s", diff)
	}
}

func msg(id string, created time.Time) store.Message {
	return store.Message{ID: id, Kind: store.Email, Address: id + "@example.com", Subject: "s " + id,
		Body: "body\n", Ref: "111111111111/a", Created: created}
}

func dueIDs(t *testing.T, o *Outbox, at time.Time) []string {
	t.Helper()
	ps, err := o.Due(context.Background(), at, 10)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func TestOutbox(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.duckdb")
	db := openFile(t, path)
	o := db.Outbox()
	t0 := time.Date(2018, 12, 20, 12, 0, 0, 0, time.UTC)
	// A budget state and its messages are written together; a message
	// enqueued twice stays one.
	if err := db.PutBudget(ctx, "111111111111", "a", []byte(`{}`), []store.Message{msg("m2", t0.Add(time.Second)), msg("m1", t0)}); err != nil {
		t.Fatal(err)
	}
	if err := o.Enqueue(ctx, msg("m1", t0), msg("m3", t0.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"m1", "m2"}, dueIDs(t, o, t0.Add(time.Minute))); diff != "" {
		t.Errorf("due (-want +got):\n%s", diff)
	}
	ps, _ := o.Due(ctx, t0, 10)
	want := store.Pending{Message: msg("m1", t0)}
	if diff := cmp.Diff([]store.Pending{want}, ps); diff != "" {
		t.Errorf("pending message (-want +got):\n%s", diff)
	}

	steps := []store.Attempt{
		{ID: "m1", Number: 1, At: t0, Outcome: store.Retry, Error: "451 later", Next: t0.Add(time.Minute)},
		{ID: "m2", Number: 1, At: t0, Outcome: store.Sent},
		{ID: "m2", Number: 2, At: t0, Outcome: store.Sent},
		{ID: "m3", Number: 1, At: t0.Add(2 * time.Hour), Outcome: store.Failed, Error: "550 no"},
	}
	for _, a := range steps {
		if err := o.Record(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if got := dueIDs(t, o, t0.Add(59*time.Second)); len(got) != 0 {
		t.Errorf("due before the retry time: %v", got)
	}
	db.Close()
	db = openFile(t, path)
	defer db.Close()
	o = db.Outbox()
	if diff := cmp.Diff([]string{"m1"}, dueIDs(t, o, t0.Add(time.Minute))); diff != "" {
		t.Errorf("due after reopening (-want +got):\n%s", diff)
	}
	ps, _ = o.Due(ctx, t0.Add(time.Minute), 10)
	if ps[0].Attempts != 1 {
		t.Errorf("attempts = %d, want 1", ps[0].Attempts)
	}
	log, err := o.Log(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantLog := []store.LogEntry{
		{Attempt: steps[0], Kind: store.Email, Address: "m1@example.com", Ref: "111111111111/a", Subject: "s m1"},
		{Attempt: steps[1], Kind: store.Email, Address: "m2@example.com", Ref: "111111111111/a", Subject: "s m2"},
		{Attempt: steps[3], Kind: store.Email, Address: "m3@example.com", Ref: "111111111111/a", Subject: "s m3"},
	}
	if diff := cmp.Diff(wantLog, log); diff != "" {
		t.Errorf("log (-want +got):\n%s", diff)
	}
}
