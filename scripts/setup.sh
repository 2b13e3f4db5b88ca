#!/usr/bin/env bash
# Sets up a fresh machine (Debian + the npm registry) for ONNX Studio; idempotent and quick
# when already done. `--tests` also installs what the test suite reads: Debian's python3-onnx
# and numpy (the references for cross-checks), libonnx-testdata (the ONNX conformance suite),
# python3-torch/torchvision (real architectures), and the sources of real test data:
# python3-skimage (photographs), python3-pil, fonts-dejavu-core (text for PP-OCR) and espeak-ng
# (speech for Silero VAD).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--tests" ]; then
  # python3-torch/torchvision export the real architectures the first-view browser tests open.
  packages="python3-onnx python3-numpy libonnx-testdata python3-torch python3-torchvision python3-skimage python3-scipy python3-pil fonts-dejavu-core espeak-ng"
  if ! /usr/bin/python3 -c 'import onnx, numpy, torch, torchvision, skimage, scipy, PIL' 2>/dev/null || [ ! -d /usr/share/libonnx-testdata/data/node ] \
     || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || ! command -v espeak-ng >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -q
      # shellcheck disable=SC2086
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $packages
    else
      echo "setup: the tests need Debian's $packages: sudo apt-get install $packages" >&2
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
if [ "${1:-}" = "--tests" ]; then
  bash scripts/fetch-data.sh >/dev/null
  bash scripts/fetch-models.sh >/dev/null
fi
