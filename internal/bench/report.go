package bench

import (
	"fmt"
	"strings"
	"time"
)

// Targets Tally is held to, on 2 cores at 10M line items.
const (
	TargetIngestRate = 600_000    // line items per second, at least
	TargetPeakRSS    = 1 << 30    // bytes, at most
	TargetRatio      = 0.2        // Tally p50 / DuckDB p50, at most
	TargetSmallRPS   = 2000       // small requests per second at concurrency 8, at least
	TargetSmallCPU   = 1.0        // server CPU-ms per small request, at most
	targetSize       = 10_000_000 // line items the targets are stated for
	mib              = float64(1 << 20)
)

// Host describes the machine a run measured.
type Host struct {
	CPUs     int    `json:"cpus"`
	CPUModel string `json:"cpu_model,omitempty"`
	MemBytes int64  `json:"mem_bytes,omitempty"`
	OS       string `json:"os"`
	Arch     string `json:"arch"`
}

// RequestResult is one request of the set: Tally through the SDK beside
// DuckDB over the raw Parquet.
type RequestResult struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Pages is how many responses Tally's answer took; Rows counts its
	// groups (values, for GetDimensionValues) over all pages.
	Pages int `json:"pages"`
	Rows  int `json:"rows"`
	// First is the first run of the request on a fresh server, in
	// milliseconds: nothing of its answer was computed before.
	First float64 `json:"tally_first_ms"`
	// Tally times the runs after the first, each computing its answer
	// (the server runs with --no-result-cache).
	Tally Timing `json:"tally"`
	// Cached times repeats that Cost Explorer's result cache answers
	// (multi-page requests only; nil otherwise).
	Cached *Timing `json:"tally_cached,omitempty"`
	// ServerMean is the mean time the server spent answering one timed run
	// (all its pages), in milliseconds, from its /metrics; the rest of
	// Tally's time is the SDK client and the loopback transfer.
	ServerMean float64 `json:"tally_server_mean_ms"`
	// SDKMean is the mean time per timed run the SDK client spent outside
	// its HTTP exchanges (signing and, mostly, decoding the answers), in
	// milliseconds.
	SDKMean float64 `json:"tally_sdk_mean_ms"`
	// Load is the machine's load average when the timed runs ended.
	Load string `json:"load_average,omitempty"`
	// DuckDBRows counts the rows of the raw query's answer.
	DuckDBRows int    `json:"duckdb_rows"`
	DuckDB     Timing `json:"duckdb"`
	// Ratio is Tally's p50 over DuckDB's p50.
	Ratio float64 `json:"ratio"`
	// Agree says both answers are the same; Difference names the first
	// difference otherwise.
	Agree      bool   `json:"answers_agree"`
	Difference string `json:"difference,omitempty"`
	// Total is the sum of the first metric over Tally's answer.
	Total float64 `json:"total,omitempty"`
}

// Results is everything one run measured; it is written as results.json.
type Results struct {
	StartedAt    time.Time `json:"started_at"`
	TallyVersion string    `json:"tally_version"`
	// Backend is the cost store measured: duckdb or clickhouse.
	Backend       string          `json:"backend"`
	DuckDBVersion string          `json:"duckdb_version"`
	Host          Host            `json:"host"`
	Data          Dataset         `json:"data"`
	Ingest        IngestResult    `json:"ingest"`
	ServePeakRSS  int64           `json:"serve_peak_rss_bytes"`
	Requests      []RequestResult `json:"requests"`
	// Throughput is the load generator's results (see load.go).
	Throughput []ThroughputResult `json:"throughput,omitempty"`
	// LoadAtStart and LoadAtEnd are the machine's load averages (1, 5
	// and 15 minutes) when the run started and ended.
	LoadAtStart string `json:"load_average_start,omitempty"`
	LoadAtEnd   string `json:"load_average_end,omitempty"`
	// ServeThreads is the --db-threads given to `tally serve` (0: its
	// default, one per CPU).
	ServeThreads int            `json:"serve_db_threads,omitempty"`
	Targets      []TargetResult `json:"targets"`
}

// TargetResult says whether one target was met.
type TargetResult struct {
	What     string `json:"what"`
	Target   string `json:"target"`
	Measured string `json:"measured"`
	Met      bool   `json:"met"`
}

// checkTargets compares the results with the targets.
func (r *Results) checkTargets() {
	r.Targets = []TargetResult{
		{"ingest rate", fmt.Sprintf("≥ %s line items/s", thousands(TargetIngestRate)),
			thousands(int64(r.Ingest.Rate)) + " line items/s", r.Ingest.Rate >= TargetIngestRate},
		{"ingest peak RSS", "≤ 1 GiB", fmt.Sprintf("%.0f MiB", float64(r.Ingest.PeakRSS)/mib), r.Ingest.PeakRSS <= TargetPeakRSS},
	}
	for _, q := range r.Requests {
		measured := fmt.Sprintf("%.3f×", q.Ratio)
		if q.DuckDB.P50 > 0 && q.ServerMean > 0 {
			// Where the SDK's decoding dominates, the server's own share
			// says what Tally can still change.
			measured += fmt.Sprintf(" (server's share %.3f×)", q.ServerMean/q.DuckDB.P50)
		}
		r.Targets = append(r.Targets, TargetResult{q.Name + " p50 ratio", fmt.Sprintf("≤ %.1f× DuckDB", TargetRatio),
			measured, q.Ratio <= TargetRatio && q.Agree})
	}
	for _, t := range r.Throughput {
		if t.Concurrency != 8 || t.Request == "daily-by-service-3-months" {
			continue
		}
		r.Targets = append(r.Targets, TargetResult{t.Request + " at concurrency 8 (" + t.Server + ")", fmt.Sprintf("≥ %s requests/s, ≤ %.0f server CPU-ms each",
			thousands(TargetSmallRPS), TargetSmallCPU), fmt.Sprintf("%.0f requests/s, %.2f CPU-ms", t.PerSecond, t.ServerCPU),
			t.PerSecond >= TargetSmallRPS && t.ServerCPU <= TargetSmallCPU && t.Errors == 0})
	}
}

// Markdown renders the results as the tables of results.md.
func (r *Results) Markdown() string {
	var b strings.Builder
	h := r.Host
	backend := ""
	if r.Backend != "" {
		backend = ", " + r.Backend + " backend"
	}
	fmt.Fprintf(&b, "## Tally benchmark: %s line items%s\n\n", thousands(r.Data.LineItems), backend)
	fmt.Fprintf(&b, "%s, %d CPUs, %.1f GiB RAM, %s/%s; tally %s; DuckDB %s; %s.\n",
		orUnknown(h.CPUModel), h.CPUs, float64(h.MemBytes)/(1<<30), h.OS, h.Arch, r.TallyVersion, r.DuckDBVersion,
		r.StartedAt.UTC().Format("2006-01-02 15:04 MST"))
	gen := fmt.Sprintf("generated in %.1f s", r.Data.Seconds)
	if r.Data.Reused {
		gen = "reused from an earlier run"
	}
	fmt.Fprintf(&b, "Data: CUR 2.0 Parquet, seed %d, %d billing periods up to %s, %d files, %.0f MiB (%s).\n",
		r.Data.Seed, r.Data.Periods, r.Data.Now.Format("2006-01-02 15:04"), r.Data.Files, float64(r.Data.Bytes)/mib, gen)
	if r.ServeThreads > 0 {
		fmt.Fprintf(&b, "`tally serve --db-threads=%d` (DuckDB worker threads; the default is one per CPU).\n", r.ServeThreads)
	}
	if r.LoadAtStart != "" {
		fmt.Fprintf(&b, "Load average (1, 5, 15 min) at the start: %s; at the end: %s. On a shared machine every figure is indicative.\n",
			r.LoadAtStart, orUnknown(r.LoadAtEnd))
	}
	b.WriteString("\n")

	ingestTitle := "ingest (`tally ingest`, child process)"
	if r.Ingest.Reused {
		ingestTitle += ", reused from an earlier run"
	}
	fmt.Fprintf(&b, "| %s | measured |\n|---|---|\n", ingestTitle)
	fmt.Fprintf(&b, "| line items | %s |\n", thousands(r.Ingest.LineItems))
	fmt.Fprintf(&b, "| wall time | %.1f s |\n", r.Ingest.Seconds)
	fmt.Fprintf(&b, "| rate | %s line items/s |\n", thousands(int64(r.Ingest.Rate)))
	fmt.Fprintf(&b, "| peak RSS | %.0f MiB |\n", float64(r.Ingest.PeakRSS)/mib)
	fmt.Fprintf(&b, "| data directory | %.0f MiB |\n", float64(r.Ingest.StoreBytes)/mib)
	fmt.Fprintf(&b, "| `tally serve` peak RSS (whole run) | %.0f MiB |\n\n", float64(r.ServePeakRSS)/mib)

	b.WriteString("| request | pages | rows | Tally first | Tally p50 | Tally p95 | server mean | SDK mean | cached p50 | DuckDB p50 | DuckDB p95 | ratio | same answer | load |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|\n")
	for _, q := range r.Requests {
		agree := "yes"
		if !q.Agree {
			agree = "**no**: " + q.Difference
		}
		cached := "—"
		if q.Cached != nil {
			cached = msText(q.Cached.P50)
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %.3f | %s | %s |\n", q.Name, q.Pages, thousands(int64(q.Rows)),
			msText(q.First), msText(q.Tally.P50), msText(q.Tally.P95), msText(q.ServerMean), msText(q.SDKMean), cached,
			msText(q.DuckDB.P50), msText(q.DuckDB.P95), q.Ratio, agree, q.Load)
	}
	b.WriteString("\n")
	for _, q := range r.Requests {
		fmt.Fprintf(&b, "- `%s`: %s\n", q.Name, q.Description)
	}
	if len(r.Requests) > 0 {
		fmt.Fprintf(&b, "\nTally: every page fetched through aws-sdk-go-v2; first: the request's first run on a fresh server; "+
			"p50/p95: %d timed runs after it, each computing its answer (`tally serve --no-result-cache`); "+
			"server mean: the server's own time per timed run (all pages) from its /metrics; "+
			"SDK mean: the client's time outside its HTTP exchanges (signing, decoding the answers); "+
			"load: the machine's load averages when the timed runs ended; "+
			"cached p50: repeats of a multi-page request answered from the result cache (a server without the flag). "+
			"DuckDB: %d timed runs after one warm-up over read_parquet of the export. Ratio = Tally p50 (computed) / DuckDB p50.\n",
			r.Requests[0].Tally.Runs, r.Requests[0].DuckDB.Runs)
	}

	if len(r.Throughput) > 0 {
		b.WriteString("\n| throughput (signed load generator on loopback) | server | clients | requests | req/s | p50 | p99 | server CPU per request | errors | load |\n")
		b.WriteString("|---|---|--:|--:|--:|--:|--:|--:|--:|---|\n")
		for _, t := range r.Throughput {
			fmt.Fprintf(&b, "| %s | %s | %d | %s | %.0f | %s | %s | %.2f ms | %d | %s |\n", t.Request, t.Server, t.Concurrency, thousands(int64(t.Requests)),
				t.PerSecond, msText(t.P50), msText(t.P99), t.ServerCPU, t.Errors, t.Load)
		}
		b.WriteString("\nEach row: that many clients sending the request back to back for the same time, each request signed with SigV4 by " +
			"aws-sdk-go-v2's signer and its answer read to the end; server CPU: user + system time of the `tally serve` process " +
			"(/proc/<pid>/stat) over the requests. The load generator runs on the same 2 cores. " +
			"Server computed: `tally serve --no-result-cache`, every answer computed (cold); cached: the default server, " +
			"whose answer cache (per store version, caller and canonical request) answers the repeats (hot).\n")
	}

	note := ""
	if r.Data.LineItems < targetSize*9/10 || r.Data.LineItems > targetSize*11/10 {
		note = fmt.Sprintf(" (stated for %s line items on 2 cores; this run has %s on %d)",
			thousands(targetSize), thousands(r.Data.LineItems), h.CPUs)
	}
	fmt.Fprintf(&b, "\n| target%s | wanted | measured | met |\n|---|---|---|---|\n", note)
	for _, t := range r.Targets {
		met := "yes"
		if !t.Met {
			met = "**no**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", t.What, t.Target, t.Measured, met)
	}
	return b.String()
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown CPU"
	}
	return s
}

func msText(v float64) string {
	switch {
	case v >= 1000:
		return fmt.Sprintf("%.2f s", v/1000)
	case v >= 10:
		return fmt.Sprintf("%.0f ms", v)
	}
	return fmt.Sprintf("%.1f ms", v)
}

// thousands renders n with comma separators: 1,234,567.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
