#!/usr/bin/env python3
"""Checks that PyTorch loads a NativeGan SR run's released .pth as BasicSR / Real-ESRGAN would.

Usage: tools/check_pth_writer.py RUN_DIR
Loads RUN_DIR/models/net_g_latest.pth with torch.load (the call Real-ESRGAN's RealESRGANer makes), takes params_ema
(else params) as Real-ESRGAN does, and compares every tensor, in float64, with RUN_DIR/models/net_g_latest.safetensors.
Exits 1 on any difference. Not run by `dotnet test` (no Python there); PthWriterTests read the same files with the
engine's reader, which is itself checked against files PyTorch wrote.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import read_safetensors  # noqa: E402


def main():
    run = sys.argv[1]
    loaded = torch.load(os.path.join(run, "models", "net_g_latest.pth"), map_location="cpu")
    key = "params_ema" if "params_ema" in loaded else "params"
    state = loaded[key]
    released, _ = read_safetensors(os.path.join(run, "models", "net_g_latest.safetensors"))
    if sorted(state.keys()) != sorted(released.keys()):
        print(f"keys differ: {sorted(set(state) ^ set(released))}")
        return 1
    worst = 0.0
    for name, tensor in state.items():
        ref = torch.as_tensor(released[name], dtype=torch.float64)
        worst = max(worst, (tensor.double() - ref.reshape(tensor.shape)).abs().max().item() if tensor.numel() else 0.0)
    print(f"torch {torch.__version__}: {run}/models/net_g_latest.pth holds {sorted(loaded.keys())}; "
          f"{key}: {len(state)} tensors, max |difference| to the safetensors release {worst:g}")
    return 0 if worst == 0.0 else 1


if __name__ == "__main__":
    sys.exit(main())
