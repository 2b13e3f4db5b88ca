"""Counts that `onnx-studio inspect --json` reports, computed independently with python onnx.

Usage: /usr/bin/python3 scripts/python/inspect_counts.py MODEL...   (prints one JSON object)
Used by the tests to cross-check our decoder on real models. Needs Debian's python3-onnx.
"""
import json
import sys

import onnx
from onnx import numpy_helper  # noqa: F401  (imported for its side effect of registering helpers)


def graphs_of(graph):
    """The graph and every nested subgraph, outermost first."""
    out = [graph]
    i = 0
    while i < len(out):
        for node in out[i].node:
            for attr in node.attribute:
                if attr.type == onnx.AttributeProto.GRAPH:
                    out.append(attr.g)
                elif attr.type == onnx.AttributeProto.GRAPHS:
                    out.extend(attr.graphs)
        i += 1
    return out


def elements(dims):
    n = 1
    for d in dims:
        n *= d
    return n


def counts(path):
    model = onnx.load(path, load_external_data=False)
    graphs = graphs_of(model.graph)
    op_types = {}
    params = 0
    for g in graphs:
        params += sum(elements(t.dims) for t in g.initializer)
        params += sum(elements(s.dims) for s in g.sparse_initializer)
        for n in g.node:
            key = f"{n.domain}::{n.op_type}" if n.domain not in ("", "ai.onnx") else n.op_type
            op_types[key] = op_types.get(key, 0) + 1
            if n.op_type == "Constant" and n.domain in ("", "ai.onnx"):
                for a in n.attribute:
                    if a.name == "value":
                        params += elements(a.t.dims)
                    elif a.name in ("value_float", "value_int"):
                        params += 1
                    elif a.name == "value_floats":
                        params += len(a.floats)
                    elif a.name == "value_ints":
                        params += len(a.ints)
                    elif a.name == "sparse_value":
                        params += elements(a.sparse_tensor.dims)
    init_names = {t.name for t in model.graph.initializer}
    return {
        "irVersion": model.ir_version,
        "producerName": model.producer_name,
        "producerVersion": model.producer_version,
        "opsetImports": {("" if o.domain == "ai.onnx" else o.domain): o.version for o in model.opset_import},
        "inputNames": [i.name for i in model.graph.input if i.name not in init_names],
        "outputNames": [o.name for o in model.graph.output],
        "nodeCount": len(model.graph.node),
        "totalNodeCount": sum(len(g.node) for g in graphs),
        "subgraphCount": len(graphs) - 1,
        "opTypes": op_types,
        "initializerCount": len(model.graph.initializer),
        "parameterCount": params,
        "metadataProps": {p.key: p.value for p in model.metadata_props},
    }


def main():
    result = {}
    for path in sys.argv[1:]:
        try:
            result[path] = counts(path)
        except Exception as e:  # a model python cannot load is reported, not fatal
            result[path] = {"error": str(e)}
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
