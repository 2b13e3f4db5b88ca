"""Parses ONNX text files with python onnx's parser (Debian python3-onnx 1.12) and reports, per
file, whether it parsed and the ops of its main graph. Usage: parse_texts.py FILE...  (JSON out)
"""
import json
import sys

from onnx import parser


def main():
    out = {}
    for path in sys.argv[1:]:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        try:
            model = parser.parse_model(text)
            out[path] = {"ok": True, "ops": [n.op_type for n in model.graph.node], "inputs": [i.name for i in model.graph.input]}
        except Exception as e:  # noqa: BLE001 - the parser raises its own error types
            out[path] = {"ok": False, "error": str(e)[:200]}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
