package server

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// unknownTarget labels the requests whose target names no operation, so
// that no request can add a series: every label set is bounded by the
// router's targets and the statuses the server answers with.
const unknownTarget = "unknown"

// maxSeries bounds the request series even if a status outside HTTP's
// range were ever counted; later series fold into the unknown target.
const maxSeries = 4096

// metrics counts API requests per target and status, and their total time,
// in Prometheus text format.
type metrics struct {
	known map[string]bool // the router's targets
	mu    sync.Mutex
	count map[[2]string]int64
	secs  map[string]float64
	// pendingBytes is the room held by request bodies being read before
	// their signature is verified.
	pendingBytes atomic.Int64
}

func newMetrics(targets []string) *metrics {
	m := &metrics{known: map[string]bool{}, count: map[[2]string]int64{}, secs: map[string]float64{}}
	for _, t := range targets {
		m.known[t] = true
	}
	return m
}

func (m *metrics) observe(target string, status int, d time.Duration) {
	if !m.known[target] {
		target = unknownTarget
	}
	key := [2]string{target, strconv.Itoa(status)}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.count[key]; !ok && len(m.count) >= maxSeries {
		key = [2]string{unknownTarget, "other"}
	}
	m.count[key]++
	m.secs[key[0]] += d.Seconds()
}

func (m *metrics) serve(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	defer m.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	fmt.Fprintln(w, "# HELP tally_api_requests_total API requests by target and HTTP status.")
	fmt.Fprintln(w, "# TYPE tally_api_requests_total counter")
	keys := make([][2]string, 0, len(m.count))
	for k := range m.count {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	for _, k := range keys {
		fmt.Fprintf(w, "tally_api_requests_total{target=%q,status=%q} %d\n", k[0], k[1], m.count[k])
	}
	fmt.Fprintln(w, "# HELP tally_api_request_seconds_total Time spent answering API requests by target.")
	fmt.Fprintln(w, "# TYPE tally_api_request_seconds_total counter")
	targets := make([]string, 0, len(m.secs))
	for t := range m.secs {
		targets = append(targets, t)
	}
	sort.Strings(targets)
	for _, t := range targets {
		fmt.Fprintf(w, "tally_api_request_seconds_total{target=%q} %g\n", t, m.secs[t])
	}
	fmt.Fprintln(w, "# HELP tally_api_pending_body_bytes Bytes reserved for API request bodies being read before their signature is verified.")
	fmt.Fprintln(w, "# TYPE tally_api_pending_body_bytes gauge")
	fmt.Fprintf(w, "tally_api_pending_body_bytes %d\n", m.pendingBytes.Load())
}
