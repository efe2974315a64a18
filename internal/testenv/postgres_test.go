package testenv_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tallyhq/tally/internal/testenv"
)

// psql runs one statement through the psql of the same installation.
func psql(s *testenv.PostgresServer, sql string) (string, error) {
	bin, _ := filepath.Glob("/usr/lib/postgresql/*/bin/psql")
	name := "psql"
	if len(bin) > 0 {
		name = bin[len(bin)-1]
	}
	out, err := exec.Command(name, "-X", "-A", "-t", "-d", s.DSN, "-c", sql).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

func TestPostgresStopStart(t *testing.T) {
	s := testenv.StartPostgres(t)
	if out, err := psql(s, "CREATE TABLE t (x int); INSERT INTO t VALUES (42); SELECT x FROM t"); err != nil || !strings.HasSuffix(out, "42") {
		t.Fatalf("psql: %v %q", err, out)
	}
	s.Stop(t)
	if out, err := psql(s, "SELECT 1"); err == nil {
		t.Fatalf("psql answered a stopped server: %q", out)
	}
	s.Start(t)
	if out, err := psql(s, "SELECT x FROM t"); err != nil || out != "42" {
		t.Fatalf("after restart: %v %q", err, out)
	}
}

func TestPostgresTwo(t *testing.T) {
	a, b := testenv.StartPostgres(t), testenv.StartPostgres(t)
	if a.DSN == b.DSN {
		t.Fatalf("two servers share %s", a.DSN)
	}
}
