#!/usr/bin/python3
"""Generate PyTorch reference fixtures for the engine-foundation ops (the cases of index_generated.json).

Run with Debian's PyTorch 1.13 (apt-get install python3-torch):

    /usr/bin/python3 tools/make_fixtures.py            # writes tests/fixtures/ops/*.safetensors

The cases of index.json (convolutions, normalisations, losses, optimizers ...) come from
tools/make_reference_op_fixtures.py, which shares this script's helpers and format: `in.NAME` inputs,
`out`, `gout` the upstream gradient, `grad.NAME` = d(sum(out * gout)) / d NAME, metadata `op` and `args` (a JSON string).
Everything is computed in float64 from inputs that were first rounded to float32, so an engine reading
the stored float32 inputs computes from exactly the values PyTorch saw. Output is deterministic: one
seed per case, and the file bytes are written here with struct + json (no safetensors package needed).
The list of generated files goes to tests/fixtures/ops/index_generated.json, rewritten on every run.
"""
import json
import os
import struct
import sys

import torch
from safetensors_io import write_safetensors  # noqa: E402  (tools/safetensors_io.py)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "tests", "fixtures", "ops")
CONVENTION = "in.X inputs/params; out* outputs; gout* upstream gradients; grad.X = d(sum(out*gout))/dX"
REFERENCE = f"torch {torch.__version__}, float64 on CPU, tools/make_fixtures.py"


# ---------------------------------------------------------------- safetensors writer

# ---------------------------------------------------------------- input helpers (float32-exact float64)

def f64(t):
    """Round to float32 and back, so the stored inputs are exactly what the float64 math used."""
    return t.to(torch.float32).to(torch.float64)


def randn(*shape):
    return f64(torch.randn(shape, dtype=torch.float64))


def uniform(lo, hi, *shape):
    return f64(lo + (hi - lo) * torch.rand(shape, dtype=torch.float64))


def away_from_zero(lo, hi, *shape):
    """Values with lo <= |v| <= hi and random sign (keeps division, abs and sign-based grads well posed)."""
    sign = torch.where(torch.rand(shape) < 0.5, -1.0, 1.0).to(torch.float64)
    return f64(sign * (lo + (hi - lo) * torch.rand(shape, dtype=torch.float64)))


# ---------------------------------------------------------------- case runner

CASES = []  # (file stem, op, args, builder) in generation order


def case(stem, op, args=None):
    def register(builder):
        CASES.append((stem, op, args or {}, builder))
        return builder
    return register


def run_case(stem, op, args, builder, seed):
    torch.manual_seed(seed)
    inputs, fn, differentiable = builder(args)
    leaves = {}
    for name, value in inputs.items():
        leaf = value.clone()
        if name in differentiable:
            leaf.requires_grad_(True)
        leaves[name] = leaf
    out = fn(**leaves)
    tensors = {f"in.{n}": v for n, v in inputs.items()}
    tensors["out"] = out
    if differentiable:
        gout = randn(*out.shape)
        wrt = [leaves[n] for n in differentiable]
        grads = torch.autograd.grad(out, wrt, gout, allow_unused=True)
        tensors["gout"] = gout
        for n, g in zip(differentiable, grads):
            if g is not None:  # a missing grad means PyTorch returned none, as in the reference
                tensors[f"grad.{n}"] = g
    metadata = {"op": op, "args": json.dumps(args), "convention": CONVENTION, "reference": REFERENCE}
    write_safetensors(os.path.join(OUT_DIR, stem + ".safetensors"), tensors, metadata)
    return {"file": stem + ".safetensors", "op": op, "args": args,
            "tensors": {k: list(v.shape) for k, v in sorted(tensors.items())}}


# ---------------------------------------------------------------- binary ops with broadcasting

@case("add_0", "add")
def _(args):
    return {"a": randn(2, 3, 4), "b": randn(3, 1)}, lambda a, b: a + b, ["a", "b"]


@case("sub_0", "sub")
def _(args):
    return {"a": randn(2, 3, 4), "b": randn(4)}, lambda a, b: a - b, ["a", "b"]


@case("mul_0", "mul")
def _(args):
    return {"a": randn(2, 1, 4), "b": randn(3, 1)}, lambda a, b: a * b, ["a", "b"]


@case("div_0", "div")
def _(args):
    return {"a": randn(2, 3, 4), "b": away_from_zero(0.5, 2.0, 1, 3, 1)}, lambda a, b: a / b, ["a", "b"]


# ---------------------------------------------------------------- unary ops

def unary(stem, op, make_x, fn, args=None):
    case(stem, op, args)(lambda case_args: ({"x": make_x()}, lambda x: fn(x, case_args), ["x"]))


unary("neg_0", "neg", lambda: randn(2, 3, 4), lambda x, a: -x)
unary("exp_0", "exp", lambda: randn(2, 3, 4, 5), lambda x, a: torch.exp(x))
unary("log_0", "log", lambda: uniform(0.5, 2.0, 2, 3, 4), lambda x, a: torch.log(x))
unary("sqrt_0", "sqrt", lambda: uniform(0.5, 2.0, 2, 3, 4), lambda x, a: torch.sqrt(x))
unary("rsqrt_0", "rsqrt", lambda: uniform(0.5, 2.0, 2, 3, 4), lambda x, a: torch.rsqrt(x))
unary("abs_0", "abs", lambda: away_from_zero(0.1, 2.0, 2, 3, 4), lambda x, a: torch.abs(x))
unary("pow_0", "pow", lambda: randn(2, 3, 4), lambda x, a: torch.pow(x, a["exponent"]), {"exponent": 3.0})
unary("pow_1", "pow", lambda: uniform(0.5, 2.0, 2, 3, 4), lambda x, a: torch.pow(x, a["exponent"]), {"exponent": 0.5})


def clamp_input():
    # Keep every value at least 1e-3 from the bounds so finite differences and float32 agree on the mask.
    x = uniform(-1.0, 1.0, 2, 3, 4)
    near = ((x.abs() - 0.5).abs() < 1e-3)
    return f64(torch.where(near, x * 0.9, x))


unary("clamp_0", "clamp", clamp_input, lambda x, a: torch.clamp(x, a["min"], a["max"]), {"min": -0.5, "max": 0.5})


@case("pow_tensor_0", "pow_tensor")
def _(args):
    return {"a": uniform(0.5, 2.0, 2, 3, 4), "b": randn(2, 3, 4)}, lambda a, b: torch.pow(a, b), ["a", "b"]


# ---------------------------------------------------------------- comparisons (forward only, float 0/1 masks)

def compare_inputs():
    a, b = randn(2, 3, 4), randn(3, 4)
    # Copy b into about a third of a so eq / ge / le see exact ties.
    tie = torch.rand(2, 3, 4) < 0.35
    return {"a": torch.where(tie, b.expand(2, 3, 4), a), "b": b}


for _op, _fn in [("gt", torch.gt), ("ge", torch.ge), ("lt", torch.lt), ("le", torch.le), ("eq", torch.eq)]:
    case(f"{_op}_0", _op)(lambda case_args, fn=_fn: (compare_inputs(), lambda a, b: fn(a, b).to(torch.float64), []))


@case("where_0", "where")
def _(args):
    cond = (torch.rand(2, 3, 4) < 0.5).to(torch.float64)
    inputs = {"cond": cond, "a": randn(2, 3, 4), "b": randn(3, 4)}
    return inputs, lambda cond, a, b: torch.where(cond > 0.5, a, b), ["a", "b"]


# ---------------------------------------------------------------- reductions

@case("max_0", "max", {"dims": [1], "keepdim": False})
def _(args):
    # randn values are distinct with probability one, so the max has no ties.
    return {"x": randn(2, 3, 4)}, lambda x: torch.amax(x, dim=args["dims"], keepdim=args["keepdim"]), ["x"]


@case("max_1", "max", {"dims": [0, 2], "keepdim": True})
def _(args):
    return {"x": randn(2, 3, 4)}, lambda x: torch.amax(x, dim=args["dims"], keepdim=args["keepdim"]), ["x"]


@case("sum_dims_1", "sum", {"dims": [1], "keepdim": False})
def _(args):
    return {"x": randn(2, 3, 4)}, lambda x: torch.sum(x, dim=args["dims"], keepdim=args["keepdim"]), ["x"]


@case("mean_1", "mean", {"dims": [2, 3], "keepdim": True})
def _(args):
    return {"x": randn(2, 3, 4, 5)}, lambda x: torch.mean(x, dim=args["dims"], keepdim=args["keepdim"]), ["x"]


@case("var_1", "var", {"dims": [0, 1], "unbiased": True})
def _(args):
    return {"x": randn(2, 3, 4)}, lambda x: torch.var(x, dim=args["dims"], unbiased=args["unbiased"]), ["x"]


@case("log_softmax_1", "log_softmax", {"dim": 0})
def _(args):
    return {"x": randn(3, 4, 5)}, lambda x: torch.log_softmax(x, dim=args["dim"]), ["x"]


# ---------------------------------------------------------------- matmul

for _i, (_sa, _sb) in enumerate([((5, 7), (7, 3)), ((2, 4, 6), (2, 6, 3)), ((2, 4, 6), (6, 3))]):
    case(f"matmul_{_i}", "matmul")(
        lambda case_args, sa=_sa, sb=_sb: ({"a": randn(*sa), "b": randn(*sb)}, lambda a, b: torch.matmul(a, b), ["a", "b"]))


# ---------------------------------------------------------------- shape ops

@case("permute_0", "permute", {"dims": [0, 2, 3, 1]})
def _(args):
    return {"x": randn(2, 3, 4, 5)}, lambda x: x.permute(*args["dims"]), ["x"]


@case("transpose_0", "transpose", {"dim0": 1, "dim1": 2})
def _(args):
    return {"x": randn(2, 3, 4)}, lambda x: x.transpose(args["dim0"], args["dim1"]), ["x"]


@case("slice_0", "slice", {"dim": 1, "start": 1, "length": 2})
def _(args):
    return {"x": randn(2, 4, 3)}, lambda x: x.narrow(args["dim"], args["start"], args["length"]), ["x"]


@case("cat_1", "cat", {"dim": 0})
def _(args):
    inputs = {"a": randn(1, 3, 4), "b": randn(2, 3, 4)}
    return inputs, lambda a, b: torch.cat([a, b], dim=args["dim"]), ["a", "b"]


@case("cat_2", "cat", {"dim": 2})
def _(args):
    inputs = {"a": randn(2, 3, 2), "b": randn(2, 3, 4), "c": randn(2, 3, 1)}
    return inputs, lambda a, b, c: torch.cat([a, b, c], dim=args["dim"]), ["a", "b", "c"]


# ---------------------------------------------------------------- losses and linear

@case("cross_entropy_1", "cross_entropy", {"reduction": "mean"})
def _(args):
    inputs = {"x": randn(6, 5), "target": torch.randint(0, 5, (6,)).to(torch.float64)}
    return inputs, lambda x, target: torch.nn.functional.cross_entropy(x, target.long()), ["x"]


@case("bce_with_logits_1", "bce_with_logits", {"reduction": "mean"})
def _(args):
    # Large logits (|x| up to 20) exercise the numerically stable formulation.
    inputs = {"x": away_from_zero(2.0, 20.0, 4, 3), "target": (torch.rand(4, 3) < 0.5).to(torch.float64)}
    return inputs, lambda x, target: torch.nn.functional.binary_cross_entropy_with_logits(x, target), ["x"]


@case("l1_1", "l1", {"reduction": "mean"})
def _(args):
    inputs = {"x": randn(3, 5), "target": randn(3, 5)}
    return inputs, lambda x, target: torch.nn.functional.l1_loss(x, target), ["x"]


@case("mse_1", "mse", {"reduction": "mean"})
def _(args):
    inputs = {"x": randn(3, 5), "target": randn(3, 5)}
    return inputs, lambda x, target: torch.nn.functional.mse_loss(x, target), ["x"]


@case("linear_2", "linear", {"bias": True})
def _(args):
    inputs = {"x": randn(2, 3, 5), "weight": randn(4, 5), "bias": randn(4)}
    return inputs, lambda x, weight, bias: torch.nn.functional.linear(x, weight, bias), ["x", "weight", "bias"]


# ---------------------------------------------------------------- main

def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    reference_index = os.path.join(OUT_DIR, "index.json")
    reference_files = set()
    if os.path.exists(reference_index):
        with open(reference_index) as f:
            reference_files = {e["file"] for e in json.load(f)}
    index = []
    for seed, (stem, op, args, builder) in enumerate(CASES, start=1000):
        if stem + ".safetensors" in reference_files:
            sys.exit(f"{stem}.safetensors belongs to tools/make_reference_op_fixtures.py (index.json); pick another name")
        index.append(run_case(stem, op, args, builder, seed))
        print(f"{stem:20s} {op:16s} {json.dumps(args)}")
    with open(os.path.join(OUT_DIR, "index_generated.json"), "w") as f:
        json.dump(index, f, indent=1)
        f.write("\n")
    print(f"{len(index)} fixtures written to {OUT_DIR}")


if __name__ == "__main__":
    main()
