#!/usr/bin/env bash
# Starts throwaway servers for `make bench BACKEND=clickhouse` on this
# machine: two clickhouse-server shards (cluster "tally") and one PostgreSQL,
# with their data under DIR, and prints the make variables that point the
# benchmark at them. `scripts/bench-backends.sh DIR stop` stops them.
#
#   eval "$(scripts/bench-backends.sh /tmp/tally-bench)"
#   make bench BACKEND=clickhouse STORE="$STORE" META="$META" ROWS=1000000
#   scripts/bench-backends.sh /tmp/tally-bench stop
#
# Ports: CH_PORT1, CH_PORT2 (native TCP; HTTP and interserver ports are
# these plus 1 and 2) and PG_PORT, 19101, 19111 and 15433 unless set.
set -euo pipefail
dir=${1:?usage: bench-backends.sh DIR [stop]}
if [ "${2:-}" = stop ]; then
	for f in "$dir"/*.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null || true
		rm -f "$f"
	done
	[ -d "$dir/pg" ] && runuser -u postgres -- "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pg_ctl" -D "$dir/pg" stop -m fast >/dev/null 2>&1 || true
	exit 0
fi
p1=${CH_PORT1:-19101} p2=${CH_PORT2:-19111} pgport=${PG_PORT:-15433}
mkdir -p "$dir"
shards="<shard><replica><host>127.0.0.1</host><port>$p1</port></replica></shard><shard><replica><host>127.0.0.1</host><port>$p2</port></replica></shard>"
for port in $p1 $p2; do
	d="$dir/ch$port"
	mkdir -p "$d/data"
	cat > "$d/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$d/server.log</log><errorlog>$d/err.log</errorlog><console>0</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>$port</tcp_port><http_port>$((port + 1))</http_port><interserver_http_port>$((port + 2))</interserver_http_port>
  <path>$d/data/</path><tmp_path>$d/data/tmp/</tmp_path>
  <user_files_path>$d/data/user_files/</user_files_path><format_schema_path>$d/data/format_schemas/</format_schema_path>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <users><default><password></password><networks><ip>::/0</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <profiles><default></default></profiles>
  <quotas><default></default></quotas>
  <remote_servers><tally>$shards</tally></remote_servers>
</yandex>
XML
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		echo "bench-backends: port $port is taken (servers already running? stop them with: $0 $dir stop)" >&2
		exit 1
	fi
	(cd "$d"; nohup /usr/sbin/clickhouse-server --config-file="$d/config.xml" >"$d/stdout.log" 2>&1 & echo $! >"$dir/ch$port.pid")
done
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
if [ ! -d "$dir/pg" ]; then
	install -d -o postgres "$dir/pg"
	runuser -u postgres -- "$bin/initdb" -D "$dir/pg" -U postgres -A trust >/dev/null
fi
runuser -u postgres -- "$bin/pg_ctl" -D "$dir/pg" -l "$dir/pg/server.log" -o "-p $pgport -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
for port in $p1 $p2; do
	for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
done
echo "STORE='clickhouse://127.0.0.1:$p1,127.0.0.1:$p2/tally?cluster=tally'"
echo "META='postgres://postgres@127.0.0.1:$pgport/postgres?sslmode=disable'"
