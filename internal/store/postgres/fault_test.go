package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/store"
	"github.com/tallyhq/tally/internal/store/postgres"
	"github.com/tallyhq/tally/internal/testenv"
)

// TestServerDown: with the server stopped, reads and writes fail with a
// *store.UnavailableError naming PostgreSQL, a write stores nothing, and
// the same store answers once the server is back.
func TestServerDown(t *testing.T) {
	ctx := context.Background()
	pg := testenv.StartPostgres(t)
	db, err := postgres.Open(ctx, pg.DSN, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const acct = "111111111111"
	if err := db.PutBudget(ctx, acct, "kept", []byte(`{}`), nil); err != nil {
		t.Fatal(err)
	}
	pg.Stop(t)
	msg := store.Message{ID: "m", Kind: store.Email, Address: "a@example.com", Created: time.Now()}
	for name, err := range map[string]error{
		"PutBudget":  db.PutBudget(ctx, acct, "lost", []byte(`{}`), []store.Message{msg}),
		"BudgetDocs": func() error { _, err := db.BudgetDocs(ctx, ""); return err }(),
		"Due":        func() error { _, err := db.Outbox().Due(ctx, time.Now(), 10); return err }(),
		"SetTagStatus": func() error {
			_, err := db.SetTagStatus(ctx, acct, []store.TagChange{{Key: "k"}}, time.Now())
			return err
		}(),
	} {
		var ue *store.UnavailableError
		if !errors.As(err, &ue) || ue.Backend != "PostgreSQL" {
			t.Errorf("%s with the server down = %v, want a *store.UnavailableError of PostgreSQL", name, err)
		}
	}
	pg.Start(t)
	docs, err := db.BudgetDocs(ctx, acct)
	if err != nil {
		t.Fatalf("BudgetDocs once the server is back: %v", err)
	}
	if len(docs) != 1 {
		t.Errorf("budgets after the outage: %q, want only the one stored before", docs)
	}
	if due, err := db.Outbox().Due(ctx, time.Now().Add(time.Hour), 10); err != nil || len(due) != 0 {
		t.Errorf("outbox after the failed write = %v, %v; want empty", due, err)
	}
}
