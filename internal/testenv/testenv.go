// Package testenv finds what tests need from outside the module, the shared
// billing samples and the aws CLI, and decides what its absence means: the
// test is skipped on a developer's machine, and fails in CI (CI=true) or
// when the variable naming it is set, so that a CI run cannot pass by
// skipping.
package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Required reports whether a missing dependency must fail a test rather
// than skip it: in CI (CI=true), or when env is set to 1.
func Required(env string) bool {
	return os.Getenv("CI") == "true" || os.Getenv(env) == "1"
}

// Missing skips t because of what is missing, or fails it when
// Required(env).
func Missing(t testing.TB, env, what string) {
	t.Helper()
	if Required(env) {
		t.Fatalf("%s (%s=1 or CI=true make this a failure)", what, env)
	}
	t.Skipf("%s: skipping", what)
}

// ModuleRoot returns the folder of the module's go.mod, found from this
// source file.
func ModuleRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Samples returns the folder of real billing files shared with the project:
// $TALLY_BILLING_SAMPLES when set, else shared/billing-samples beside the
// module root (../shared/billing-samples from it). It skips t when the
// folder is missing, or fails it when TALLY_REQUIRE_SAMPLES=1 or in CI.
func Samples(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("TALLY_BILLING_SAMPLES")
	if dir == "" {
		dir = filepath.Join(ModuleRoot(), "..", "shared", "billing-samples")
	}
	dir, err := filepath.Abs(dir)
	if err == nil {
		_, err = os.Stat(dir)
	}
	if err != nil {
		Missing(t, "TALLY_REQUIRE_SAMPLES", "shared billing samples not found (set TALLY_BILLING_SAMPLES): "+err.Error())
	}
	return dir
}

// Sample returns the absolute path of one file of Samples, with the same
// rule when it is missing.
func Sample(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(Samples(t), name)
	if _, err := os.Stat(p); err != nil {
		Missing(t, "TALLY_REQUIRE_SAMPLES", "sample file not found: "+err.Error())
	}
	return p
}

// AWSCLI returns the path of the aws CLI. It skips t when the CLI is not
// installed, or fails it when TALLY_REQUIRE_AWS_CLI=1 or in CI.
func AWSCLI(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("aws")
	if err != nil {
		Missing(t, "TALLY_REQUIRE_AWS_CLI", "aws CLI not installed (scripts/setup-test-deps.sh installs it)")
	}
	return bin
}
