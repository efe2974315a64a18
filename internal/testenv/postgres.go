package testenv

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// PostgresServer is a throwaway PostgreSQL cluster of one test: initdb into
// a temporary folder, the server on a free port of 127.0.0.1 with its unix
// socket in that folder, trust authentication for the user postgres. It is
// stopped and its folder removed when the test ends.
type PostgresServer struct {
	// DSN is the connection URL, postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable.
	DSN  string
	Port int
	// Dir holds data/ (the cluster), the socket and postgres.log.
	Dir string

	bin  string
	cred *syscall.Credential
	cmd  *exec.Cmd
	done chan struct{}
}

// Postgres starts a PostgreSQL cluster for t and returns its DSN. It skips t
// when PostgreSQL is not installed, or fails it when
// TALLY_REQUIRE_POSTGRES=1 or in CI.
func Postgres(t testing.TB) string {
	t.Helper()
	return StartPostgres(t).DSN
}

// StartPostgres is Postgres with the server itself, for tests that stop and
// restart it (Stop, Start) to see what clients do while it is down.
func StartPostgres(t testing.TB) *PostgresServer {
	t.Helper()
	bin := postgresBin()
	if bin == "" {
		Missing(t, "TALLY_REQUIRE_POSTGRES", "PostgreSQL not installed (scripts/setup-test-deps.sh installs it; or set TALLY_POSTGRES_BIN)")
	}
	// The socket's path must stay under 108 bytes, and the user running
	// postgres must reach the folder: /tmp when $TMPDIR is long or root's.
	base := os.TempDir()
	if len(base) > 60 || os.Geteuid() == 0 {
		base = "/tmp"
	}
	dir, err := os.MkdirTemp(base, "tallypg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	s := &PostgresServer{Dir: dir, bin: bin}

	// postgres refuses to run as root: run it as the user postgres (the
	// Debian package creates it), else nobody.
	if os.Geteuid() == 0 {
		s.cred, err = unprivileged()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(dir, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			t.Fatal(err)
		}
	}
	initdb := s.command(filepath.Join(bin, "initdb"), "-D", filepath.Join(dir, "data"),
		"-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
	if out, err := initdb.CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	// A port found free may be taken before postgres binds it: try again
	// on another.
	for try := 0; ; try++ {
		s.Port = freePort(t)
		err = s.start()
		if err == nil {
			break
		}
		if try == 4 {
			t.Fatalf("starting PostgreSQL: %v", err)
		}
	}
	s.DSN = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.Port)
	t.Cleanup(s.stop)
	return s
}

// Stop shuts the server down (fast mode: open sessions are ended) and waits
// until it has exited. The cluster stays, for Start.
func (s *PostgresServer) Stop(t testing.TB) {
	t.Helper()
	if s.cmd == nil {
		t.Fatal("PostgreSQL is not running")
	}
	s.stop()
}

// Start starts a stopped server again on the same port and data.
func (s *PostgresServer) Start(t testing.TB) {
	t.Helper()
	if s.cmd != nil {
		t.Fatal("PostgreSQL is already running")
	}
	if err := s.start(); err != nil {
		t.Fatalf("restarting PostgreSQL: %v", err)
	}
}

func (s *PostgresServer) stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
}

func (s *PostgresServer) start() error {
	logf, err := os.OpenFile(filepath.Join(s.Dir, "postgres.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	data := filepath.Join(s.Dir, "data")
	cmd := s.command(filepath.Join(s.bin, "postgres"), "-D", data,
		"-p", strconv.Itoa(s.Port), "-k", s.Dir,
		"-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=200", "-c", "shared_buffers=32MB")
	cmd.Stdout, cmd.Stderr = logf, logf
	// The server ends with the test binary even when it is killed (SIGQUIT
	// is PostgreSQL's immediate shutdown).
	cmd.SysProcAttr.Pdeathsig = syscall.SIGQUIT
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()

	// postmaster.pid's last line is the server's state; "ready" once it
	// accepts connections.
	pidfile := filepath.Join(data, "postmaster.pid")
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-done:
			return fmt.Errorf("postgres exited: %s", tail(filepath.Join(s.Dir, "postgres.log")))
		default:
		}
		if b, err := os.ReadFile(pidfile); err == nil {
			lines := strings.Split(strings.TrimSpace(string(b)), "\n")
			if len(lines) >= 8 && strings.TrimSpace(lines[len(lines)-1]) == "ready" {
				break
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-done
			return fmt.Errorf("postgres not ready after 60s: %s", tail(filepath.Join(s.Dir, "postgres.log")))
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.cmd, s.done = cmd, done
	return nil
}

func (s *PostgresServer) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.Dir = s.Dir
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	if s.cred != nil {
		cmd.SysProcAttr.Credential = s.cred
		cmd.Env = append(cmd.Env, "HOME="+s.Dir, "USER=postgres")
	}
	return cmd
}

// postgresBin returns the folder of initdb and postgres: $TALLY_POSTGRES_BIN,
// else the newest /usr/lib/postgresql/N/bin (Debian's layout), else the
// folder of an initdb on PATH.
func postgresBin() string {
	if d := os.Getenv("TALLY_POSTGRES_BIN"); d != "" {
		return d
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int {
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(a)))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(b)))
		return vb - va
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p)
	}
	return ""
}

func unprivileged() (*syscall.Credential, error) {
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
	}
	return nil, fmt.Errorf("running as root and neither user postgres nor nobody exists to run PostgreSQL")
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}
