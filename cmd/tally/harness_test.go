package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"

	"github.com/tallyhq/tally/internal/sdkhttp"
)

// samples is the folder of real billing files shared with the project.
var samples = filepath.Join("..", "..", "..", "shared", "billing-samples")

func sample(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join(samples, name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Skipf("sample file %s not found: %v", name, err)
	}
	return p
}

// instance is a Tally server started in-process for a test.
type instance struct {
	url  string
	data string
	app  *app
	out  *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fixedNow is the clock of end-to-end tests over the Workshop CUR files: a
// day in January 2019, so that the 2018 months are inside AWS's history
// window under the aws profile.
var fixedNow = time.Date(2019, 1, 15, 12, 0, 0, 0, time.UTC)

// start runs `tally serve` with extra flags on a fresh data directory and
// waits until it is ready; the server stops when the test ends.
func start(t *testing.T, now time.Time, flags ...string) *instance {
	t.Helper()
	data := t.TempDir()
	return startOn(t, data, now, flags...)
}

func startOn(t *testing.T, data string, now time.Time, flags ...string) *instance {
	t.Helper()
	return startHooks(t, data, now, &serveHooks{}, flags...)
}

// startHooks runs `tally serve` on data with the clock fixed at now and the
// given hooks.
func startHooks(t *testing.T, data string, now time.Time, hooks *serveHooks, flags ...string) *instance {
	t.Helper()
	hooks.now = func() time.Time { return now }
	inst, _ := launch(t, data, hooks, flags...)
	return inst
}

// testClock is a business clock that a test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// launch runs `tally serve` on data with hooks (hooks.ready is set here) and
// waits until it is ready. The returned function stops the server as SIGTERM
// would; the end of the test stops it too.
func launch(t *testing.T, data string, hooks *serveHooks, flags ...string) (*instance, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	inst := &instance{data: data, out: &syncBuffer{}}
	ready := make(chan struct{})
	done := make(chan error, 1)
	hooks.strictErrors = func(err error) { t.Error(err) }
	hooks.ready = func(u string, a *app) {
		inst.url, inst.app = u, a
		close(ready)
	}
	args := append([]string{"--addr", "127.0.0.1:0", "--data", data}, flags...)
	go func() { done <- runServe(ctx, args, inst.out, inst.out, hooks) }()
	select {
	case <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("serve: %v\n%s", err, inst.out)
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("server did not start")
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return inst, stop
}

// ingest loads files through the running server, as `tally ingest` does.
func (in *instance) ingest(t *testing.T, paths ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	args := append([]string{"ingest", "--data", in.data}, paths...)
	if err := run(context.Background(), args, &out, &errOut); err != nil {
		t.Fatalf("tally ingest: %v\n%s", err, errOut.String())
	}
	return out.String()
}

func (in *instance) awsConfig(key, secret string) aws.Config {
	return aws.Config{
		Region:      "eu-west-1",
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, ""),
		HTTPClient:  sdkhttp.Client(),
	}
}

// ce returns a Cost Explorer client of the real SDK signed with key/secret.
func (in *instance) ce(key, secret string) *costexplorer.Client {
	return costexplorer.NewFromConfig(in.awsConfig(key, secret), func(o *costexplorer.Options) {
		o.BaseEndpoint = aws.String(in.url)
	})
}

// budgets returns a Budgets client of the real SDK.
func (in *instance) budgets(key, secret string) *budgets.Client {
	return budgets.NewFromConfig(in.awsConfig(key, secret), func(o *budgets.Options) {
		o.BaseEndpoint = aws.String(in.url)
	})
}

// cli runs the real aws CLI against the instance and decodes its JSON
// output. It skips the test when the CLI is not installed.
func (in *instance) cli(t *testing.T, args ...string) (map[string]any, string, error) {
	t.Helper()
	bin, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("TALLY_REQUIRE_AWS_CLI") != "" {
			t.Fatal("aws CLI not found and TALLY_REQUIRE_AWS_CLI is set")
		}
		t.Skip("aws CLI not installed")
	}
	cmd := exec.Command(bin, append(args, "--endpoint-url", in.url, "--output", "json")...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if err != nil {
		return nil, strings.TrimSpace(stderr.String()), err
	}
	var out map[string]any
	if stdout.Len() > 0 {
		if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
			t.Fatalf("aws %v: unreadable output %q: %v", args, stdout.String(), err)
		}
	}
	return out, stderr.String(), nil
}
