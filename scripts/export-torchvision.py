"""Export a torchvision architecture (random weights) to ONNX for benchmarks.

Usage: /usr/bin/python3 scripts/export-torchvision.py ARCH OUT.onnx
Needs Debian's python3-torch and python3-torchvision. Gradients stay enabled:
torch 1.13's exporter fails on the fused attention path under no_grad.
"""
import sys

import torch
import torchvision


def main() -> None:
    arch, out = sys.argv[1], sys.argv[2]
    torch.manual_seed(0)
    model = getattr(torchvision.models, arch)().eval()
    size = 224
    example = torch.randn(1, 3, size, size)
    torch.onnx.export(model, example, out, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=14)


if __name__ == "__main__":
    main()
