#!/usr/bin/env bash
# Installs what the web UI's browser tests need: Debian's Chromium and
# playwright-core, pinned by internal/web/e2e/package-lock.json. Nothing else
# is downloaded: Playwright's own browser builds are not used. Safe to run
# again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then
    $sudo apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}

if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "setup-browser-deps: node $(node --version) is older than playwright-core needs (20)" >&2
fi

e2e=internal/web/e2e
want=$(node -p "require('./$e2e/package-lock.json').packages['node_modules/playwright-core'].version")
have=$(node -p "try { require('./$e2e/node_modules/playwright-core/package.json').version } catch { '' }")
if [ "$want" != "$have" ]; then
  (cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "browser test dependencies: $(/usr/bin/chromium --version 2>/dev/null | head -1), node $(node --version), playwright-core $want"
