package postgres_test

import (
	"context"
	"testing"

	"github.com/tallyhq/tally/internal/store/duckdb"
	"github.com/tallyhq/tally/internal/store/postgres"
	"github.com/tallyhq/tally/internal/testenv"
)

// BenchmarkVersion measures what --meta adds to every cost question when
// nothing changed: one read of meta_version.
func BenchmarkVersion(b *testing.B) {
	ctx := context.Background()
	meta, err := postgres.Open(ctx, testenv.Postgres(b), postgres.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer meta.Close()
	cost, err := duckdb.Open(ctx, "", duckdb.Options{Threads: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer cost.Close()
	c, err := meta.Costs(ctx, cost)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		c.Version()
	}
}
