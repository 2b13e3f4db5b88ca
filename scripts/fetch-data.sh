#!/usr/bin/env bash
# Generates the real data issue 8's tests and acceptance use into .cache/data (git-ignored),
# from Debian packages only: photographs from python3-skimage, text drawn with fonts-dejavu-core,
# speech from espeak-ng (setup.sh --tests installs them). Idempotent and quick when done: each
# folder is built under a temporary name and renamed when complete, and skipped when it exists.
# Needs .cache/corpus (fetch-corpus.sh) and onnxruntime-node (the Silero VAD states).
set -euo pipefail
cd "$(dirname "$0")/.."
out=.cache/data
mkdir -p "$out"
py=/usr/bin/python3
[ -d "$out/photos" ] && [ -d "$out/imagenet224" ] && [ -d "$out/image-variants" ] || "$py" scripts/python/make-photos.py "$out"
[ -d "$out/ocr-det" ] && [ -d "$out/ocr-rec" ] && [ -d "$out/ocr-cls" ] || "$py" scripts/python/make-ocr.py "$out"
[ -d "$out/speech" ] || "$py" scripts/python/make-speech.py "$out" .cache/corpus
ls "$out"
