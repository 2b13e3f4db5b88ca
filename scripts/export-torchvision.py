"""Export a torchvision architecture (random weights, seed 0) to ONNX.

Usage: /usr/bin/python3 scripts/export-torchvision.py ARCH OUT.onnx [OPSET] [--keep-batchnorm] [--legacy-names]
Needs Debian's python3-torch and python3-torchvision. OPSET defaults to 14. --keep-batchnorm
keeps BatchNormalization nodes (inference mode) instead of folding them into Conv, and gives
them seeded random statistics and affine parameters (fresh ones are an identity, which would
make folding them trivially exact). Linear layers torchvision initialises to zeros (ViT's
classification head) get PyTorch's default random initialisation, so the logits carry signal
and a comparison of outputs means something. The file is
written beside OUT and renamed, so an interrupted export leaves no half file. Gradients stay
enabled: torch 1.13's exporter fails on the fused attention path under no_grad.

--legacy-names renames the nodes as torch.onnx did up to torch 1.12: `<OpType>_<n>` in graph
order (`Conv_0`, `Relu_1`, ... `Gemm_48` for ResNet-18), the names in the TensorRT engines of
NVIDIA's TREx examples, so their profiles map onto the export. Identity nodes, which 1.13 adds
for weights that happen to be equal and older exporters did not write, are not numbered.
Values keep their names.
"""
import os
import signal
import sys

import torch
import torchvision


def randomize_batchnorm(model: torch.nn.Module) -> None:
    with torch.no_grad():
        for layer in model.modules():
            if isinstance(layer, torch.nn.BatchNorm2d):
                layer.weight.uniform_(0.5, 1.5)
                layer.bias.normal_(0, 0.1)
                layer.running_mean.normal_(0, 0.1)
                layer.running_var.uniform_(0.5, 2.0)


def randomize_zero_linears(model: torch.nn.Module) -> None:
    with torch.no_grad():
        for layer in model.modules():
            if isinstance(layer, torch.nn.Linear) and not layer.weight.any():
                layer.reset_parameters()


def legacy_names(path: str) -> None:
    import onnx

    model = onnx.load(path)
    n = 0
    for node in model.graph.node:
        if node.op_type == "Identity":
            node.name = f"Identity_shared_{node.output[0]}"
            continue
        node.name = f"{node.op_type}_{n}"
        n += 1
    onnx.save(model, path)


def main() -> None:
    flags = {a for a in sys.argv[1:] if a.startswith("--")}
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    arch, out = args[0], args[1]
    opset = int(args[2]) if len(args) > 2 else 14
    mode = torch.onnx.TrainingMode.PRESERVE if "--keep-batchnorm" in flags else torch.onnx.TrainingMode.EVAL
    torch.manual_seed(0)
    model = getattr(torchvision.models, arch)().eval()
    randomize_zero_linears(model)
    if "--keep-batchnorm" in flags:
        randomize_batchnorm(model)
    size = 224
    example = torch.randn(1, 3, size, size)
    tmp = f"{out}.{os.getpid()}.tmp"
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind: the finally removes tmp
    try:
        torch.onnx.export(model, example, tmp, input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=opset,
                          training=mode)
        if "--legacy-names" in flags:
            legacy_names(tmp)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


if __name__ == "__main__":
    main()
