"""Case registry and runner for tools/make_reference_op_fixtures.py (see that script for the command).

A case is registered with @case(stem, op, args) on a builder(args) -> (inputs, fn, differentiable):
inputs maps NAME -> float64 tensor (float32-exact) stored as `in.NAME`; fn(**inputs) returns one tensor
(stored as `out`) or a dict of named outputs; differentiable lists the inputs that get `grad.NAME`.
Outputs whose name starts with "out" get an upstream gradient (`out` -> `gout`, `out_d` -> `gout_d`);
the others (`running_mean`, `u`, `sigma`) are plain results that carry no gradient, as in the reference.
"""
import json
import os
import zlib

import torch
from make_fixtures import CONVENTION, OUT_DIR, uniform  # noqa: E402  (tools/make_fixtures.py)
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402

SCRIPT = "tools/make_reference_op_fixtures.py"
REFERENCE = f"torch {torch.__version__}, float64 on CPU, {SCRIPT}"

CASES = []  # (file stem, op, args, builder) in registration order


def case(stem, op, args=None):
    def register(builder):
        CASES.append((stem, op, args if args is not None else {}, builder))
        return builder
    return register


def seed_of(stem):
    """A seed that depends on the case's name only, so adding or reordering cases leaves the others unchanged."""
    return zlib.crc32(stem.encode("utf-8"))


def upstream_gradient(out):
    # A scalar loss gets one positive factor (a zero one would hide its gradient); tensors get values in [-1, 1].
    return uniform(0.5, 1.5) if out.dim() == 0 else uniform(-1.0, 1.0, *out.shape)


def gout_name(out_name):
    return "g" + out_name if out_name.startswith("out") else None


def evaluate(builder, args, stored=None):
    """Runs one case: (tensors to store). With `stored` (tensors read from an existing file of the case), its
    inputs and upstream gradients replace the generated ones, so the result can be compared with that file."""
    inputs, fn, differentiable = builder(args)
    if stored is not None:
        inputs = {n: stored[f"in.{n}"] for n in inputs}
    leaves = {}
    for name, value in inputs.items():
        leaf = value.clone()
        if name in differentiable:
            leaf.requires_grad_(True)
        leaves[name] = leaf
    result = fn(**leaves)
    outputs = result if isinstance(result, dict) else {"out": result}
    tensors = {f"in.{n}": v for n, v in inputs.items()}
    targets, gouts = [], []
    for name, value in outputs.items():
        tensors[name] = value.detach()
        gname = gout_name(name)
        if gname is None or not differentiable:
            continue
        gout = stored[gname] if stored is not None else upstream_gradient(value)
        tensors[gname] = gout
        targets.append(value)
        gouts.append(gout)
    if targets:
        wrt = [leaves[n] for n in differentiable]
        grads = torch.autograd.grad(targets, wrt, gouts, allow_unused=True)
        for name, grad in zip(differentiable, grads):
            if grad is not None:  # a missing grad.NAME means PyTorch returned none (zero), as in the reference
                tensors[f"grad.{name}"] = grad
    return tensors


def run_case(stem, op, args, builder):
    torch.manual_seed(seed_of(stem))
    tensors = evaluate(builder, args)
    metadata = {"op": op, "args": json.dumps(args), "convention": CONVENTION, "reference": REFERENCE}
    write_safetensors(os.path.join(OUT_DIR, stem + ".safetensors"), tensors, metadata)
    return {"file": stem + ".safetensors", "op": op, "args": args,
            "tensors": {k: list(v.shape) for k, v in sorted(tensors.items())}}


def verify_against(folder, stem, op, args, builder):
    """Largest |difference| / (1e-5 + 1e-4 |expected|) between a stored case and this script's computation of it
    from the stored inputs: a check that each builder computes what the stored case's op and args mean."""
    stored, meta = read_safetensors(os.path.join(folder, stem + ".safetensors"))
    if meta.get("op") != op or json.loads(meta.get("args", "{}")) != args:
        return f"op/args differ: {meta.get('op')} {meta.get('args')}"
    torch.manual_seed(seed_of(stem))
    mine = evaluate(builder, args, stored)
    if set(mine) != set(stored):
        return f"tensor names differ: {sorted(set(mine) ^ set(stored))}"
    worst, where = 0.0, ""
    for name, value in mine.items():
        expected = stored[name]
        if list(value.shape) != list(expected.shape):
            return f"{name}: shape {list(value.shape)}, stored {list(expected.shape)}"
        ratio = ((value.to(torch.float32).to(torch.float64) - expected).abs() / (1e-5 + 1e-4 * expected.abs())).max().item() \
            if value.numel() else 0.0
        if ratio > worst:
            worst, where = ratio, name
    return f"worst {worst:.3g} ({where})" + ("" if worst <= 1.0 else "  MISMATCH")
