package costexplorer

import (
	"context"
	"encoding/json"
	"os"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/profile"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store/duckdb"
)

func TestZZProfile(t *testing.T) {
	ctx := context.Background()
	db, err := duckdb.Open(ctx, "/tmp/benchstore/tally.duckdb", duckdb.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	db.SQL().QueryRow("SELECT count(*) FROM line_items").Scan(&n)
	t.Log("line items", n)
	s := New(Config{Store: db, Profile: profile.Unlimited, Now: time.Now, Tokens: query.Tokens{Key: []byte("k")}})
	in := &GetCostAndUsageRequest{TimePeriod: &DateInterval{Start: ptr("2025-10-01"), End: ptr("2026-11-01")},
		Granularity: ptr(GranularityDaily), Metrics: []string{"UnblendedCost"},
		GroupBy: []GroupDefinition{{Type: ptr(GroupDefinitionTypeDimension), Key: ptr("SERVICE")}}}
	q, _, _ := s.aggregate(ctx, &costRequest{TimePeriod: in.TimePeriod, Granularity: in.Granularity, Metrics: in.Metrics, GroupBy: in.GroupBy})
	for i := 0; i < 3; i++ {
		t0 := time.Now()
		rows, _ := db.Aggregate(ctx, q)
		t1 := time.Now()
		res, _ := s.result(ctx, q)
		t2 := time.Now()
		out, _ := s.GetCostAndUsage(ctx, in)
		t3 := time.Now()
		b, _ := json.Marshal(out)
		t.Log("aggregate", t1.Sub(t0), len(rows), "result", t2.Sub(t1), len(res.Buckets), "page", t3.Sub(t2), "json", time.Since(t3), len(b))
	}
	f, _ := os.Create("/tmp/cpu3.out")
	pprof.StartCPUProfile(f)
	for i := 0; i < 10; i++ {
		out, _ := s.GetCostAndUsage(ctx, in)
		json.Marshal(out)
	}
	pprof.StopCPUProfile()
	_ = billing.Scale
}
