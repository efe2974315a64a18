// Package e2e runs the web UI's browser tests: run.mjs drives Debian's
// Chromium through playwright-core (pinned by package-lock.json, installed
// by scripts/setup-browser-deps.sh) and reports what the pages show, and Go
// tests compare that with what the API answers.
//
// Tests call Require first: it skips when Node, Chromium or playwright-core
// is missing, unless TALLY_REQUIRE_BROWSER=1 or CI=true makes their absence
// a failure.
package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/testenv"
)

// Scenario names one function of run.mjs and its parameters.
type Scenario struct {
	Name   string         `json:"name"`
	Params map[string]any `json:"params,omitempty"`
}

// Browser is a checked browser-test setup.
type Browser struct {
	node, chromium, dir string
}

// dir returns this package's folder, where run.mjs and node_modules live.
func dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

// ArtifactsDir returns the folder screenshots of test name go to:
// test-artifacts/web/<name> at the repository root (ignored by git).
func ArtifactsDir(name string) string {
	clean := regexp.MustCompile(`[^A-Za-z0-9_.-]+`).ReplaceAllString(name, "_")
	return filepath.Join(dir(), "..", "..", "..", "test-artifacts", "web", clean)
}

// Require returns the browser setup, or skips t when part of it is missing
// (fails instead when TALLY_REQUIRE_BROWSER=1 or CI=true).
func Require(t testing.TB) *Browser {
	t.Helper()
	missing := func(what string) *Browser {
		testenv.Missing(t, "TALLY_REQUIRE_BROWSER", what+" (run scripts/setup-browser-deps.sh)")
		return nil
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return missing("node not found")
	}
	chromium := os.Getenv("TALLY_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		return missing("chromium not found at " + chromium)
	}
	if _, err := os.Stat(filepath.Join(dir(), "node_modules", "playwright-core", "package.json")); err != nil {
		return missing("playwright-core not installed in internal/web/e2e/node_modules")
	}
	return &Browser{node: node, chromium: chromium, dir: dir()}
}

// Run drives the pages of the server at baseURL through the scenarios and
// returns what each reported, by scenario name. Screenshots go to
// ArtifactsDir(t.Name()). A scenario that failed in the browser fails t.
func (b *Browser) Run(t testing.TB, baseURL string, scenarios ...Scenario) map[string]json.RawMessage {
	t.Helper()
	tmp := t.TempDir()
	artifacts := ArtifactsDir(t.Name())
	os.RemoveAll(artifacts)
	cfg := map[string]any{"baseURL": baseURL, "chromium": b.chromium, "artifacts": artifacts,
		"out": filepath.Join(tmp, "results.json"), "scenarios": scenarios}
	cfgPath := filepath.Join(tmp, "config.json")
	raw, _ := json.Marshal(cfg)
	if err := os.WriteFile(cfgPath, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.node, "run.mjs", cfgPath)
	cmd.Dir = b.dir
	cmd.Env = append(os.Environ(), "HOME="+tmp)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node run.mjs: %v\n%s", err, out)
	}
	body, err := os.ReadFile(cfg["out"].(string))
	if err != nil {
		t.Fatalf("no results from run.mjs: %v\n%s", err, out)
	}
	var results map[string]json.RawMessage
	if err := json.Unmarshal(body, &results); err != nil {
		t.Fatal(err)
	}
	for _, sc := range scenarios {
		var r struct {
			Error         string   `json:"error"`
			ConsoleErrors []string `json:"consoleErrors"`
			MS            int      `json:"ms"`
		}
		json.Unmarshal(results[sc.Name], &r)
		if r.Error != "" {
			t.Errorf("scenario %s failed in the browser (screenshot FAILED-%s.png in %s):\n%s", sc.Name, sc.Name, artifacts, r.Error)
		}
		for _, e := range r.ConsoleErrors {
			t.Errorf("scenario %s: console error: %s", sc.Name, e)
		}
		t.Logf("scenario %s: %d ms", sc.Name, r.MS)
	}
	t.Logf("screenshots in %s", artifacts)
	return results
}

// NodeTest runs the UI's JavaScript unit tests (node --test unit/).
func (b *Browser) NodeTest(t testing.TB) string {
	t.Helper()
	cmd := exec.Command(b.node, "--test", "unit/")
	cmd.Dir = b.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test unit/: %v\n%s", err, out)
	}
	return string(out)
}
