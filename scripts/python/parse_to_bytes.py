"""Parses ONNX texts (JSON list on stdin) with python onnx's parser; prints a JSON list of the
serialized models (hex) or null where it refuses. For the text-syntax cross-check."""
import json
import sys

from onnx import parser

out = []
for text in json.load(sys.stdin):
    try:
        out.append(parser.parse_model(text).SerializeToString().hex())
    except Exception:  # noqa: BLE001 - a refusal is data here
        out.append(None)
json.dump(out, sys.stdout)
