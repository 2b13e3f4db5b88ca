"""Export a torchvision architecture (random weights, seed 0) to ONNX.

Usage: /usr/bin/python3 scripts/export-torchvision.py ARCH OUT.onnx [OPSET]
Needs Debian's python3-torch and python3-torchvision. OPSET defaults to 14. The file is
written beside OUT and renamed, so an interrupted export leaves no half file. Gradients stay
enabled: torch 1.13's exporter fails on the fused attention path under no_grad.
"""
import os
import signal
import sys

import torch
import torchvision


def main() -> None:
    arch, out = sys.argv[1], sys.argv[2]
    opset = int(sys.argv[3]) if len(sys.argv) > 3 else 14
    torch.manual_seed(0)
    model = getattr(torchvision.models, arch)().eval()
    size = 224
    example = torch.randn(1, 3, size, size)
    tmp = f"{out}.{os.getpid()}.tmp"
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind: the finally removes tmp
    try:
        torch.onnx.export(model, example, tmp, input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=opset)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


if __name__ == "__main__":
    main()
