#!/usr/bin/env bash
# Exports the torchvision architectures (random weights, seed 0) that issue 8's acceptance
# measures into .cache/models (git-ignored), with Debian's python3-torch. Idempotent: a model
# already there is kept. `--large` (or FETCH_LARGE=1) also writes vit_l_16 (1.2 GB, for the
# bench), reusing the bench's identical export by hard link when it exists.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.cache/models
mkdir -p "$dest"
export_model() { # arch [opset [file name [--keep-batchnorm]]]
  local out="$dest/${3:-$1}.onnx"
  [ -f "$out" ] && return 0
  echo "fetch-models: exporting $1 (opset ${2:-14}) to $out" >&2
  /usr/bin/python3 scripts/export-torchvision.py "$1" "$out" "${2:-14}" ${4:+"$4"}
}
export_model resnet18
export_model resnet50
export_model mobilenet_v3_small
export_model mobilenet_v3_large
export_model vit_b_16
# Older opsets, as the PP-OCR models (opset 9), for the opset-upgrade paths.
export_model resnet18 9 resnet18-opset9
export_model mobilenet_v3_small 9 mobilenet_v3_small-opset9
export_model mobilenet_v3_small 11 mobilenet_v3_small-opset11
# BatchNormalization kept (the exporter folds it by default), for the pre-processing step.
export_model resnet18 14 resnet18-bn --keep-batchnorm

if [ "${1:-}" = "--large" ] || [ "${FETCH_LARGE:-}" = 1 ]; then
  out="$dest/vit_l_16.onnx"
  if [ ! -f "$out" ]; then
    if [ -f .cache/bench/vit_l_16.onnx ] && ln .cache/bench/vit_l_16.onnx "$out" 2>/dev/null; then :
    else
      free_kb=$(df -Pk "$dest" | awk 'NR == 2 { print $4 }')
      [ "$free_kb" -gt $((4 * 1024 * 1024)) ] || { echo "fetch-models: vit_l_16 needs 4 GB free in $dest" >&2; exit 1; }
      export_model vit_l_16
    fi
  fi
fi
ls -l "$dest"
