package bench

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
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
	return costexplorer.New(costexplorer.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(baseURL),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   &http.Client{Timeout: 10 * time.Minute, Transport: sdkhttp.Transport{Base: http.DefaultTransport}},
	})
}

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
}

// timeTally sends req once, timing it as the first computation and keeping
// its answer, then n times timed; each timing covers every page of the
// answer. serverSecs, when not nil, reads the server's cumulative time
// answering req's operation, which gives the mean server time of one timed
// run.
func timeTally(ctx context.Context, c *costexplorer.Client, req Request, n int, serverSecs func(op string) (float64, bool)) (answer, tallyTiming, error) {
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
	for range n {
		start := time.Now()
		if _, err := req.call(ctx, c); err != nil {
			return a, t, err
		}
		t.runs = append(t.runs, time.Since(start))
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
