"""Dumps python onnx's operator schemas (every version) as JSON, for the registry cross-check.

Usage: /usr/bin/python3 scripts/python/dump_schemas.py   (Debian python3-onnx)
"""
import json
import sys

import onnx
from onnx import defs

ATTR_TYPES = {
    defs.OpSchema.AttrType.FLOAT: "float", defs.OpSchema.AttrType.INT: "int", defs.OpSchema.AttrType.STRING: "string",
    defs.OpSchema.AttrType.TENSOR: "tensor", defs.OpSchema.AttrType.GRAPH: "graph",
    defs.OpSchema.AttrType.SPARSE_TENSOR: "sparse_tensor", defs.OpSchema.AttrType.TYPE_PROTO: "type_proto",
    defs.OpSchema.AttrType.FLOATS: "floats", defs.OpSchema.AttrType.INTS: "ints", defs.OpSchema.AttrType.STRINGS: "strings",
    defs.OpSchema.AttrType.TENSORS: "tensors", defs.OpSchema.AttrType.GRAPHS: "graphs",
    defs.OpSchema.AttrType.SPARSE_TENSORS: "sparse_tensors", defs.OpSchema.AttrType.TYPE_PROTOS: "type_protos",
}
OPTION = {defs.OpSchema.FormalParameterOption.Single: "single", defs.OpSchema.FormalParameterOption.Optional: "optional",
          defs.OpSchema.FormalParameterOption.Variadic: "variadic"}


def formal(p):
    return {"name": p.name, "type": p.typeStr, "option": OPTION[p.option], "homogeneous": p.isHomogeneous}


def main():
    out = []
    for s in defs.get_all_schemas_with_history():
        out.append({
            "domain": s.domain, "name": s.name, "since": s.since_version, "deprecated": s.deprecated,
            "inputs": [formal(p) for p in s.inputs], "outputs": [formal(p) for p in s.outputs],
            "minInputs": s.min_input, "maxInputs": s.max_input, "minOutputs": s.min_output, "maxOutputs": s.max_output,
            "attributes": {name: {"type": ATTR_TYPES[a.type], "required": a.required} for name, a in s.attributes.items()},
            "typeConstraints": {c.type_param_str: sorted(c.allowed_type_strs) for c in s.type_constraints},
        })
    json.dump({"onnx": onnx.__version__, "schemas": out}, sys.stdout)


if __name__ == "__main__":
    main()
