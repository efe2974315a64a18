package clickhouse

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/store"
)

// loadBoth ingests two periods in one ingest, one line each (of a
// reservation, so that the commitment rollup holds it too).
func loadBoth(ctx context.Context, st store.CostStore, p1, p2 billing.BillingPeriod, a1, a2 string) error {
	w, err := st.NewWriter(ctx)
	if err != nil {
		return err
	}
	for _, x := range []struct {
		p billing.BillingPeriod
		a string
	}{{p1, a1}, {p2, a2}} {
		amt, _ := billing.ParseAmount(x.a)
		li := &billing.LineItem{UsageStart: x.p.Month, UsageEnd: x.p.Month.Add(time.Hour), PayerAccountID: "111111111111",
			UsageAccountID: "111111111111", LineItemType: "Usage", RecordType: "Usage", Currency: "USD", Service: "S3",
			Unblended: amt, Blended: amt, NetUnblended: amt, Amortized: amt, NetAmortized: amt,
			Commitment: billing.Commitment{ReservationARN: "arn:ri/atomic", RIEffectiveCost: amt}}
		if err := w.Append(x.p, li); err != nil {
			w.Abort()
			return err
		}
	}
	return w.Commit(ctx, []store.PeriodInfo{{Period: p1, Format: "test"}, {Period: p2, Format: "test"}})
}

// TestAtomicAcrossShards re-ingests two periods that live on different
// shards while readers ask for both: every answer is all old or all new,
// never one of each, never a period missing or counted twice; the same for
// commitment questions, whose rollup is switched with the rest. Replaced
// generations are dropped from the shards once collectAfter has passed.
func TestAtomicAcrossShards(t *testing.T) {
	b := startBackends(t)
	var clock atomic.Int64
	clock.Store(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	chAddr, pgAddr := b.fresh(t)
	s, err := Open(context.Background(), chAddr, Options{Meta: pgAddr, Now: func() time.Time { return time.Unix(0, clock.Load()).UTC() }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	p1, p2 := periodsOnBothShards(t, s)
	if err := loadBoth(ctx, s, p1, p2, "1", "10"); err != nil {
		t.Fatal(err)
	}
	from, to := p1.Month, p2.Month.AddDate(0, 1, 0)
	allowed := map[string]bool{"1,10": true, "2,20": true, "3,30": true, "4,40": true}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var reads atomic.Int64
	for i := range 3 {
		read := monthly
		if i == 2 {
			read = commitMonthly
		}
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				got, err := read(ctx, s, from, to)
				if err != nil {
					t.Error(err)
					return
				}
				var vals []string
				for _, g := range got {
					vals = append(vals, g[8:])
				}
				key := ""
				for i, v := range vals {
					if i > 0 {
						key += ","
					}
					key += v
				}
				if !allowed[key] {
					t.Errorf("a reader saw %v: a mix of generations", got)
					return
				}
				reads.Add(1)
			}
		})
	}
	for i, amounts := range [][2]string{{"2", "20"}, {"3", "30"}, {"4", "40"}} {
		if err := loadBoth(ctx, s, p1, p2, amounts[0], amounts[1]); err != nil {
			t.Fatalf("re-ingest %d: %v", i, err)
		}
	}
	close(stop)
	wg.Wait()
	if reads.Load() == 0 {
		t.Fatal("no read ran during the re-ingests")
	}

	// Replaced generations wait collectAfter, then the next ingest drops
	// them from the shards and from PostgreSQL.
	var kept int
	if err := s.meta.QueryRow(ctx, s.sql(`SELECT count(*) FROM tally_ch_generations`)).Scan(&kept); err != nil {
		t.Fatal(err)
	}
	if kept != 8 {
		t.Errorf("%d generations recorded before collection, want 8 (2 active, 6 retired)", kept)
	}
	clock.Add(int64(2 * collectAfter))
	if err := loadBoth(ctx, s, p1, p2, "5", "50"); err != nil {
		t.Fatal(err)
	}
	if err := s.meta.QueryRow(ctx, s.sql(`SELECT count(*) FROM tally_ch_generations`)).Scan(&kept); err != nil {
		t.Fatal(err)
	}
	if kept != 4 {
		t.Errorf("%d generations recorded after collection, want 4 (2 active, the 2 just retired)", kept)
	}
	var parts uint64
	for i, conn := range s.shards {
		var n uint64
		if err := conn.QueryRow(ctx, `SELECT count(DISTINCT partition) FROM system.parts WHERE active AND database = ? AND table = 'line_items_local'`,
			s.addr.Database).Scan(&n); err != nil {
			t.Fatalf("shard %d: %v", i+1, err)
		}
		parts += n
	}
	if parts != 4 {
		t.Errorf("%d generations' partitions on the shards after collection, want 4", parts)
	}
	for i, conn := range s.shards {
		var n uint64
		if err := conn.QueryRow(ctx, `SELECT count(DISTINCT partition) FROM system.parts WHERE active AND database = ? AND table = 'rollup_commitment_local'`,
			s.addr.Database).Scan(&n); err != nil || n != 2 {
			t.Errorf("shard %d: %d generations' partitions of rollup_commitment_local after collection (%v), want 2", i+1, n, err)
		}
	}
	if got, err := commitMonthly(ctx, s, from, to); err != nil || len(got) != 2 || got[0][8:] != "5" || got[1][8:] != "50" {
		t.Errorf("commitments after the last ingest: %v %v", got, err)
	}
	got, err := monthly(ctx, s, from, to)
	if err != nil || len(got) != 2 || got[0][8:] != "5" || got[1][8:] != "50" {
		t.Errorf("after the last ingest: %v %v", got, err)
	}
}

// TestLostGenerations: when PostgreSQL loses the store's tables (restored
// from an old backup, say), a new ingest never writes into a partition that
// already holds rows: the sequence restarts past what the shards hold.
func TestLostGenerations(t *testing.T) {
	b := startBackends(t)
	chAddr, pgAddr := b.fresh(t)
	ctx := context.Background()
	s, err := Open(ctx, chAddr, Options{Meta: pgAddr})
	if err != nil {
		t.Fatal(err)
	}
	p := billing.BillingPeriod{Source: "cur:111111111111", Month: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	if err := loadAmounts(ctx, s, p, "1", "2"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP TABLE tally_ch_generations`, `DROP TABLE tally_ch_state`, `DROP SEQUENCE tally_ch_gen_seq`} {
		if _, err := s.meta.Exec(ctx, s.sql(q)); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s, err = Open(ctx, chAddr, Options{Meta: pgAddr})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := loadAmounts(ctx, s, p, "5"); err != nil {
		t.Fatal(err)
	}
	got, err := monthly(ctx, s, p.Month, p.Month.AddDate(0, 1, 0))
	if err != nil || len(got) != 1 || got[0] != "2024-01 5" {
		t.Fatalf("after PostgreSQL lost the generations and a new ingest: %v %v, want only the new 5", got, err)
	}
}
