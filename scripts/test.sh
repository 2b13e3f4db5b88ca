#!/usr/bin/env bash
# The test command (npm test, .ci/run): type check, lint, unit tests on the core, integration
# tests in a real VS Code (development folder, installed .vsix, untrusted workspace), and the
# browser tests. Any failure fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
# Every temp file and folder the tests make (models copied to transform, VS Code profiles) goes
# into one folder of this run, removed when it ends, pass or fail.
TMPDIR="$(mktemp -d "${TMPDIR:-/tmp}/onnx-studio-test.XXXXXX")"
export TMPDIR
trap 'rm -rf "$TMPDIR"' EXIT
bash scripts/setup.sh --tests
bash scripts/setup-vscode.sh >/dev/null
npx tsc --noEmit -p .
npx eslint src test bench webview scripts
node --test --test-concurrency=1 out/test/
node scripts/gen-networks.mjs >/dev/null
node scripts/package-vsix.mjs -o out/onnx-studio.vsix >/dev/null
node out/integration/run.js
node out/integration/run.js --vsix out/onnx-studio.vsix
node out/integration/run.js --trust
node --test --test-concurrency=1 out/e2e/*.e2e.js
