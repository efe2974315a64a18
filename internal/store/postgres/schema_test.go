package postgres_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tallyhq/tally/internal/store/postgres"
	"github.com/tallyhq/tally/internal/testenv"
)

// TestMigrations: nodes starting together on an empty database migrate it
// once; opening again changes nothing; a database migrated by a newer
// Tally is refused rather than written with the wrong schema.
func TestMigrations(t *testing.T) {
	ctx := context.Background()
	dsn := newDatabase(t, testenv.Postgres(t))
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() {
			db, err := postgres.Open(ctx, dsn, postgres.Options{})
			if err == nil {
				db.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("concurrent Open: %v", err)
		}
	}
	db, err := postgres.Open(ctx, dsn, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := db.SchemaVersion(ctx)
	db.Close()
	if err != nil || v < 1 {
		t.Fatalf("SchemaVersion = %d, %v", v, err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM schema_version`).Scan(&rows); err != nil || rows != v {
		t.Errorf("schema_version has %d rows (%v), want one per version up to %d", rows, err, v)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO schema_version (version) VALUES ($1)`, v+1); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	if _, err := postgres.Open(ctx, dsn, postgres.Options{}); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open of a newer schema = %v, want a refusal", err)
	}
}

// TestPageTokenKeyShared: every node of a database signs page tokens with
// one key, made once.
func TestPageTokenKeyShared(t *testing.T) {
	ctx := context.Background()
	dbs := nodes(t, 2, 0)
	a, err := dbs[0].PageTokenKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := dbs[1].PageTokenKey(ctx)
	if err != nil || string(a) != string(b) || len(a) != 32 {
		t.Errorf("page token keys %x and %x (%v), want one 32-byte key", a, b, err)
	}
}
