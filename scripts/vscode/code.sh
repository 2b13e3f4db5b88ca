#!/usr/bin/env bash
# Stands in for a desktop VS Code executable under @vscode/test-electron's runTests
# (vscodeExecutablePath): forwards the development and tests paths, and the workspace folder,
# to the code-server runner. Desktop-only flags are ignored; --vsix=FILE and --trust are ours.
set -euo pipefail
dev='' tests='' workspace='' extra=()
for a in "$@"; do
  case "$a" in
    --extensionDevelopmentPath=*) dev=${a#*=} ;;
    --extensionTestsPath=*) tests=${a#*=} ;;
    --vsix=*) extra+=(--vsix "${a#*=}") ;;
    --trust) extra+=(--trust) ;;
    -*) ;;
    *) workspace=$a ;;
  esac
done
exec node "$(dirname "$0")/../../out/integration/code-server-runner.js" --extension "$dev" --tests "$tests" --workspace "$workspace" "${extra[@]}"
