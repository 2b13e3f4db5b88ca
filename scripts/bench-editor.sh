#!/usr/bin/env bash
# Editor figures, measured in the real VS Code (code-server + Chromium) and printed, never
# asserted: open command → first painted frame for 10k/100k-node graphs and a 1M-node graph
# (the integration tests' large-graph runs) and pan/zoom frame times with 10k nodes on screen
# (the browser test). Needs `node scripts/build.mjs` and scripts/setup-vscode.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/gen-networks.mjs >/dev/null
echo "# open to first paint (integration runner, development folder)"
# Each part prints its figures even if the other fails; a failed run still fails the script.
status=0
ONNX_STUDIO_ITEST_GREP='large graphs|1M-node' node out/integration/run.js 2>&1 | grep -E 'net-(flat|ns)-|1M nodes|failed' || status=1
echo "# pan and zoom with 10k nodes on screen (browser test)"
node --test --test-concurrency=1 out/e2e/large-graph.e2e.js 2>&1 | grep -E 'nodes on screen|^not ok' || status=1
exit $status
