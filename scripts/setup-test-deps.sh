#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine. Safe to
# run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
go mod download
