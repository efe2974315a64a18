package app

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/profile"
)

// BenchmarkResponse measures the server's side of the bench requests
// (internal/bench) computed every time: decoding the request, the store's
// query, assembling the answer and encoding its JSON, every page of a walk.
// It runs over a data directory made by `tally ingest` named by
// TALLY_RESPONSE_BENCH_DATA, at the clock TALLY_RESPONSE_BENCH_NOW
// (yyyy-mm-dd, the day `tally generate --end` was given), for example:
//
//	TALLY_RESPONSE_BENCH_DATA=/tmp/store1m TALLY_RESPONSE_BENCH_NOW=2026-12-02 \
//	  go test ./internal/app -run '^$' -bench Response -benchmem
//
// TALLY_RESPONSE_BENCH_THREADS sets DuckDB's threads (tally serve --db-threads).
func BenchmarkResponse(b *testing.B) {
	dir := os.Getenv("TALLY_RESPONSE_BENCH_DATA")
	if dir == "" {
		b.Skip("set TALLY_RESPONSE_BENCH_DATA to a data directory")
	}
	now, err := time.Parse("2006-01-02", os.Getenv("TALLY_RESPONSE_BENCH_NOW"))
	if err != nil {
		b.Fatal("TALLY_RESPONSE_BENCH_NOW: ", err)
	}
	ctx := context.Background()
	a, err := Open(ctx, Config{Data: dir, Profile: profile.Unlimited, Now: func() time.Time { return now }, NoResultCache: true, DBThreads: benchThreads()})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	ops := map[string]func(context.Context, []byte) (any, error){}
	for _, op := range a.CostExplorer.ServiceDef().Operations {
		ops[op.Name] = op.Handle
	}
	payer, err := a.Store.FirstPayer(ctx)
	if err != nil {
		b.Fatal(err)
	}
	ctx = auth.WithCaller(ctx, auth.Account{AccessKeyID: "bench", AccountID: payer, All: true})
	month := func(n int) string { return now.AddDate(0, n, 1-now.Day()).Format("2006-01-02") }
	day := now.AddDate(0, 0, -1)
	for _, r := range []struct{ name, op, body string }{
		{"daily-by-usage-type-paged", "GetCostAndUsage", `{"TimePeriod":{"Start":"` + month(-13) + `","End":"` + month(0) +
			`"},"Granularity":"DAILY","Metrics":["UnblendedCost"],"GroupBy":[{"Type":"DIMENSION","Key":"USAGE_TYPE"}]}`},
		{"daily-by-service", "GetCostAndUsage", `{"TimePeriod":{"Start":"` + month(-13) + `","End":"` + month(0) +
			`"},"Granularity":"DAILY","Metrics":["UnblendedCost"],"GroupBy":[{"Type":"DIMENSION","Key":"SERVICE"}]}`},
		{"hourly-one-day", "GetCostAndUsage", `{"TimePeriod":{"Start":"` + day.Format("2006-01-02T15:04:05Z") + `","End":"` +
			now.Format("2006-01-02T15:04:05Z") + `"},"Granularity":"HOURLY","Metrics":["UnblendedCost","UsageQuantity"],"GroupBy":[{"Type":"DIMENSION","Key":"SERVICE"}]}`},
		{"dimension-values-month", "GetDimensionValues", `{"TimePeriod":{"Start":"` + month(-1) + `","End":"` + month(0) + `"},"Dimension":"SERVICE"}`},
		{"monthly-total", "GetCostAndUsage", `{"TimePeriod":{"Start":"` + month(-13) + `","End":"` + month(0) +
			`"},"Granularity":"MONTHLY","Metrics":["UnblendedCost"]}`},
	} {
		b.Run(r.name, func(b *testing.B) {
			var bytes, pages int
			cpu0 := cpuTime()
			for b.Loop() {
				bytes, pages = 0, 0
				body := []byte(r.body)
				for {
					out, err := ops[r.op](ctx, body)
					if err != nil {
						b.Fatal(err)
					}
					enc, ok := out.(awsjson.Encoded)
					if !ok {
						if enc, err = json.Marshal(out); err != nil {
							b.Fatal(err)
						}
					}
					bytes += len(enc)
					if os.Getenv("TALLY_RESPONSE_BENCH_DUMP") != "" && pages == 0 {
						os.WriteFile(os.Getenv("TALLY_RESPONSE_BENCH_DUMP")+"/"+r.name+".json", enc, 0o644)
					}
					pages++
					token := nextToken(enc)
					if token == "" {
						break
					}
					body = []byte(r.body[:len(r.body)-1] + `,"NextPageToken":"` + token + `"}`)
				}
			}
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(bytes), "bytes/answer")
			b.ReportMetric(float64(pages), "pages")
		})
	}
}

// nextToken finds the NextPageToken of an answer without decoding the rest.
func nextToken(answer []byte) string {
	const member = `"NextPageToken":"`
	i := bytes.Index(answer, []byte(member))
	if i < 0 {
		return ""
	}
	rest := answer[i+len(member):]
	return string(rest[:bytes.IndexByte(rest, '"')])
}

// cpuTime is the user and system time of the process so far: DuckDB's
// threads included, which ns/op (wall time) hides on a shared machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchThreads is TALLY_RESPONSE_BENCH_THREADS, DuckDB's worker threads
// (0: one per CPU, as tally serve).
func benchThreads() int {
	n, _ := strconv.Atoi(os.Getenv("TALLY_RESPONSE_BENCH_THREADS"))
	return n
}
