package server

import (
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"
)

// metrics counts API requests per target and status, and their total time,
// in Prometheus text format.
type metrics struct {
	mu    sync.Mutex
	count map[[2]string]int64
	secs  map[string]float64
}

func (m *metrics) observe(target string, status int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.count == nil {
		m.count, m.secs = map[[2]string]int64{}, map[string]float64{}
	}
	m.count[[2]string{target, fmt.Sprint(status)}]++
	m.secs[target] += d.Seconds()
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
}
