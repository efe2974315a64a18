package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/tallyhq/tally/internal/app"
)

// startDemo runs `tally demo` with a small organisation of about rows line
// items on data and waits until it serves. stop ends it; it is also stopped
// when the test ends.
func startDemo(t *testing.T, data string, rows int) (inst *instance, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	inst = &instance{data: data, out: &syncBuffer{}}
	ready := make(chan struct{})
	done := make(chan error, 1)
	hooks := &serveHooks{ready: func(u string, a *app.App) {
		inst.url, inst.app = u, a
		close(ready)
	}}
	args := []string{"--addr", "127.0.0.1:0", "--data", data, "--rows", strconv.Itoa(rows), "--seed", "7"}
	go func() { done <- runDemo(ctx, args, inst.out, inst.out, hooks) }()
	select {
	case <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("demo: %v\n%s", err, inst.out)
	case <-time.After(2 * time.Minute):
		// Where every goroutine waits, for whoever reads the failure.
		var dump strings.Builder
		pprof.Lookup("goroutine").WriteTo(&dump, 1)
		cancel()
		t.Fatalf("demo did not start; output:\n%s\ngoroutines:\n%s", inst.out, dump.String())
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("demo: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return inst, stop
}

func TestDemo(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("generates and ingests an organisation")
	}
	data := t.TempDir()
	inst, _ := startDemo(t, data, 20000)
	out := inst.out.String()
	if !strings.Contains(out, "generated") || !strings.Contains(out, "ingested") {
		t.Errorf("the first start should generate and ingest; output:\n%s", out)
	}

	// Last month's bill by service through the SDK: every service of a
	// believable organisation, EC2 split as Cost Explorer does, tax.
	now := time.Now().UTC()
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	resp, err := inst.ce("test", "test").GetCostAndUsage(context.Background(), &costexplorer.GetCostAndUsageInput{
		TimePeriod:  &types.DateInterval{Start: aws.String(thisMonth.AddDate(0, -1, 0).Format(time.DateOnly)), End: aws.String(thisMonth.Format(time.DateOnly))},
		Granularity: types.GranularityMonthly,
		Metrics:     []string{"UnblendedCost"},
		GroupBy:     []types.GroupDefinition{{Type: types.GroupDefinitionTypeDimension, Key: aws.String("SERVICE")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var services []string
	var total float64
	for _, g := range resp.ResultsByTime[0].Groups {
		services = append(services, g.Keys[0])
		v, _ := strconv.ParseFloat(aws.ToString(g.Metrics["UnblendedCost"].Amount), 64)
		total += v
	}
	for _, s := range []string{"Amazon Elastic Compute Cloud - Compute", "EC2 - Other", "Amazon Simple Storage Service", "Tax"} {
		if !slices.Contains(services, s) {
			t.Errorf("last month has no %q among its services %q", s, services)
		}
	}
	if len(services) < 15 || total < 100 {
		t.Errorf("last month: %d services costing %.2f USD; want a believable bill", len(services), total)
	}

	t.Run("printed commands", func(t *testing.T) {
		cmds := printedCommands(t, out, inst.url)
		if len(cmds) < 4 {
			t.Fatalf("demo printed %d aws commands, want at least 4:\n%s", len(cmds), out)
		}
		for _, args := range cmds {
			res, stderr, err := inst.cli(t, args...)
			if err != nil {
				t.Errorf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr)
				continue
			}
			if len(res) == 0 {
				t.Errorf("aws %s: empty answer", strings.Join(args, " "))
			}
		}
	})
}

// printedCommands extracts the aws commands from the demo's output, without
// "aws" and the --endpoint-url option (which must name url).
func printedCommands(t *testing.T, out, url string) [][]string {
	t.Helper()
	var cmds [][]string
	for _, line := range strings.Split(out, "\n") {
		fields := shellFields(t, line)
		if len(fields) < 3 || fields[0] != "aws" {
			continue
		}
		i := slices.Index(fields, "--endpoint-url")
		if i < 0 || i+1 >= len(fields) || fields[i+1] != url {
			t.Errorf("command %q does not name the endpoint %s", line, url)
			continue
		}
		cmds = append(cmds, append(slices.Clone(fields[1:i]), fields[i+2:]...))
	}
	return cmds
}

// shellFields splits a printed command line into words the way a shell
// does, so the test runs exactly what a user pastes.
func shellFields(t *testing.T, line string) []string {
	t.Helper()
	if !strings.HasPrefix(strings.TrimSpace(line), "aws ") {
		return nil
	}
	res, err := exec.Command("bash", "-c", "for a in "+line+"; do printf '%s\\0' \"$a\"; done").Output()
	if err != nil {
		t.Fatalf("bash cannot read the printed command %q: %v", line, err)
	}
	return strings.Split(strings.TrimSuffix(string(res), "\x00"), "\x00")
}

// demoRestartRows is the size of TestDemoRestartReusesData's organisation:
// it only checks what a restart reuses, which does not need TestDemo's
// believable bill.
const demoRestartRows = 3000

func TestDemoRestartReusesData(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("generates and ingests an organisation")
	}
	data := t.TempDir()
	_, stop := startDemo(t, data, demoRestartRows)
	stop()
	inst, stop := startDemo(t, data, demoRestartRows)
	stop()
	out := inst.out.String()
	if !strings.Contains(out, "using the organisation generated earlier today") || !strings.Contains(out, "already ingested") {
		t.Errorf("the restart regenerated or re-ingested the data; output:\n%s", out)
	}

	// Without its store the data directory must be ingested again, even
	// though the export is still there.
	if err := os.Remove(filepath.Join(data, "tally.duckdb")); err != nil {
		t.Fatal(err)
	}
	inst, stop = startDemo(t, data, demoRestartRows)
	stop()
	out = inst.out.String()
	if !strings.Contains(out, "using the organisation generated earlier today") || !strings.Contains(out, "ingested 14 billing periods") {
		t.Errorf("the restart without a store did not ingest the existing export; output:\n%s", out)
	}

	// Without its export, the organisation is generated again.
	if err := os.RemoveAll(filepath.Join(data, demoExportsDir)); err != nil {
		t.Fatal(err)
	}
	inst, _ = startDemo(t, data, demoRestartRows)
	if out := inst.out.String(); !strings.Contains(out, "tally demo: generated") {
		t.Errorf("the restart without an export did not generate one; output:\n%s", out)
	}
}

func TestDemoRejectsBadFlagsBeforeGenerating(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"unknown profile", []string{"--profile", "bogus"}},
		{"no rows", []string{"--rows", "0"}},
		{"argument", []string{"extra"}},
		{"public address with test keys", []string{"--addr", "0.0.0.0:0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := t.TempDir()
			args := append([]string{"--data", data, "--addr", "127.0.0.1:0"}, tc.args...)
			err := runDemo(context.Background(), args, io.Discard, io.Discard, nil)
			var ue usageError
			if !errors.As(err, &ue) {
				t.Errorf("runDemo(%q) = %v, want a usage error", tc.args, err)
			}
			if _, err := os.Stat(filepath.Join(data, demoExportsDir)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("demo generated data despite the bad flags (stat: %v)", err)
			}
		})
	}
}
