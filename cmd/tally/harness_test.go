package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

	"github.com/tallyhq/tally/internal/app"
	"github.com/tallyhq/tally/internal/sdkhttp"
	"github.com/tallyhq/tally/internal/testenv"
)

// sample returns the path of a file of the shared billing samples.
func sample(t *testing.T, name string) string { return testenv.Sample(t, name) }

// instance is a Tally server started in-process for a test.
type instance struct {
	url  string
	data string
	app  *app.App
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
	hooks.strictErrors = func(err error) { t.Error(err) }
	inst, stopServer, err := startServer(data, hooks, flags...)
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			if err := stopServer(); err != nil {
				t.Errorf("serve: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return inst, stop
}

// startServer runs `tally serve` on data with hooks (hooks.ready is set
// here) and waits until it is ready. stop ends it as SIGTERM would and
// returns what serve returned.
func startServer(data string, hooks *serveHooks, flags ...string) (inst *instance, stop func() error, err error) {
	ctx, cancel := context.WithCancel(context.Background())
	inst = &instance{data: data, out: &syncBuffer{}}
	ready := make(chan struct{})
	done := make(chan error, 1)
	if hooks.strictErrors == nil {
		hooks.strictErrors = unlistedExceptions.add
	}
	hooks.ready = func(u string, a *app.App) {
		inst.url, inst.app = u, a
		close(ready)
	}
	args := append([]string{"--addr", "127.0.0.1:0", "--data", data}, flags...)
	go func() { done <- runServe(ctx, args, inst.out, inst.out, hooks) }()
	select {
	case <-ready:
	case err := <-done:
		cancel()
		return nil, nil, fmt.Errorf("serve: %v\n%s", err, inst.out)
	case <-time.After(2 * time.Minute):
		cancel()
		return nil, nil, errors.New("server did not start")
	}
	return inst, func() error { cancel(); return <-done }, nil
}

// workshopServer returns the server that tests share which only read the
// three Workshop months: started at fixedNow with the default flags, they
// were ingested once, by the first test that asked. Tests using it must
// not change anything it stores (no ingest, budget or tag status). TestMain
// stops it.
func workshopServer(t *testing.T) *instance {
	t.Helper()
	files := workshop(t)
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "tally-workshop-")
		if shared.err != nil {
			return
		}
		hooks := &serveHooks{now: func() time.Time { return fixedNow }}
		shared.inst, shared.stop, shared.err = startServer(shared.dir, hooks)
		if shared.err != nil {
			return
		}
		var out, errOut bytes.Buffer
		if err := run(context.Background(), append([]string{"ingest", "--data", shared.dir}, files...), &out, &errOut); err != nil {
			shared.err = fmt.Errorf("tally ingest: %v\n%s", err, errOut.String())
		}
	})
	if shared.err != nil {
		t.Fatalf("shared Workshop server: %v", shared.err)
	}
	return shared.inst
}

// shared is the Workshop server of workshopServer.
var shared struct {
	once sync.Once
	inst *instance
	stop func() error
	dir  string
	err  error
}

// TestMain runs the tests, then stops what they shared.
func TestMain(m *testing.M) {
	code := m.Run()
	if shared.stop != nil {
		if err := shared.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "shared Workshop server:", err)
		}
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	closeOracles()
	if built.bin != "" { // the binary the kill -9 tests built
		os.RemoveAll(filepath.Dir(built.bin))
	}
	if errs := unlistedExceptions.get(); len(errs) > 0 {
		fmt.Fprintln(os.Stderr, "exceptions that the operations' models do not list:", errors.Join(errs...))
		code = 1
	}
	if uiExport.dir != "" {
		os.RemoveAll(uiExport.dir)
	}
	os.Exit(code)
}

// unlistedExceptions collects what the shared server's strict router
// reported (a test's own server reports to its test).
var unlistedExceptions errorList

type errorList struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorList) add(err error) { l.mu.Lock(); l.errs = append(l.errs, err); l.mu.Unlock() }

func (l *errorList) get() []error { l.mu.Lock(); defer l.mu.Unlock(); return l.errs }

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
// output. Without the CLI it skips the test, or fails it in CI (see
// testenv.AWSCLI).
func (in *instance) cli(t *testing.T, args ...string) (map[string]any, string, error) {
	t.Helper()
	bin := testenv.AWSCLI(t)
	cmd := exec.Command(bin, append(args, "--endpoint-url", in.url, "--output", "json")...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
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
