package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tallyhq/tally/internal/s3sync"
)

// ingestS3 runs `tally ingest` for arguments that name s3://BUCKET/PREFIX:
// the complete deliveries not yet ingested in their current state are
// downloaded into DATA/s3, ingested like local exports, then recorded so
// the next run skips them. Credentials, region and endpoint come from the
// AWS SDK's usual chain (AWS_ENDPOINT_URL_S3 for S3-compatible stores).
func ingestS3(ctx context.Context, data, meta, storeAddr string, args []string, stdout, stderr io.Writer) error {
	var (
		local []string
		took  []func() error
	)
	for _, a := range args {
		if !strings.HasPrefix(a, "s3://") {
			local = append(local, a)
			continue
		}
		src, err := s3Source(ctx, data, a)
		if err != nil {
			return err
		}
		pending, waiting, err := src.Pending(ctx)
		if err != nil {
			return err
		}
		for _, w := range waiting {
			fmt.Fprintf(stderr, "incomplete delivery, not ingested yet: s3://%s/%s\n", src.Bucket, w)
		}
		for _, d := range pending {
			m, err := src.Fetch(ctx, d)
			if err != nil {
				return err
			}
			local = append(local, m)
			took = append(took, func() error { return src.Done(d) })
		}
	}
	if len(local) == 0 {
		fmt.Fprintln(stdout, "nothing new to ingest")
		return nil
	}
	flags := []string{"--data", data}
	if meta != "" {
		flags = append(flags, "--meta", meta)
	}
	if storeAddr != "" {
		flags = append(flags, "--store", storeAddr)
	}
	if err := runIngest(ctx, append(flags, local...), stdout, stderr); err != nil {
		return err
	}
	for _, done := range took {
		if err := done(); err != nil {
			return err
		}
	}
	return nil
}

// s3Source opens the bucket prefix of url with the SDK's default
// configuration; a custom endpoint gets path-style addressing, which
// S3-compatible stores expect.
func s3Source(ctx context.Context, data, url string) (*s3sync.Source, error) {
	bucket, prefix, err := s3sync.ParseURL(url)
	if err != nil {
		return nil, usageError{err.Error()}
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("s3: AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = os.Getenv("AWS_ENDPOINT_URL_S3") != "" || os.Getenv("AWS_ENDPOINT_URL") != ""
		o.DisableLogOutputChecksumValidationSkipped = true // S3-compatible stores often send none
	})
	return &s3sync.Source{Client: client, Bucket: bucket, Prefix: prefix, Dir: filepath.Join(data, "s3")}, nil
}
