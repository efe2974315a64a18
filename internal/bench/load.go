package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Concurrencies are the numbers of simultaneous clients the throughput
// benchmark runs each request at.
var Concurrencies = []int{1, 8, 64}

// loadRequest is one request of the throughput benchmark: a Cost Explorer
// operation and its JSON body, sent as is.
type loadRequest struct {
	Name string
	op   string
	body []byte
}

// loadRequests are the small, frequent questions a dashboard asks: the
// services of last month, the monthly total of the year, and three months
// of daily costs by service (one page).
func loadRequests(w Window) []loadRequest {
	y0, y1 := w.Year()
	body := func(v any) []byte {
		b, _ := json.Marshal(v)
		return b
	}
	period := func(from, to time.Time) map[string]string {
		return map[string]string{"Start": date(from), "End": date(to)}
	}
	return []loadRequest{
		{"dimension-values-month", "GetDimensionValues", body(map[string]any{
			"TimePeriod": period(w.Month(-1), w.Month(0)), "Dimension": "SERVICE"})},
		{"monthly-total", "GetCostAndUsage", body(map[string]any{
			"TimePeriod": period(y0, y1), "Granularity": "MONTHLY", "Metrics": []string{"UnblendedCost"}})},
		{"daily-by-service-3-months", "GetCostAndUsage", body(map[string]any{
			"TimePeriod": period(w.Month(-3), w.Month(0)), "Granularity": "DAILY", "Metrics": []string{"UnblendedCost"},
			"GroupBy": []map[string]string{{"Type": "DIMENSION", "Key": "SERVICE"}}})},
	}
}

// ThroughputResult is one request at one concurrency.
type ThroughputResult struct {
	// Server says which server answered: "computed" (tally serve
	// --no-result-cache, every answer computed) or "cached" (the default
	// server, repeats answered from its answer cache).
	Server      string  `json:"server"`
	Request     string  `json:"request"`
	Concurrency int     `json:"concurrency"`
	Requests    int     `json:"requests"`
	Errors      int     `json:"errors"`
	Seconds     float64 `json:"seconds"`
	PerSecond   float64 `json:"requests_per_second"`
	P50         float64 `json:"p50_ms"`
	P99         float64 `json:"p99_ms"`
	// ServerCPU is the server process's CPU time (user + system, from
	// /proc/<pid>/stat) per request, in milliseconds; 0 where /proc is
	// missing.
	ServerCPU float64 `json:"server_cpu_ms_per_request"`
	// Load is the machine's 1-minute load average when the run ended.
	Load string `json:"load_average"`
}

// signedSender sends Cost Explorer requests signed by aws-sdk-go-v2's SigV4
// signer with the test key, reading each answer to its end.
type signedSender struct {
	url    string
	client *http.Client
	signer *v4.Signer
	creds  aws.Credentials
}

func newSignedSender(url string, conns int) *signedSender {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = conns*2, conns*2
	return &signedSender{url: url, client: &http.Client{Transport: tr, Timeout: time.Minute}, signer: v4.NewSigner(),
		creds: aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}}
}

func (s *signedSender) send(ctx context.Context, r loadRequest, hash string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/", bytes.NewReader(r.body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSInsightsIndexService."+r.op)
	if err := s.signer.SignHTTP(ctx, s.creds, req, hash, "ce", "us-east-1", time.Now()); err != nil {
		return err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, b)
	}
	return nil
}

// measureThroughput runs every load request at every concurrency for d
// against the server at url (process pid), after a short warm-up, and
// returns one result per pair.
func measureThroughput(ctx context.Context, server, url string, pid int, w Window, d time.Duration, logf func(string, ...any)) ([]ThroughputResult, error) {
	s := newSignedSender(url, slices.Max(Concurrencies))
	var out []ThroughputResult
	for _, r := range loadRequests(w) {
		sum := sha256.Sum256(r.body)
		hash := hex.EncodeToString(sum[:])
		for range 3 { // warm-up: connections, DuckDB's caches
			if err := s.send(ctx, r, hash); err != nil {
				return nil, fmt.Errorf("throughput %s: %w", r.Name, err)
			}
		}
		for _, c := range Concurrencies {
			res, err := runLoad(ctx, s, r, hash, c, d, pid)
			if err != nil {
				return nil, err
			}
			res.Server = server
			out = append(out, res)
			logf("load   %-8s %-28s c=%-3d %7.0f req/s, p50 %s p99 %s, server CPU %.2f ms/req, %d errors (load %s)", server, r.Name, c, res.PerSecond,
				msText(res.P50), msText(res.P99), res.ServerCPU, res.Errors, res.Load)
		}
	}
	return out, nil
}

// runLoad keeps c clients sending r back to back for d.
func runLoad(ctx context.Context, s *signedSender, r loadRequest, hash string, c int, d time.Duration, pid int) (ThroughputResult, error) {
	var (
		mu     sync.Mutex
		lat    []time.Duration
		errs   int
		first  error
		wg     sync.WaitGroup
		cpu0   = processCPU(pid)
		start  = time.Now()
		finish = start.Add(d)
	)
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			bad := 0
			var firstErr error
			for time.Now().Before(finish) && ctx.Err() == nil {
				t := time.Now()
				if err := s.send(ctx, r, hash); err != nil {
					bad++
					if firstErr == nil {
						firstErr = err
					}
					continue
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += bad
			if first == nil {
				first = firstErr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := processCPU(pid) - cpu0
	if ctx.Err() != nil {
		return ThroughputResult{}, ctx.Err()
	}
	if len(lat) == 0 {
		return ThroughputResult{}, fmt.Errorf("throughput %s at %d: no request succeeded: %v", r.Name, c, first)
	}
	slices.Sort(lat)
	res := ThroughputResult{Request: r.Name, Concurrency: c, Requests: len(lat), Errors: errs, Seconds: elapsed.Seconds(),
		PerSecond: float64(len(lat)) / elapsed.Seconds(), P50: ms(percentile(lat, 50)), P99: ms(percentile(lat, 99)), Load: loadAverage()}
	if cpu > 0 {
		res.ServerCPU = ms(cpu) / float64(len(lat)+errs)
	}
	return res, nil
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's times: 100 on
// every Linux architecture Go supports.
const clockTicks = 100

// processCPU returns the user + system CPU time of process pid so far, or 0
// without /proc.
func processCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 { // utime and stime are fields 14 and 15
		return 0
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(utime+stime) * time.Second / clockTicks
}

// loadAverage returns the 1-, 5- and 15-minute load averages, or "".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
