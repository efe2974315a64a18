package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Config describes one benchmark run.
type Config struct {
	// Tally is the path of the tally binary to measure.
	Tally string
	// Out is the folder for results.json, results.md, the logs, the
	// generated data sets (kept for the next run) and the data directory.
	Out string
	// Rows is the approximate number of line items to generate.
	Rows int64
	// Seed makes the data set reproducible.
	Seed int64
	// Runs is how many timed runs each request gets, through Tally and
	// through DuckDB; each also runs once untimed first.
	Runs, RawRuns int
	// Threads limits DuckDB over the raw files; 0 means one per CPU, the
	// same as `tally serve`.
	Threads int
	// ReuseStore skips the ingest when the data directory of an earlier
	// run holds the same data set, reporting that run's ingest figures:
	// for measuring query changes without waiting for an ingest.
	ReuseStore bool
	// Now is the clock; it dates a newly generated data set.
	Now func() time.Time
	// ServeThreads, when positive, is passed to `tally serve` as
	// --db-threads (DuckDB's worker threads; default one per CPU).
	ServeThreads int
	// LoadSeconds is how long the throughput benchmark runs each request
	// at each concurrency; 0 means DefaultLoadSeconds, negative skips it.
	LoadSeconds float64
	// Progress receives one line per step.
	Progress io.Writer
	// StoreFlags are given to every `tally ingest` and `tally serve` child:
	// empty for the DuckDB file of the data directory, or --store and
	// --meta for the ClickHouse backend (`make bench BACKEND=clickhouse`).
	StoreFlags []string
}

// Defaults of Config's zero fields.
const (
	DefaultRows    = 1_000_000
	DefaultSeed    = 1
	DefaultRuns    = 20
	DefaultRawRuns = 5
	// DefaultLoadSeconds is the default of Config.LoadSeconds.
	DefaultLoadSeconds = 3
	MaxRows            = 100_000_000
)

func (c *Config) setDefaults() error {
	if c.Tally == "" {
		return errors.New("the path of the tally binary must be set")
	}
	if c.Out == "" {
		c.Out = "bench-out"
	}
	if c.Rows == 0 {
		c.Rows = DefaultRows
	}
	if c.Rows < 0 || c.Rows > MaxRows {
		return fmt.Errorf("rows must be between 1 and %d, got %d", MaxRows, c.Rows)
	}
	if c.Seed == 0 {
		c.Seed = DefaultSeed
	}
	if c.Runs <= 0 {
		c.Runs = DefaultRuns
	}
	if c.RawRuns <= 0 {
		c.RawRuns = DefaultRawRuns
	}
	if c.Threads <= 0 {
		c.Threads = runtime.NumCPU()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.LoadSeconds == 0 {
		c.LoadSeconds = DefaultLoadSeconds
	}
	if c.Progress == nil {
		c.Progress = io.Discard
	}
	return nil
}

// Run generates (or reuses) the data set, measures ingest, the request set
// through Tally and the same questions through DuckDB, and writes
// results.json and results.md under cfg.Out.
func Run(ctx context.Context, cfg Config) (*Results, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	tally, err := filepath.Abs(cfg.Tally)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return nil, err
	}
	logf := func(format string, args ...any) { fmt.Fprintf(cfg.Progress, "bench: "+format+"\n", args...) }
	res := &Results{StartedAt: cfg.Now().UTC(), Host: host(), TallyVersion: tallyVersion(ctx, tally), LoadAtStart: loadAverage(),
		ServeThreads: cfg.ServeThreads, Backend: "duckdb"}
	if len(cfg.StoreFlags) > 0 {
		res.Backend = "clickhouse"
	}

	logf("preparing %d line items (seed %d)", cfg.Rows, cfg.Seed)
	ds, err := prepareData(ctx, filepath.Join(cfg.Out, "data"), cfg.Rows, cfg.Seed, cfg.Now())
	if err != nil {
		return nil, err
	}
	res.Data = *ds

	childLog, err := os.Create(filepath.Join(cfg.Out, "tally.log"))
	if err != nil {
		return nil, err
	}
	defer childLog.Close()
	store := filepath.Join(cfg.Out, "store")
	ing, err := ingestOnce(ctx, cfg, tally, store, ds, childLog, logf)
	if err != nil {
		return nil, err
	}
	res.Ingest = *ing

	w := Window{Now: ds.Now, ServerNow: time.Now()}
	reqs := Requests(w)
	answers, err := measureTally(ctx, cfg, tally, store, w, reqs, childLog, res, logf)
	if err != nil {
		return nil, err
	}
	if err := measureRaw(ctx, cfg, ds.Export, reqs, answers, res, logf); err != nil {
		return nil, err
	}
	res.LoadAtEnd = loadAverage()
	res.checkTargets()
	return res, write(cfg.Out, res)
}

// serveFlags returns the flags of `tally serve` this run adds to extra.
func (c *Config) serveFlags(extra ...string) []string {
	if c.ServeThreads > 0 {
		extra = append(extra, fmt.Sprintf("--db-threads=%d", c.ServeThreads))
	}
	return append(extra, c.StoreFlags...)
}

// storeStamp records which data set the data directory holds and what
// ingesting it measured.
type storeStamp struct {
	Data   string       `json:"data"`
	Ingest IngestResult `json:"ingest"`
}

// ingestOnce ingests the data set into a fresh data directory, or with
// ReuseStore keeps the one an earlier run filled with the same data set.
func ingestOnce(ctx context.Context, cfg Config, tally, store string, ds *Dataset, logw io.Writer, logf func(string, ...any)) (*IngestResult, error) {
	stampPath := filepath.Join(cfg.Out, "store.json")
	if cfg.ReuseStore && len(cfg.StoreFlags) == 0 {
		var st storeStamp
		b, err := os.ReadFile(stampPath)
		_, statErr := os.Stat(filepath.Join(store, "tally.duckdb"))
		if err == nil && statErr == nil && json.Unmarshal(b, &st) == nil && st.Data == ds.Export {
			logf("reusing the data directory of an earlier run (ingest figures are that run's)")
			st.Ingest.Reused = true
			return &st.Ingest, nil
		}
	}
	os.Remove(stampPath)
	if err := os.RemoveAll(store); err != nil {
		return nil, err
	}
	logf("ingesting %d line items with tally ingest", ds.LineItems)
	ing, err := ingestChild(ctx, tally, store, ds.Export, logw, cfg.StoreFlags...)
	if err != nil {
		return nil, err
	}
	logf("ingested at %s line items/s, peak RSS %.0f MiB", thousands(int64(ing.Rate)), float64(ing.PeakRSS)/mib)
	b, _ := json.Marshal(storeStamp{Data: ds.Export, Ingest: *ing})
	return ing, os.WriteFile(stampPath, b, 0o644)
}

// measureTally times every request through a `tally serve` child that
// computes every answer (--no-result-cache), then the requests of more than
// one page, whose answers Cost Explorer keeps for the page walk, through a
// second child that may answer repeats from that cache; it returns the
// answers of the first.
func measureTally(ctx context.Context, cfg Config, tally, store string, w Window, reqs []Request, logw io.Writer,
	res *Results, logf func(string, ...any)) ([]answer, error) {
	srv, err := startServe(ctx, tally, store, logw, cfg.serveFlags("--no-result-cache")...)
	if err != nil {
		return nil, err
	}
	client, tt := newTimedClient(srv.url)
	secs := serverSeconds(ctx, srv.url)
	answers := make([]answer, len(reqs))
	for i, q := range reqs {
		if q.setup != nil {
			if err := q.setup(ctx, client); err != nil {
				srv.stop()
				return nil, fmt.Errorf("tally %s: %w", q.Name, err)
			}
		}
		a, timing, err := timeTally(ctx, client, tt, q, cfg.Runs, secs)
		if err != nil {
			srv.stop()
			return nil, fmt.Errorf("tally %s: %w", q.Name, err)
		}
		answers[i] = a
		t := summarise(timing.runs)
		res.Requests = append(res.Requests, RequestResult{Name: q.Name, Description: q.Description,
			Pages: a.pages, Rows: len(a.rows), First: ms(timing.first), Tally: t, ServerMean: timing.server, SDKMean: timing.sdk,
			Total: a.total(), Load: loadAverage()})
		logf("tally  %-28s first %s, computed p50 %s p95 %s, server mean %s, SDK mean %s (%d pages, %d rows)", q.Name,
			msText(ms(timing.first)), msText(t.P50), msText(t.P95), msText(timing.server), msText(timing.sdk), a.pages, len(a.rows))
	}
	if cfg.LoadSeconds > 0 {
		tp, err := measureThroughput(ctx, "computed", srv.url, srv.cmd.Process.Pid, w, time.Duration(cfg.LoadSeconds*float64(time.Second)), logf)
		if err != nil {
			srv.stop()
			return nil, err
		}
		res.Throughput = tp
	}
	rss, err := srv.stop()
	if err != nil {
		logf("tally serve did not stop cleanly: %v", err)
	}
	res.ServePeakRSS = rss
	return answers, measureCached(ctx, cfg, tally, store, w, reqs, logw, res, logf)
}

// measureCached times the repeats of the multi-page requests through a
// `tally serve` with its answer cache, as a client walking the same pages
// again sees them, and measures the throughput of that server.
func measureCached(ctx context.Context, cfg Config, tally, store string, w Window, reqs []Request, logw io.Writer,
	res *Results, logf func(string, ...any)) error {
	var multi []int
	for i := range reqs {
		if res.Requests[i].Pages > 1 {
			multi = append(multi, i)
		}
	}
	if len(multi) == 0 && cfg.LoadSeconds <= 0 {
		return nil
	}
	srv, err := startServe(ctx, tally, store, logw, cfg.serveFlags()...)
	if err != nil {
		return err
	}
	client := NewClient(srv.url)
	for _, i := range multi {
		_, tt, err := timeTally(ctx, client, nil, reqs[i], cfg.Runs, nil)
		if err != nil {
			srv.stop()
			return fmt.Errorf("tally %s (cached): %w", reqs[i].Name, err)
		}
		t := summarise(tt.runs)
		res.Requests[i].Cached = &t
		logf("tally  %-28s cached repeats p50 %s p95 %s", reqs[i].Name, msText(t.P50), msText(t.P95))
	}
	if cfg.LoadSeconds > 0 {
		tp, err := measureThroughput(ctx, "cached", srv.url, srv.cmd.Process.Pid, w, time.Duration(cfg.LoadSeconds*float64(time.Second)), logf)
		if err != nil {
			srv.stop()
			return err
		}
		res.Throughput = append(res.Throughput, tp...)
	}
	rss, err := srv.stop()
	if err != nil {
		logf("tally serve did not stop cleanly: %v", err)
	}
	res.ServePeakRSS = max(res.ServePeakRSS, rss)
	return nil
}

// measureRaw times every request's SQL through DuckDB over the Parquet
// files and compares its answer with Tally's.
func measureRaw(ctx context.Context, cfg Config, export string, reqs []Request, answers []answer,
	res *Results, logf func(string, ...any)) error {
	raw, err := openRaw(ctx, export, cfg.Threads)
	if err != nil {
		return err
	}
	defer raw.Close()
	res.DuckDBVersion = raw.version(ctx)
	for i, q := range reqs {
		a, ds, err := raw.time(ctx, q, cfg.RawRuns)
		if err != nil {
			return err
		}
		r := &res.Requests[i]
		r.DuckDB, r.DuckDBRows = summarise(ds), len(a.rows)
		if r.DuckDB.P50 > 0 {
			r.Ratio = r.Tally.P50 / r.DuckDB.P50
		}
		r.Difference = compare(answers[i], a)
		r.Agree = r.Difference == ""
		logf("duckdb %-28s p50 %s p95 %s; ratio %.3f; same answer: %v", q.Name, msText(r.DuckDB.P50), msText(r.DuckDB.P95), r.Ratio, r.Agree)
	}
	return nil
}

// write stores results.json and results.md.
func write(out string, res *Results) error {
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "results.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "results.md"), []byte(res.Markdown()), 0o644)
}

func tallyVersion(ctx context.Context, tally string) string {
	out, err := exec.CommandContext(ctx, tally, "version").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(out)), "tally"))
}

// host describes this machine; the CPU model and memory come from /proc
// where there is one.
func host() Host {
	h := Host{CPUs: runtime.NumCPU(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				h.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			var kb int64
			if n, _ := fmt.Sscanf(sc.Text(), "MemTotal: %d kB", &kb); n == 1 {
				h.MemBytes = kb * 1024
			}
		}
	}
	return h
}
