package testenv

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ClickHouseCluster is a set of clickhouse-server processes started for one
// test, each a shard of the cluster ClickHouseClusterName.
type ClickHouseCluster struct {
	// Addrs are the shards' native TCP addresses, host:port, in shard order.
	Addrs []string
	bin   string
	dirs  []string
	procs []*exec.Cmd
	// exited receives the exit of procs[i].
	exited []chan error
}

// ClickHouseClusterName is the remote_servers cluster every server of a
// ClickHouseCluster knows.
const ClickHouseClusterName = "tally"

// ClickHouse starts shards clickhouse-server processes of their own (config
// and data in t.TempDir(), free ports), each listing all of them as the
// shards of the cluster "tally", and stops them when t ends. It skips t when
// clickhouse-server is not installed, or fails it when
// TALLY_REQUIRE_CLICKHOUSE=1 or in CI (scripts/setup-test-deps.sh installs
// Debian's).
func ClickHouse(t testing.TB, shards int) *ClickHouseCluster {
	t.Helper()
	bin, err := exec.LookPath("clickhouse-server")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/clickhouse-server"); serr == nil {
			bin, err = "/usr/sbin/clickhouse-server", nil
		}
	}
	if err != nil {
		Missing(t, "TALLY_REQUIRE_CLICKHOUSE", "clickhouse-server not installed (scripts/setup-test-deps.sh installs it)")
	}
	c := &ClickHouseCluster{bin: bin}
	ports := make([][3]int, shards)
	for i := range ports {
		for j := range ports[i] {
			ports[i][j] = freePort(t)
		}
		c.Addrs = append(c.Addrs, fmt.Sprintf("127.0.0.1:%d", ports[i][0]))
	}
	var remote strings.Builder
	for _, p := range ports {
		fmt.Fprintf(&remote, "<shard><replica><host>127.0.0.1</host><port>%d</port></replica></shard>", p[0])
	}
	root := t.TempDir()
	for i, p := range ports {
		dir := filepath.Join(root, fmt.Sprintf("shard%d", i+1))
		if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
			t.Fatal(err)
		}
		conf := fmt.Sprintf(clickHouseConfig, dir, p[0], p[1], p[2], ClickHouseClusterName, remote.String())
		if err := os.WriteFile(filepath.Join(dir, "config.xml"), []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		c.dirs = append(c.dirs, dir)
		c.procs = append(c.procs, nil)
		c.exited = append(c.exited, nil)
	}
	t.Cleanup(func() {
		for i := range c.procs {
			c.stop(i)
		}
	})
	for i := range c.dirs {
		c.Start(t, i)
	}
	return c
}

// DSN returns the store address of the cluster for database db, as
// `tally serve --store` takes it.
func (c *ClickHouseCluster) DSN(db string) string {
	return "clickhouse://" + strings.Join(c.Addrs, ",") + "/" + db + "?cluster=" + ClickHouseClusterName
}

// Start starts shard i (again) and waits until it accepts connections.
func (c *ClickHouseCluster) Start(t testing.TB, i int) {
	t.Helper()
	if c.procs[i] != nil {
		return
	}
	cmd := exec.Command(c.bin, "--config-file="+filepath.Join(c.dirs[i], "config.xml"))
	cmd.Dir = c.dirs[i]
	log, err := os.Create(filepath.Join(c.dirs[i], "stdout.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("clickhouse-server: %v", err)
	}
	c.procs[i] = cmd
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); log.Close() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", c.Addrs[i], time.Second)
		if err == nil {
			conn.Close()
			c.exited[i] = exited
			return
		}
		select {
		case err := <-exited:
			c.procs[i] = nil
			out, _ := os.ReadFile(filepath.Join(c.dirs[i], "err.log"))
			t.Fatalf("clickhouse-server shard %d exited: %v\n%s", i+1, err, out)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("clickhouse-server shard %d did not listen on %s", i+1, c.Addrs[i])
		}
	}
}

// Stop kills shard i, as a crash would; Start brings it back with its data.
func (c *ClickHouseCluster) Stop(t testing.TB, i int) {
	t.Helper()
	c.stop(i)
}

func (c *ClickHouseCluster) stop(i int) {
	cmd := c.procs[i]
	if cmd == nil {
		return
	}
	c.procs[i] = nil
	exited := c.exited[i]
	// The data is thrown away or must survive a crash anyway: a graceful
	// shutdown would only cost seconds.
	_ = cmd.Process.Kill()
	<-exited
}

// clickHouseConfig is a server configuration small enough to start in a
// fraction of a second: its folder, native TCP, HTTP and interserver ports,
// the cluster's name and its shards. Caches are kept small because several
// servers share the machine.
const clickHouseConfig = `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>%[1]s/server.log</log><errorlog>%[1]s/err.log</errorlog><console>0</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>%[2]d</tcp_port>
  <http_port>%[3]d</http_port>
  <interserver_http_port>%[4]d</interserver_http_port>
  <path>%[1]s/data/</path>
  <tmp_path>%[1]s/data/tmp/</tmp_path>
  <user_files_path>%[1]s/data/user_files/</user_files_path>
  <format_schema_path>%[1]s/data/format_schemas/</format_schema_path>
  <timezone>UTC</timezone>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>0</uncompressed_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
  <users><default><password></password><networks><ip>::/0</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <profiles><default><max_threads>2</max_threads></default></profiles>
  <quotas><default></default></quotas>
  <remote_servers><%[5]s>%[6]s</%[5]s></remote_servers>
</yandex>
`
