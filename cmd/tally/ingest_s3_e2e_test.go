package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/sdkhttp"
)

// fakeBucket serves an in-memory S3 bucket speaking the real S3 protocol,
// points the SDK's environment at it and returns a client to fill it.
func fakeBucket(t *testing.T, bucket string) *s3.Client {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(ts.Close)
	for k, v := range map[string]string{"AWS_ENDPOINT_URL_S3": ts.URL, "AWS_ACCESS_KEY_ID": "s3key", "AWS_SECRET_ACCESS_KEY": "s3secret",
		"AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_CA_BUNDLE": "", "AWS_PROFILE": "", "AWS_ENDPOINT_URL": "", "AWS_EC2_METADATA_DISABLED": "true"} {
		setenv(t, k, v)
	}
	return s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(ts.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("s3key", "s3secret", ""), HTTPClient: sdkhttp.Client()})
}

// upload puts the files of a generated export (dir) whose path contains
// match under prefix.
func upload(t *testing.T, c *s3.Client, bucket, prefix, dir string, match func(rel string) bool) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if !match(filepath.ToSlash(rel)) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String(prefix + filepath.ToSlash(rel)), Body: bytes.NewReader(b)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// ingestS3Periods runs `tally ingest DATA s3://…` and returns the billing
// periods it ingested and what it said on stderr.
func ingestS3Periods(t *testing.T, data, url string) (periods []string, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"ingest", "--data", data, url}, &out, &errOut); err != nil {
		t.Fatalf("tally ingest %s: %v\n%s", url, err, errOut.String())
	}
	if strings.HasPrefix(out.String(), "nothing new") {
		return nil, errOut.String()
	}
	var rep ingest.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("report %q: %v", out.String(), err)
	}
	for _, p := range rep.Periods {
		periods = append(periods, p.Period.Month.Format("2006-01"))
	}
	slices.Sort(periods)
	return periods, errOut.String()
}

// TestIngestS3 follows CUR 2.0 deliveries into a bucket: a month delivered
// in several parts is taken only once its manifest and every part are
// there, an unchanged delivery is skipped (also by a later run), and a
// restated month is ingested again.
func TestIngestS3(t *testing.T) {
	const bucket, prefix = "billing", "exports/"
	c := fakeBucket(t, bucket)
	gen := func(seed string) string {
		dir := t.TempDir()
		var out bytes.Buffer
		err := run(context.Background(), []string{"generate", "--out", dir, "--format", "cur2", "--accounts", "1",
			"--start", "2024-01-01", "--end", "2024-03-01", "--rows", "6000", "--rows-per-file", "1000", "--seed", seed}, &out, &out)
		if err != nil {
			t.Fatalf("generate: %v\n%s", err, out.String())
		}
		return dir
	}
	first, restated := gen("1"), gen("2")
	data := t.TempDir()
	url := "s3://" + bucket + "/" + prefix
	jan := func(rel string) bool { return strings.Contains(rel, "BILLING_PERIOD=2024-01/") }
	feb := func(rel string) bool { return strings.Contains(rel, "BILLING_PERIOD=2024-02/") }
	manifest := func(rel string) bool { return strings.HasSuffix(rel, "-Manifest.json") }
	part := func(n string) func(string) bool {
		return func(rel string) bool { return feb(rel) && strings.HasSuffix(rel, "-0000"+n+".snappy.parquet") }
	}

	// January complete; February's data half written, no manifest yet.
	upload(t, c, bucket, prefix, first, jan)
	upload(t, c, bucket, prefix, first, part("1"))
	if got, stderr := ingestS3Periods(t, data, url); !slices.Equal(got, []string{"2024-01"}) {
		t.Fatalf("first run ingested %v, want [2024-01]; said %s", got, stderr)
	}
	// February's manifest arrives before its last parts.
	upload(t, c, bucket, prefix, first, func(rel string) bool { return feb(rel) && manifest(rel) })
	if got, stderr := ingestS3Periods(t, data, url); got != nil || !strings.Contains(stderr, "BILLING_PERIOD=2024-02") {
		t.Fatalf("with February incomplete: ingested %v, said %q", got, stderr)
	}
	upload(t, c, bucket, prefix, first, feb)
	if got, _ := ingestS3Periods(t, data, url); !slices.Equal(got, []string{"2024-02"}) {
		t.Fatalf("once February is complete: ingested %v, want [2024-02]", got)
	}
	if got, _ := ingestS3Periods(t, data, url); got != nil {
		t.Fatalf("nothing changed, yet ingested %v", got)
	}
	// AWS restates January: same keys, new content.
	upload(t, c, bucket, prefix, restated, jan)
	if got, _ := ingestS3Periods(t, data, url); !slices.Equal(got, []string{"2024-01"}) {
		t.Fatalf("after January's restatement: ingested %v, want [2024-01]", got)
	}
}

// storedPeriods returns the billing months in the store with the time each
// was ingested.
func storedPeriods(t *testing.T, inst *instance) map[string]time.Time {
	t.Helper()
	ps, err := inst.app.Store.Periods(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]time.Time{}
	for _, p := range ps {
		out[p.Period.Month.Format("2006-01")] = p.IngestedAt
	}
	return out
}

// TestWatch runs `tally serve --watch` on a bucket prefix and on a folder:
// a delivery shows up once its manifest and files are there, within a poll
// interval, and a restarted server does not read it again.
func TestWatch(t *testing.T) {
	exports := t.TempDir()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"generate", "--out", exports, "--format", "cur2", "--accounts", "1",
		"--start", "2024-01-01", "--end", "2024-02-01", "--rows", "2000"}, &out, &out); err != nil {
		t.Fatalf("generate: %v\n%s", err, out.String())
	}
	c := fakeBucket(t, "billing")
	for _, tc := range []struct{ name, target string }{
		{"s3", "s3://billing/exports/"},
		{"folder", exports},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := t.TempDir()
			flags := []string{"--watch", tc.target, "--watch-interval", "50ms"}
			inst, stop := launch(t, data, &serveHooks{}, flags...) // real clock: a re-ingest would change IngestedAt
			if tc.name == "s3" {
				if got := storedPeriods(t, inst); len(got) != 0 {
					t.Fatalf("empty bucket, yet stored %v", got)
				}
				upload(t, c, "billing", "exports/", exports, func(string) bool { return true })
			}
			start := time.Now()
			eventually(t, "the delivery in the store", func() bool { return len(storedPeriods(t, inst)) == 1 })
			t.Logf("%s: in the store %v after the delivery was complete", tc.name, time.Since(start).Round(time.Millisecond))
			checkWatchStatus(t, inst, tc.target)
			before := storedPeriods(t, inst)
			stop()

			inst, _ = launch(t, data, &serveHooks{}, flags...) // real clock: a re-ingest would change IngestedAt
			time.Sleep(300 * time.Millisecond)                 // several polls
			if diff := cmp.Diff(before, storedPeriods(t, inst)); diff != "" {
				t.Errorf("the restarted server ingested again (-before +after):\n%s", diff)
			}
		})
	}
}

// checkWatchStatus checks the Data page's view of the one watched source
// after its delivery was stored: last sync, the last ingest's periods, and a
// next poll within the interval.
func checkWatchStatus(t *testing.T, inst *instance, target string) {
	t.Helper()
	type watch struct {
		Source     string     `json:"source"`
		LastSync   *time.Time `json:"lastSync"`
		Outcome    string     `json:"outcome"`
		LastIngest *time.Time `json:"lastIngest"`
		Periods    []string   `json:"periods"`
		Rows       int64      `json:"rows"`
		NextPoll   time.Time  `json:"nextPoll"`
	}
	var w watch
	eventually(t, "the watch status with its ingest", func() bool {
		var d struct {
			Watches []watch `json:"watches"`
		}
		uiGet(t, inst, "/ui/api/data", "test", "test", &d)
		if len(d.Watches) != 1 {
			t.Fatalf("watches = %+v, want the one watched source", d.Watches)
		}
		w = d.Watches[0]
		return w.LastIngest != nil && w.LastSync != nil
	})
	if w.Source != target || len(w.Periods) != 1 || !strings.HasSuffix(w.Periods[0], " 2024-01") || w.Rows <= 0 ||
		(w.Outcome != "ingested" && w.Outcome != "nothing new") || w.LastSync.Before(*w.LastIngest) ||
		w.NextPoll.Before(w.LastSync.Add(-time.Millisecond)) || w.NextPoll.After(w.LastSync.Add(time.Second)) {
		t.Errorf("watch status = %+v", w)
	}
}

// TestIngestS3LegacyCUR takes legacy CUR deliveries: the period folder's
// manifest decides, over the per-assembly copies below it.
func TestIngestS3LegacyCUR(t *testing.T) {
	c := fakeBucket(t, "cur")
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"generate", "--out", dir, "--format", "cur", "--accounts", "1",
		"--start", "2024-01-01", "--end", "2024-03-01", "--rows", "3000"}, &out, &out); err != nil {
		t.Fatalf("generate: %v\n%s", err, out.String())
	}
	upload(t, c, "cur", "", dir, func(string) bool { return true })
	if got, stderr := ingestS3Periods(t, t.TempDir(), "s3://cur/tally-synth/"); !slices.Equal(got, []string{"2024-01", "2024-02"}) {
		t.Fatalf("ingested %v, want [2024-01 2024-02]; said %s", got, stderr)
	}
}
