#!/usr/bin/env bash
# Editor figures, measured in the real VS Code (code-server + Chromium) and printed, never
# asserted: open command → first painted frame for 10k/100k-node graphs and a 1M-node graph
# (the integration tests' large-graph runs) and pan/zoom frame times with 10k nodes on screen
# (the browser test). Needs `node scripts/build.mjs` and scripts/setup-vscode.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/gen-networks.mjs >/dev/null
echo "# open to first paint (integration runner, development folder)"
ONNX_STUDIO_ITEST_GREP='large graphs|1M-node' node out/integration/run.js | grep -E 'net-(flat|ns)-|1M nodes|command round trip'
echo "# pan and zoom with 10k nodes on screen (browser test)"
node --test --test-concurrency=1 out/e2e/large-graph.e2e.js | grep -E 'nodes on screen'
