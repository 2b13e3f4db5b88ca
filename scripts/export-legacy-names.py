"""Rename an exported model's nodes the way torch.onnx named them up to torch 1.12.

Usage: /usr/bin/python3 scripts/export-legacy-names.py IN.onnx OUT.onnx

torch 1.13 names nodes after modules (`/layer1/layer1.0/conv1/Conv`); torch 1.12 and before
named them `<OpType>_<n>` in graph order (`Conv_0`, `Relu_1`, ... `Gemm_48` for ResNet-18), as
the TensorRT engines of NVIDIA's TREx examples show. This gives a torchvision model exported by
Debian's python3-torch (scripts/export-torchvision.py) those older names, so such engines'
profiles can be mapped onto it. Identity nodes, which 1.13 adds for weights that happen to be
equal and older exporters did not write, are left out of the numbering. Values keep their names
(trtexec profiles name layers after nodes). The file is written beside OUT and renamed.
"""
import os
import sys

import onnx


def main() -> None:
    src, out = sys.argv[1], sys.argv[2]
    model = onnx.load(src)
    n = 0
    for node in model.graph.node:
        if node.op_type == "Identity":
            node.name = f"Identity_shared_{node.output[0]}"
            continue
        node.name = f"{node.op_type}_{n}"
        n += 1
    tmp = f"{out}.{os.getpid()}.tmp"
    try:
        onnx.save(model, tmp)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


if __name__ == "__main__":
    main()
