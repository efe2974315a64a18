package clickhouse

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store"
)

// loadAmounts ingests one line per amount into period p, one per day.
func loadAmounts(ctx context.Context, st store.CostStore, p billing.BillingPeriod, amounts ...string) error {
	w, err := st.NewWriter(ctx)
	if err != nil {
		return err
	}
	for i, a := range amounts {
		amt, err := billing.ParseAmount(a)
		if err != nil {
			w.Abort()
			return err
		}
		start := p.Month.AddDate(0, 0, i)
		li := &billing.LineItem{UsageStart: start, UsageEnd: start.Add(time.Hour), PayerAccountID: "111111111111",
			UsageAccountID: "111111111111", LineItemType: "Usage", RecordType: "Usage", Currency: "USD", Service: "S3",
			Unblended: amt, Blended: amt, NetUnblended: amt, Amortized: amt, NetAmortized: amt}
		if err := w.Append(p, li); err != nil {
			w.Abort()
			return err
		}
	}
	return w.Commit(ctx, []store.PeriodInfo{{Period: p, Format: "test", Final: true}})
}

func monthly(ctx context.Context, st store.CostStore, from, to time.Time) ([]string, error) {
	rows, err := st.Aggregate(ctx, &query.Aggregate{Period: billing.Period{Start: from, End: to}, Granularity: query.Monthly,
		Metrics: []billing.Metric{billing.UnblendedCost}})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range rows {
		out = append(out, r.Bucket.Format("2006-01")+" "+r.Values[0].String())
	}
	return out, nil
}

// periodsOnBothShards returns two billing months of one source that live
// on different shards.
func periodsOnBothShards(t *testing.T, s *Store) (billing.BillingPeriod, billing.BillingPeriod) {
	t.Helper()
	first := billing.BillingPeriod{Source: "cur:111111111111", Month: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	for m := 1; m < 24; m++ {
		p := billing.BillingPeriod{Source: first.Source, Month: first.Month.AddDate(0, m, 0)}
		if s.shardOf(p) != s.shardOf(first) {
			return first, p
		}
	}
	t.Fatal("every month hashes to one shard")
	return first, first
}

// TestShardDown stops a shard: questions fail with an unavailable error
// naming it, never a partial answer; an ingest fails and leaves the old
// period active; once the shard is back, answers and ingests return.
func TestShardDown(t *testing.T) {
	b := startBackends(t)
	s := b.open(t)
	ctx := context.Background()
	p1, p2 := periodsOnBothShards(t, s)
	if err := loadAmounts(ctx, s, p1, "1", "2"); err != nil {
		t.Fatal(err)
	}
	if err := loadAmounts(ctx, s, p2, "10"); err != nil {
		t.Fatal(err)
	}
	from, to := p1.Month, p2.Month.AddDate(0, 1, 0)
	before, err := monthly(ctx, s, from, to)
	if err != nil || len(before) != 2 {
		t.Fatalf("before the outage: %v %v", before, err)
	}

	down := s.shardOf(p2)
	b.ch.Stop(t, down)
	for i := 0; i < 2*len(s.shards); i++ { // every shard as the one asked
		got, err := monthly(ctx, s, from, to)
		if err == nil {
			t.Fatalf("a question with shard %d down answered %v", down+1, got)
		}
		if !unavailable(err) {
			t.Fatalf("error is not a store.UnavailableError: %v", err)
		}
		if !strings.Contains(err.Error(), "ClickHouse") {
			t.Errorf("error does not name the backend: %v", err)
		}
		if got, err := commitMonthly(ctx, s, from, to); !unavailable(err) {
			t.Fatalf("a commitment question with shard %d down: %v %v, want an unavailable error", down+1, got, err)
		}
	}
	if err := loadAmounts(ctx, s, p2, "99"); err == nil {
		t.Fatal("an ingest into the down shard succeeded")
	} else if !unavailable(err) {
		t.Errorf("ingest error is not a store.UnavailableError: %v", err)
	}

	b.ch.Start(t, down)
	var after []string
	for try := 0; ; try++ { // the pool may hold a connection broken by the outage
		if after, err = monthly(ctx, s, from, to); err == nil || try == 3 {
			break
		}
	}
	if err != nil {
		t.Fatalf("after the shard came back: %v", err)
	}
	if strings.Join(after, ",") != strings.Join(before, ",") {
		t.Errorf("after the failed ingest: %v, want the old period %v", after, before)
	}
	if err := loadAmounts(ctx, s, p2, "5"); err != nil {
		t.Fatalf("ingest after the shard came back: %v", err)
	}
	got, err := monthly(ctx, s, from, to)
	if err != nil || len(got) != 2 || !strings.HasSuffix(got[1], " 5") {
		t.Fatalf("after re-ingest: %v %v", got, err)
	}
}

// TestPostgresDown stops PostgreSQL: questions and ingests fail with an
// unavailable error naming it, and work again once it is back.
func TestPostgresDown(t *testing.T) {
	b := startBackends(t)
	s := b.open(t)
	ctx := context.Background()
	p := billing.BillingPeriod{Source: "cur:111111111111", Month: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	if err := loadAmounts(ctx, s, p, "1", "2"); err != nil {
		t.Fatal(err)
	}
	from, to := p.Month, p.Month.AddDate(0, 1, 0)
	b.pgsv.Stop(t)
	_, err := monthly(ctx, s, from, to)
	if !unavailable(err) || !strings.Contains(err.Error(), "PostgreSQL") {
		t.Fatalf("question with PostgreSQL down: %v, want an unavailable error naming PostgreSQL", err)
	}
	if err := loadAmounts(ctx, s, p, "7"); !unavailable(err) {
		t.Fatalf("ingest with PostgreSQL down: %v, want an unavailable error", err)
	}
	b.pgsv.Start(t)
	got, err := monthly(ctx, s, from, to)
	if err != nil || len(got) != 1 || got[0] != "2024-01 3" {
		t.Fatalf("after PostgreSQL came back: %v %v, want the old period", got, err)
	}
}

func unavailable(err error) bool {
	var u *store.UnavailableError
	return errors.As(err, &u)
}
