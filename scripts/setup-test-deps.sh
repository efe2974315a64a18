#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine: Go
# modules, and the AWS CLI that the end-to-end tests drive. Safe to run
# again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

go mod download

apt_install() {
	if [ "$(id -u)" = 0 ]; then
		[ -n "${APT_UPDATED:-}" ] || { apt-get update -qq; APT_UPDATED=1; }
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
	else
		echo "setup: need root to install $*" >&2
		return 1
	fi
}

if ! command -v aws >/dev/null 2>&1; then
	echo "setup: installing the AWS CLI"
	apt_install awscli
fi

# Debian's ClickHouse server (18.16) for the ClickHouse store's tests, which
# start servers of their own on free ports: the packaged service is not used.
if ! command -v clickhouse-server >/dev/null 2>&1 && [ ! -x /usr/sbin/clickhouse-server ]; then
	echo "setup: installing clickhouse-server"
	apt_install clickhouse-server
fi

# PostgreSQL for the metadata backend's tests (internal/testenv.Postgres
# starts clusters of its own from /usr/lib/postgresql/N/bin; none is
# configured or started here).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
	echo "setup: installing PostgreSQL"
	apt_install postgresql
fi

# Chromium and playwright-core for the web UI's browser tests.
./scripts/setup-browser-deps.sh
