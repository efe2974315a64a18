package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/profile"
	"github.com/tallyhq/tally/internal/store"
)

// The banner shows the test key only when the test key works.
func TestBannerShowsTheTestKeyOnlyWithoutCredentials(t *testing.T) {
	keys, err := auth.Parse(strings.NewReader("access_key_id,secret_access_key,account_id\nAKIAEXAMPLE,s3cret,111111111111\n"))
	if err != nil {
		t.Fatal(err)
	}
	periods := []store.PeriodStatus{{Period: billing.BillingPeriod{Source: "cur:1", Month: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)}}}
	for _, tc := range []struct {
		keys *auth.Keys
		want bool
	}{{auth.TestKeys(), true}, {keys, false}} {
		var b bytes.Buffer
		printBanner(&b, "http://127.0.0.1:4599", tc.keys, profile.Unlimited, "data", periods, time.Now())
		if got := strings.Contains(b.String(), "AWS_ACCESS_KEY_ID=test"); got != tc.want {
			t.Errorf("test keys %v: banner shows the test key: %v, want %v\n%s", tc.keys.Test, got, tc.want, b.String())
		}
	}
}

// `tally ingest` says when the hand-off to the server fails before it
// ingests itself, and names a bad file by the path it was given.
func TestIngestSaysWhatHappened(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.MkdirAll("data", 0o755); err != nil {
		t.Fatal(err)
	}
	// A server file left by a server that is gone.
	if err := writeServerFile("data", serverFile{URL: "http://127.0.0.1:1", Token: "x"}); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join("export", "2024-01", "cur.csv")
	os.MkdirAll(filepath.Dir(bad), 0o755)
	os.WriteFile(bad, []byte("a,b\n1,2\n"), 0o644)
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"ingest", "--data", "data", "export"}, &out, &errOut)
	if !strings.Contains(errOut.String(), "handing the files to the server at http://127.0.0.1:1 failed") {
		t.Errorf("stderr = %q, want it to say the hand-off failed", errOut.String())
	}
	if err == nil || !strings.HasPrefix(err.Error(), "ingest: "+bad+": ") {
		t.Errorf("error = %v, want it to name %s", err, bad)
	}
}
