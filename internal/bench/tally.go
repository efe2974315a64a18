package bench

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tallyhq/tally/internal/sdkhttp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
)

// NewClient returns a Cost Explorer client of the real SDK for the Tally at
// baseURL, signing with the built-in test key and never retrying, so that a
// timing is one attempt (sdkhttp keeps one attempt from failing for nothing).
func NewClient(baseURL string) *costexplorer.Client {
	c, _ := newTimedClient(baseURL)
	return c
}

// newTimedClient is NewClient with the time its HTTP exchanges took, each
// from sending the request to the last byte of the answer: the rest of a
// call is the SDK's own work (mostly decoding the answer).
func newTimedClient(baseURL string) (*costexplorer.Client, *timedTransport) {
	tt := &timedTransport{base: sdkhttp.Transport{Base: http.DefaultTransport}}
	return costexplorer.New(costexplorer.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(baseURL),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   &http.Client{Timeout: 10 * time.Minute, Transport: tt},
	}), tt
}

// timedTransport reads every answer to its end before the SDK sees it and
// adds up the time the exchanges took.
type timedTransport struct {
	base  http.RoundTripper
	total atomic.Int64 // nanoseconds
}

func (t *timedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	t.total.Add(int64(time.Since(start)))
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, nil
}

// elapsed returns the exchanges' total time so far.
func (t *timedTransport) elapsed() time.Duration { return time.Duration(t.total.Load()) }

// tallyTiming is what timeTally measured.
type tallyTiming struct {
	// first is the untimed-for-percentiles first run: the first time the
	// server answers req.
	first time.Duration
	// runs are the n timed runs after it.
	runs []time.Duration
	// server is the server's mean time per timed run, in milliseconds, or
	// 0 when its /metrics could not be read.
	server float64
	// sdk is the mean time per timed run the SDK spent outside the HTTP
	// exchanges (signing, and decoding the answers), in milliseconds, or
	// 0 when the client's exchanges were not timed.
	sdk float64
}

// timeTally sends req once, timing it as the first computation and keeping
// its answer, then n times timed; each timing covers every page of the
// answer. serverSecs, when not nil, reads the server's cumulative time
// answering req's operation, which gives the mean server time of one timed
// run.
func timeTally(ctx context.Context, c *costexplorer.Client, tt *timedTransport, req Request, n int, serverSecs func(op string) (float64, bool)) (answer, tallyTiming, error) {
	var t tallyTiming
	start := time.Now()
	a, err := req.call(ctx, c)
	t.first = time.Since(start)
	if err != nil {
		return a, t, err
	}
	before, okBefore := 0.0, false
	if serverSecs != nil {
		before, okBefore = serverSecs(req.op)
	}
	t.runs = make([]time.Duration, 0, n)
	var http0 time.Duration
	if tt != nil {
		http0 = tt.elapsed()
	}
	for range n {
		start := time.Now()
		if _, err := req.call(ctx, c); err != nil {
			return a, t, err
		}
		t.runs = append(t.runs, time.Since(start))
	}
	if tt != nil {
		var total time.Duration
		for _, d := range t.runs {
			total += d
		}
		t.sdk = ms(total-(tt.elapsed()-http0)) / float64(n)
	}
	if okBefore {
		if after, ok := serverSecs(req.op); ok {
			t.server = (after - before) / float64(n) * 1000
		}
	}
	return a, t, nil
}

// serverSeconds returns a reader of the tally_api_request_seconds_total
// counter of the server at baseURL, by Cost Explorer operation.
func serverSeconds(ctx context.Context, baseURL string) func(op string) (float64, bool) {
	return func(op string) (float64, bool) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/metrics", nil)
		if err != nil {
			return 0, false
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, false
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			return 0, false
		}
		return parseCounter(string(b), `tally_api_request_seconds_total{target="AWSInsightsIndexService.`+op+`"}`)
	}
}

// parseCounter finds the value of the metric line that starts with name in
// a Prometheus text exposition.
func parseCounter(text, name string) (float64, bool) {
	for _, line := range strings.Split(text, "\n") {
		if rest, ok := strings.CutPrefix(line, name+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			return v, err == nil
		}
	}
	return 0, false
}
