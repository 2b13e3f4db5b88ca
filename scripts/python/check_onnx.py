"""Check ONNX files with python onnx's checker, the reference our outputs must pass.

Usage: /usr/bin/python3 scripts/python/check_onnx.py MODEL.onnx...
Prints one JSON line per model: {"path", "ok", "error"} (error null when ok). Exit status 0
when every model passes, 1 otherwise. What `check_model(path, full_check=True)` does, except
that its shape inference (`infer_shapes_path`) would write the inferred model OVER the file
checked: here the path goes to the checker (external data is checked where it lies) and strict
shape inference runs on the proto loaded without its external data and with the values of
tensors over 1 MiB left out (shape inference reads only small shape-like values), so a 1.2 GB
model is not copied five times in memory. Never writes.
"""
import json
import sys

import onnx

LARGE = 1 << 20


def without_large_values(model: onnx.ModelProto) -> onnx.ModelProto:
    """Large initializers become external references that shape inference never opens."""
    for tensor in model.graph.initializer:
        if len(tensor.raw_data) > LARGE:
            tensor.ClearField("raw_data")
            tensor.data_location = onnx.TensorProto.EXTERNAL
            del tensor.external_data[:]
            tensor.external_data.add(key="location", value="values-left-out-for-shape-inference")
    return model


def check(path: str) -> dict:
    try:
        onnx.checker.check_model(path)
        model = without_large_values(onnx.load(path, load_external_data=False))
        onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
        return {"path": path, "ok": True, "error": None}
    except Exception as error:  # the checker raises several types; all mean "rejected"
        message = str(error).strip() or type(error).__name__
        return {"path": path, "ok": False, "error": f"{type(error).__name__}: {message}"}


def main() -> int:
    results = [check(path) for path in sys.argv[1:]]
    for result in results:
        print(json.dumps(result), flush=True)
    return 0 if results and all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
