package bench

import (
	"context"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
)

// NewClient returns a Cost Explorer client of the real SDK for the Tally at
// baseURL, signing with the built-in test key and never retrying, so that a
// timing is one attempt.
func NewClient(baseURL string) *costexplorer.Client {
	return costexplorer.New(costexplorer.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(baseURL),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   &http.Client{Timeout: 10 * time.Minute},
	})
}

// timeTally sends req once to warm up and to keep its answer, then n times
// timed; each timing covers every page of the answer.
func timeTally(ctx context.Context, c *costexplorer.Client, req Request, n int) (answer, []time.Duration, error) {
	a, err := req.call(ctx, c)
	if err != nil {
		return a, nil, err
	}
	ds := make([]time.Duration, 0, n)
	for range n {
		start := time.Now()
		if _, err := req.call(ctx, c); err != nil {
			return a, nil, err
		}
		ds = append(ds, time.Since(start))
	}
	return a, ds, nil
}
