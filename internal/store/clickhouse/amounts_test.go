package clickhouse

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store"
)

// TestSumsBeyondInt64 sums amounts whose total no Int64 holds: the lines'
// Int64 money columns, the rollup rows summed in the client and the
// monthly rollup summed on the shard must all give the exact total, from
// the rollups and from the lines (HOURLY of an old month, RESOURCE_ID).
func TestSumsBeyondInt64(t *testing.T) {
	b := startBackends(t)
	chAddr, pgAddr := b.fresh(t)
	ctx := context.Background()
	s, err := Open(ctx, chAddr, Options{Meta: pgAddr})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p := billing.BillingPeriod{Source: "cur:111111111111", Month: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	w, err := s.NewWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	start := p.Month.Add(3 * time.Hour)
	for _, a := range []string{"922337203.6854775807", "922337203.6854775807", "922337203.6854775807", "-0.0000000003"} {
		amt, err := billing.ParseAmount(a)
		if err != nil {
			t.Fatal(err)
		}
		li := &billing.LineItem{UsageStart: start, UsageEnd: start.Add(time.Hour), PayerAccountID: "111111111111",
			UsageAccountID: "111111111111", LineItemType: "Usage", RecordType: "Usage", Currency: "USD", Service: "S3",
			ResourceID: "r1", UsageQuantity: 9e8, Unblended: amt, Blended: amt, NetUnblended: amt, Amortized: amt, NetAmortized: amt}
		if err := w.Append(p, li); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(ctx, []store.PeriodInfo{{Period: p, Format: "test", Final: true}}); err != nil {
		t.Fatal(err)
	}
	const want = "2767011611.0564327418"
	const usage = "3600000000"
	for _, q := range []*query.Aggregate{
		{Granularity: query.Monthly},
		{Granularity: query.Daily},
		{Granularity: query.Hourly},
		{Granularity: query.Daily, GroupBy: []query.GroupKey{{Kind: query.KindDimension, Key: string(billing.DimResourceID)}}},
	} {
		q.Period = billing.Period{Start: p.Month, End: p.Month.AddDate(0, 0, 2)}
		q.Metrics = []billing.Metric{billing.UnblendedCost, billing.AmortizedCost, billing.UsageQuantity}
		rows, err := s.Aggregate(ctx, q)
		if err != nil {
			t.Fatal(q.Granularity, err)
		}
		if len(rows) != 1 || rows[0].Values[0].String() != want || rows[0].Values[1].String() != want ||
			rows[0].Values[2].String() != usage {
			t.Errorf("%s %v: %+v, want one row of %s, %s, %s", q.Granularity, q.GroupBy, rows, want, want, usage)
		}
	}
}

// TestOldLineSchemaRefused: a database whose line items keep money as
// Decimal (an older Tally) is refused with a message saying what to do,
// never read as amounts in the wrong unit.
func TestOldLineSchemaRefused(t *testing.T) {
	b := startBackends(t)
	chAddr, pgAddr := b.fresh(t)
	ctx := context.Background()
	s, err := Open(ctx, chAddr, Options{Meta: pgAddr})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.shards[1].Exec(ctx, `ALTER TABLE `+s.addr.Database+`.line_items_local MODIFY COLUMN unblended Decimal(38, 10)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(ctx, chAddr, Options{Meta: pgAddr})
	if err == nil {
		s.Close()
		t.Fatal("a database with Decimal money in its line items was opened")
	}
	if !strings.Contains(err.Error(), "older Tally") || !strings.Contains(err.Error(), "again into a new database") {
		t.Fatalf("refusal does not say what to do: %v", err)
	}
}
