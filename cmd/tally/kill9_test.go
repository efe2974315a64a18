package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	bsdk "github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	cesdk "github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/tallyhq/tally/internal/sdkhttp"
)

// The kill -9 fault tests run the built binary, kill it with SIGKILL in the
// middle of an ingest, a tag backfill and an alert delivery, start it again
// on the same data directory and check what survived.

var built struct {
	once sync.Once
	bin  string
	err  error
}

// tallyBinary builds the tally binary once per test run.
func tallyBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the tally binary")
	}
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "tally-kill9-")
		if err != nil {
			built.err = err
			return
		}
		built.bin = filepath.Join(dir, "tally")
		out, err := exec.Command("go", "build", "-o", built.bin, ".").CombinedOutput()
		if err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

// tallyProc is a running `tally serve`.
type tallyProc struct {
	cmd    *exec.Cmd
	url    string
	token  string
	stderr *syncBuffer
}

// startTally runs `tally serve` on data and waits until /healthz answers.
func startTally(t *testing.T, bin, data string, flags ...string) *tallyProc {
	t.Helper()
	// A free port, so that the server is found also when it cannot write
	// its server file (a full disk).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	args := append([]string{"serve", "--data", data, "--addr", addr, "--profile", "unlimited"}, flags...)
	p := &tallyProc{cmd: exec.Command(bin, args...), stderr: &syncBuffer{}, url: "http://" + addr}
	p.cmd.Stdout, p.cmd.Stderr = io.Discard, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.kill() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		if resp, err := http.Get(p.url + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				if sf, ok := readServerFile(data); ok && sf.PID == p.cmd.Process.Pid {
					p.token = sf.Token
				}
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("tally did not start:\n%s", p.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill sends SIGKILL and reaps the process.
func (p *tallyProc) kill() {
	if p.cmd.ProcessState != nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
}

// ingest hands paths to the server as `tally ingest` does; it returns the
// error of the request (a killed server's is a broken connection).
func (p *tallyProc) ingest(paths ...string) error {
	body, _ := json.Marshal(map[string][]string{"paths": paths})
	req, _ := http.NewRequest(http.MethodPost, p.url+"/_tally/ingest", bytes.NewReader(body))
	req.Header.Set("X-Tally-Token", p.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("ingest: %s: %s", resp.Status, b)
	}
	return nil
}

func (p *tallyProc) ce() *cesdk.Client {
	return cesdk.New(cesdk.Options{BaseEndpoint: aws.String(p.url), Region: "us-east-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}), HTTPClient: sdkhttp.Client(), RetryMaxAttempts: 1})
}

func (p *tallyProc) budgetsClient() *bsdk.Client {
	return bsdk.New(bsdk.Options{BaseEndpoint: aws.String(p.url), Region: "us-east-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}), HTTPClient: sdkhttp.Client(), RetryMaxAttempts: 1})
}

// generateExport writes a small synthetic CUR 2.0 export of last month and
// this one.
func generateExport(t *testing.T, bin, out string, seed, rows int) {
	t.Helper()
	cmd := exec.Command(bin, "generate", "--out", out, "--months", "1", "--accounts", "3",
		"--rows", fmt.Sprint(rows), "--seed", fmt.Sprint(seed), "--workers", "1")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generate: %v\n%s", err, b)
	}
}

// monthlyTotals returns the unblended cost of each month of the last two.
func monthlyTotals(t *testing.T, c *cesdk.Client) map[string]string {
	t.Helper()
	now := time.Now().UTC()
	start := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	out, err := c.GetCostAndUsage(context.Background(), &cesdk.GetCostAndUsageInput{
		TimePeriod:  &cetypes.DateInterval{Start: aws.String(start.Format(time.DateOnly)), End: aws.String(end.Format(time.DateOnly))},
		Granularity: cetypes.GranularityMonthly, Metrics: []string{"UnblendedCost"}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range out.ResultsByTime {
		got[aws.ToString(r.TimePeriod.Start)] = aws.ToString(r.Total["UnblendedCost"].Amount)
	}
	return got
}

// TestKill9DuringIngest kills the server while it ingests a new delivery of
// both months: after the restart each month is the old delivery or the new
// one, never a mix.
func TestKill9DuringIngest(t *testing.T) {
	bin := tallyBinary(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	oldExport, newExport := filepath.Join(dir, "old"), filepath.Join(dir, "new")
	generateExport(t, bin, oldExport, 1, 2000)
	generateExport(t, bin, newExport, 2, 20000)

	// How long the new delivery takes on a fresh server, so that the kills
	// land at several points of its ingest (a warm server is about twice as
	// fast, so the last one may come after the commit: also a valid case).
	ref := startTally(t, bin, filepath.Join(dir, "ref"))
	start := time.Now()
	if err := ref.ingest(newExport); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	ref.kill()

	p := startTally(t, bin, data)
	if err := p.ingest(oldExport); err != nil {
		t.Fatal(err)
	}
	before := monthlyTotals(t, p.ce())
	var seen []map[string]string
	for _, part := range []float64{0.15, 0.3, 0.45} {
		delay := time.Duration(part * float64(took))
		done := make(chan error, 1)
		go func() { done <- p.ingest(newExport) }()
		time.Sleep(delay)
		p.kill()
		t.Logf("killed %s into an ingest that takes %s: the hand-off answered %v", delay, took, <-done)
		p = startTally(t, bin, data)
		seen = append(seen, monthlyTotals(t, p.ce()))
	}
	if err := p.ingest(newExport); err != nil {
		t.Fatal(err)
	}
	after := monthlyTotals(t, p.ce())
	t.Logf("old delivery %v, new delivery %v, after each restart %v", before, after, seen)
	for i, got := range seen {
		for month, total := range got {
			if total != before[month] && total != after[month] {
				t.Errorf("restart %d: %s totals %s, neither the old delivery's %s nor the new one's %s",
					i+1, month, total, before[month], after[month])
			}
		}
	}
	if fmt.Sprint(before) == fmt.Sprint(after) {
		t.Errorf("the two deliveries have the same totals %v: the test cannot tell them apart", before)
	}
}

// TestKill9DuringBackfill kills the server right after it accepted a tag
// backfill: after the restart the job is resumed and succeeds, and its
// statuses apply to every month it covers.
func TestKill9DuringBackfill(t *testing.T) {
	bin := tallyBinary(t)
	dir := t.TempDir()
	data, export := filepath.Join(dir, "data"), filepath.Join(dir, "export")
	generateExport(t, bin, export, 1, 3000)
	p := startTally(t, bin, data)
	if err := p.ingest(export); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c := p.ce()
	tags, err := c.ListCostAllocationTags(ctx, &cesdk.ListCostAllocationTagsInput{Type: cetypes.CostAllocationTagTypeUserDefined})
	if err != nil || len(tags.CostAllocationTags) == 0 {
		t.Fatalf("ListCostAllocationTags = %+v, %v; want user-defined keys", tags, err)
	}
	key := aws.ToString(tags.CostAllocationTags[0].TagKey)
	if _, err := c.UpdateCostAllocationTagsStatus(ctx, &cesdk.UpdateCostAllocationTagsStatusInput{
		CostAllocationTagsStatus: []cetypes.CostAllocationTagStatusEntry{{TagKey: aws.String(key), Status: cetypes.CostAllocationTagStatusInactive}}}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	lastMonth := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := c.StartCostAllocationTagBackfill(ctx, &cesdk.StartCostAllocationTagBackfillInput{
		BackfillFrom: aws.String(lastMonth.Format(time.RFC3339))}); err != nil {
		t.Fatal(err)
	}
	p.kill()

	p = startTally(t, bin, data)
	c = p.ce()
	var last cetypes.CostAllocationTagBackfillRequest
	deadline := time.Now().Add(20 * time.Second)
	for {
		h, err := c.ListCostAllocationTagBackfillHistory(ctx, &cesdk.ListCostAllocationTagBackfillHistoryInput{})
		if err != nil || len(h.BackfillRequests) != 1 {
			t.Fatalf("history after the restart = %+v, %v; want the one request", h, err)
		}
		last = h.BackfillRequests[0]
		if last.BackfillStatus != cetypes.CostAllocationTagBackfillStatusProcessing || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if last.BackfillStatus != cetypes.CostAllocationTagBackfillStatusSucceeded {
		t.Fatalf("backfill after the restart: %s, want SUCCEEDED", last.BackfillStatus)
	}
	out, err := c.GetCostAndUsage(ctx, &cesdk.GetCostAndUsageInput{
		TimePeriod:  &cetypes.DateInterval{Start: aws.String(lastMonth.Format(time.DateOnly)), End: aws.String(lastMonth.AddDate(0, 1, 0).Format(time.DateOnly))},
		Granularity: cetypes.GranularityMonthly, Metrics: []string{"UnblendedCost"},
		GroupBy: []cetypes.GroupDefinition{{Type: cetypes.GroupDefinitionTypeTag, Key: aws.String(key)}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range out.ResultsByTime[0].Groups {
		if g.Keys[0] != key+"$" {
			t.Errorf("last month grouped by %s has group %q after the backfill, want only %s$", key, g.Keys[0], key)
		}
	}
}

// slowSNS is an SNS HTTP endpoint that records every post; while slow is
// set it never answers, as an endpoint that hangs.
type slowSNS struct {
	slow  atomic.Bool
	mu    sync.Mutex
	posts []snsPost
}

type snsPost struct {
	header string // x-amz-sns-message-id
	body   map[string]any
}

func (h *slowSNS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var body map[string]any
	json.Unmarshal(b, &body)
	h.mu.Lock()
	h.posts = append(h.posts, snsPost{r.Header.Get("x-amz-sns-message-id"), body})
	h.mu.Unlock()
	if h.slow.Load() {
		<-r.Context().Done()
		return
	}
}

func (h *slowSNS) got() []snsPost {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]snsPost(nil), h.posts...)
}

// TestKill9DuringAlertDelivery kills the server while an SNS endpoint is
// slow to answer an alert: after the restart the alert is delivered again
// (delivery is at-least-once) with the same MessageId and body, so the
// receiver can drop the copy.
func TestKill9DuringAlertDelivery(t *testing.T) {
	bin := tallyBinary(t)
	dir := t.TempDir()
	data, export := filepath.Join(dir, "data"), filepath.Join(dir, "export")
	generateExport(t, bin, export, 1, 2000)
	hook := &slowSNS{}
	hook.slow.Store(true)
	srv := httptest.NewServer(hook)
	defer srv.Close()
	topic := "arn:aws:sns:us-east-1:123456789012:alerts"
	flags := []string{"--sns-endpoint", topic + "=" + srv.URL, "--budgets-interval", "200ms"}
	p := startTally(t, bin, data, flags...)
	if err := p.ingest(export); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	payers, err := p.ce().GetDimensionValues(ctx, &cesdk.GetDimensionValuesInput{Dimension: cetypes.DimensionPayerAccount,
		TimePeriod: &cetypes.DateInterval{Start: aws.String(time.Now().UTC().AddDate(0, -2, 0).Format(time.DateOnly)),
			End: aws.String(time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly))}})
	if err != nil || len(payers.DimensionValues) == 0 {
		t.Fatalf("payer accounts = %+v, %v", payers, err)
	}
	n := &btypes.Notification{NotificationType: btypes.NotificationTypeActual, ComparisonOperator: btypes.ComparisonOperatorGreaterThan, Threshold: 1}
	if _, err := p.budgetsClient().CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: payers.DimensionValues[0].Value,
		Budget: &btypes.Budget{BudgetName: aws.String("tiny"), BudgetType: btypes.BudgetTypeCost, TimeUnit: btypes.TimeUnitMonthly,
			BudgetLimit: &btypes.Spend{Amount: aws.String("0.01"), Unit: aws.String("USD")}},
		NotificationsWithSubscribers: []btypes.NotificationWithSubscribers{{Notification: n,
			Subscribers: []btypes.Subscriber{{SubscriptionType: btypes.SubscriptionTypeSns, Address: aws.String(topic)}}}},
	}); err != nil {
		t.Fatal(err)
	}
	waitPosts := func(n int) []snsPost {
		deadline := time.Now().Add(20 * time.Second)
		for len(hook.got()) < n {
			if time.Now().After(deadline) {
				t.Fatalf("%d SNS posts, want %d; tally said:\n%s", len(hook.got()), n, p.stderr.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		return hook.got()
	}
	waitPosts(1)
	p.kill()
	hook.slow.Store(false)
	p = startTally(t, bin, data, flags...)
	waitPosts(2)
	time.Sleep(time.Second) // several evaluations and dispatcher passes
	posts := hook.got()
	if len(posts) != 2 {
		t.Errorf("%d SNS posts, want the interrupted one and one redelivery", len(posts))
	}
	a, b := posts[0], posts[1]
	if a.header == "" || a.header != b.header || a.body["MessageId"] != a.header || b.body["MessageId"] != b.header {
		t.Errorf("MessageIds: %q (body %v) then %q (body %v), want one stable id", a.header, a.body["MessageId"], b.header, b.body["MessageId"])
	}
	if fmt.Sprint(a.body) != fmt.Sprint(b.body) {
		t.Errorf("the redelivery differs:\n%v\n%v", a.body, b.body)
	}
}

// TestFullDiskThroughTheServer fills the disk of the data directory and
// ingests through the server: the ingest fails, the API goes on answering
// the old data, /healthz says ok, and the server starts again on the full
// disk. It needs root to mount a small tmpfs.
func TestFullDiskThroughTheServer(t *testing.T) {
	bin := tallyBinary(t)
	dir := t.TempDir()
	disk := filepath.Join(dir, "disk")
	os.MkdirAll(disk, 0o755)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", disk).CombinedOutput(); err != nil {
		if os.Getenv("TALLY_REQUIRE_FULLDISK") != "" {
			t.Fatalf("mount tmpfs: %v: %s", err, out)
		}
		t.Skipf("cannot mount a small disk (needs root): %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", disk).Run() })
	data := filepath.Join(disk, "data")
	oldExport, newExport := filepath.Join(dir, "old"), filepath.Join(dir, "new")
	generateExport(t, bin, oldExport, 1, 2000)
	generateExport(t, bin, newExport, 2, 60000)
	p := startTally(t, bin, data)
	if err := p.ingest(oldExport); err != nil {
		t.Fatal(err)
	}
	before := monthlyTotals(t, p.ce())
	f, err := os.Create(filepath.Join(disk, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1<<16)
	for _, n := range []int{1 << 16, 4096, 1} {
		for {
			if _, err := f.Write(buf[:n]); err != nil {
				break
			}
		}
	}
	f.Close()
	err = p.ingest(newExport)
	if err == nil {
		t.Fatal("an ingest on a full disk succeeded")
	}
	t.Logf("ingest on a full disk: %v", err)
	health := func() int {
		resp, err := http.Get(p.url + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := monthlyTotals(t, p.ce()); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Errorf("after the failed ingest: %v, want the old data %v", got, before)
	}
	if code := health(); code != http.StatusOK {
		t.Errorf("/healthz after the failed ingest: %d", code)
	}
	p.kill()
	p = startTally(t, bin, data)
	if got := monthlyTotals(t, p.ce()); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Errorf("after a restart on the full disk: %v, want the old data %v", got, before)
	}
}
