#!/usr/bin/env bash
# Sets up a fresh machine (Debian + the npm registry) for ONNX Studio; idempotent and quick
# when already done. `--tests` also installs what the test suite reads: Debian's python3-onnx
# and numpy (the references for cross-checks), libonnx-testdata (the ONNX conformance suite)
# and python3-torch/torchvision (real architectures for the browser tests).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--tests" ]; then
  # python3-torch/torchvision export the real architectures the first-view browser tests open.
  if ! /usr/bin/python3 -c 'import onnx, numpy, torch, torchvision' 2>/dev/null || [ ! -d /usr/share/libonnx-testdata/data/node ]; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -q
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-onnx python3-numpy libonnx-testdata python3-torch python3-torchvision
    else
      echo "setup: the tests need Debian's python3-onnx, python3-numpy, libonnx-testdata, python3-torch and python3-torchvision: sudo apt-get install python3-onnx python3-numpy libonnx-testdata python3-torch python3-torchvision" >&2
      exit 1
    fi
  fi
fi

# onnxruntime-node's install script downloads GPU providers from outside the npm registry;
# its CPU binary ships in the package, so the download is skipped (also set in .npmrc).
export ONNXRUNTIME_NODE_INSTALL=skip
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
node scripts/build.mjs
bash scripts/fetch-corpus.sh >/dev/null
