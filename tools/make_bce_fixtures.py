#!/usr/bin/python3
"""PyTorch reference cases for binary_cross_entropy at and near saturation (p = 0 and p = 1).

Run with Debian's PyTorch 1.13 (apt-get install python3-torch):

    /usr/bin/python3 tools/make_bce_fixtures.py     # writes tests/fixtures/ops/bce_saturated_*.safetensors

The interior case bce_0 comes from the shared reference; these cases pin what PyTorch does where the logs hit
their -100 clamp and where p * (1 - p) falls below the 1e-12 floor of its backward:
    loss   = -(t * max(log p, -100) + (1 - t) * max(log1p(-p), -100))
    d / dp = (p - t) / max(p * (1 - p), 1e-12)
Targets 0, 1 and fractional meet p = 0, p = 1, float32's neighbours of 0 and 1, and values whose p * (1 - p) is
under 1e-12. Same format as tools/make_fixtures.py (in.NAME, out, gout, grad.NAME; metadata op and args), inputs
rounded to float32 first and everything computed in float64. Only the input gets a gradient: PyTorch's gradient
for the target is -logit(p), infinite at p = 0 and p = 1, and the engine does not copy that (see Losses.Bce).
"""
import json
import os

import torch
from safetensors_io import write_safetensors  # tools/safetensors_io.py

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "tests", "fixtures", "ops")
CONVENTION = "in.X inputs/params; out* outputs; gout* upstream gradients; grad.X = d(sum(out*gout))/dX"
REFERENCE = f"torch {torch.__version__}, float64 on CPU, tools/make_bce_fixtures.py"

F32_BELOW_ONE = 1.0 - 2.0 ** -24   # the largest float32 under 1
F32_TINY = 2.0 ** -24
# p values: exactly saturated, float32's neighbours of 0 and 1, p * (1 - p) under the 1e-12 floor, ordinary.
PROBABILITIES = [0.0, 1.0, F32_TINY, F32_BELOW_ONE, 1e-13, 1e-30, 3e-7, 0.5, 0.9933071732521057, 0.02]
TARGETS = [0.0, 1.0, 0.25, 0.75]


def f32(values):
    return torch.tensor(values, dtype=torch.float64).to(torch.float32).to(torch.float64)


def grid():
    """Every probability against every target, as two [len(P) * len(T)] columns."""
    ps = [p for p in PROBABILITIES for _ in TARGETS]
    ts = [t for _ in PROBABILITIES for t in TARGETS]
    return f32(ps), f32(ts)


def write_case(stem, reduction, shape, seed):
    torch.manual_seed(seed)
    p, t = grid()
    p, t = p.reshape(shape), t.reshape(shape)
    x = p.clone().requires_grad_(True)
    out = torch.nn.functional.binary_cross_entropy(x, t, reduction=reduction)
    gout = f32(torch.randn(out.shape, dtype=torch.float64).tolist()).reshape(out.shape)
    (grad,) = torch.autograd.grad(out, [x], gout)
    assert torch.isfinite(out).all() and torch.isfinite(grad).all(), "PyTorch's BCE is finite everywhere on [0, 1]"
    tensors = {"in.x": p, "in.target": t, "out": out.detach(), "gout": gout, "grad.x": grad}
    args = {"reduction": reduction}
    metadata = {"op": "bce", "args": json.dumps(args), "convention": CONVENTION, "reference": REFERENCE}
    write_safetensors(os.path.join(OUT_DIR, stem + ".safetensors"), tensors, metadata)
    print(f"{stem:20s} reduction={reduction:5s} shape={list(shape)} loss={out.detach().flatten()[:4].tolist()}")


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    n = len(PROBABILITIES) * len(TARGETS)
    write_case("bce_saturated_0", "mean", (n,), 2000)
    write_case("bce_saturated_1", "sum", (len(PROBABILITIES), len(TARGETS)), 2001)
    write_case("bce_saturated_2", "none", (n // 2, 2), 2002)


if __name__ == "__main__":
    main()
