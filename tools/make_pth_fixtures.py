#!/usr/bin/python3
"""Write the small PyTorch .pth fixtures that tests/IO/PthReaderTests.cs reads.

Run with Debian's PyTorch 1.13 (apt-get install python3-torch):

    /usr/bin/python3 tools/make_pth_fixtures.py        # writes tests/fixtures/pth/*

For every readable fixture NAME.pth there is NAME.expected.safetensors: the tensors of the state dict the C#
reader should select (params_ema, else params, else the top level), in the same order, widened to float32 by
PyTorch itself (`t.to(torch.float32)`), so the tests compare against PyTorch's own values. Its metadata
holds "wrapper" (the key the state dict sits under, "" for the top level) and "order" (the keys in file
order, JSON).

The forbidden_* files name a dangerous global (posix.system, __builtin__.eval). They are built by pickling
an object whose __reduce__ returns that callable; pickling only records the reference, nothing is run, and
this script never loads them back. Everything is tiny and seeded, so reruns write the same tensors (the
legacy files' storage keys are memory addresses, so their bytes differ between runs, their values do not).
"""
import collections
import json
import os
import struct
import zipfile

import torch
from safetensors_io import write_safetensors  # noqa: E402  (tools/safetensors_io.py)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "tests", "fixtures", "pth")


def save(name, obj, expected, wrapper="", **save_args):
    """torch.save obj as NAME.pth and the float32 values of `expected` (a dict of tensors) beside it."""
    path = os.path.join(OUT_DIR, name + ".pth")
    torch.save(obj, path, **save_args)
    meta = {"wrapper": wrapper, "order": json.dumps(list(expected.keys())),
            "source": f"torch {torch.__version__}, tools/make_pth_fixtures.py"}
    write_safetensors(os.path.join(OUT_DIR, name + ".expected.safetensors"), expected, meta)
    print(f"{name}.pth: {os.path.getsize(path)} bytes, {len(expected)} tensors")


def tiny_net(seed):
    torch.manual_seed(seed)
    net = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3), torch.nn.BatchNorm2d(3), torch.nn.PReLU(3))
    with torch.no_grad():  # non-default running stats, so the test sees real values
        net[1].running_mean.uniform_(-1, 1)
        net[1].running_var.uniform_(0.5, 2)
        net[1].num_batches_tracked.fill_(7)
    return net


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    torch.manual_seed(0)

    # ---- dtypes: every storage type the reader widens to float32, a 0-dim tensor and an nn.Parameter
    dtypes = collections.OrderedDict()
    dtypes["f32"] = torch.randn(2, 3)
    dtypes["f16"] = torch.randn(2, 3).half()
    dtypes["bf16"] = torch.randn(3, 2).bfloat16()
    dtypes["f64"] = torch.randn(4, dtype=torch.float64) * 1e3 + 1 / 3
    dtypes["i64"] = torch.tensor([-3, 0, 5, 1 << 20], dtype=torch.int64)
    dtypes["i32"] = torch.tensor([[-7, 8]], dtype=torch.int32)
    dtypes["i16"] = torch.tensor([-300, 300], dtype=torch.int16)
    dtypes["i8"] = torch.tensor([-128, 127], dtype=torch.int8)
    dtypes["u8"] = torch.tensor([0, 200, 255], dtype=torch.uint8)
    dtypes["bool"] = torch.tensor([True, False, True])
    dtypes["scalar"] = torch.tensor(2.5)
    dtypes["empty"] = torch.zeros(0, 3)
    dtypes["param"] = torch.nn.Parameter(torch.randn(2, 2))
    save("dtypes", dict(dtypes), dtypes)

    # ---- views: one storage shared by a base, a transpose, a slice with offset, a column, an expand
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6) * 0.5 - 3
    views = collections.OrderedDict()
    views["base"] = base
    views["transposed"] = base.t()                  # stride (1, 6)
    views["slice"] = base[1:3, 2:5]                 # storage offset 8, stride (6, 1)
    views["column"] = base[:, 3]                    # storage offset 3, stride (6,)
    views["expanded"] = base[2:3, :].expand(3, 6)   # stride (0, 1)
    views["every_other"] = base.reshape(-1)[1::2]   # stride (2,)
    half = torch.randn(3, 5).half()
    views["half_t"] = half.t()                      # a non-contiguous float16 view
    save("views", dict(views), views)

    # ---- an OrderedDict state dict at the top level (with BatchNorm's int64 num_batches_tracked)
    sd = tiny_net(1).state_dict()
    save("ordered_dict", sd, sd)

    # ---- BasicSR's {'params': ...} wrapper, with non-tensor values beside it
    sd = tiny_net(2).state_dict()
    meta = {"iter": 5, "note": "tiny", "lr": 0.1, "flags": [True, False, None], "big": 1 << 40,
            "huge": 1 << 70, "neg": -5, "pair": (1, "a")}
    save("params", {"params": sd, "meta": meta}, sd, wrapper="params")

    # ---- BasicSR's net_g_ema: both params and params_ema, where params_ema must win
    sd_raw, sd_ema = tiny_net(3).state_dict(), tiny_net(4).state_dict()
    save("params_ema", {"params": sd_raw, "params_ema": sd_ema}, sd_ema, wrapper="params_ema")

    # ---- pickle protocol 4: FRAME, MEMOIZE, SHORT_BINUNICODE, STACK_GLOBAL
    sd = tiny_net(5).state_dict()
    save("protocol4", {"state_dict": sd}, sd, wrapper="state_dict", pickle_protocol=4)

    # ---- the pre-1.6 legacy format (old ESRGAN files), with a shared storage and a half tensor
    legacy = collections.OrderedDict()
    legacy["model.0.weight"] = torch.randn(4, 2, 3, 3)
    legacy["model.0.bias"] = torch.randn(4)
    legacy["view.t"] = legacy["model.0.weight"].reshape(4, 18)[:, 3:9].t()
    legacy["half"] = torch.randn(5).half()
    legacy["f64"] = torch.randn(2, 2, dtype=torch.float64)
    save("legacy", legacy, legacy, _use_new_zipfile_serialization=False)

    # ---- checksums of the shared BasicSR file tests/fixtures/models/rrdbnet_tiny_x4.pth (too big to duplicate):
    # per tensor [sum, sum of |x|, first, last], computed in float64
    state = torch.load(os.path.join(ROOT, "tests", "fixtures", "models", "rrdbnet_tiny_x4.pth"), map_location="cpu")
    sums = collections.OrderedDict()
    for key, t in state["params_ema"].items():
        flat = t.detach().reshape(-1).to(torch.float64)
        sums[key] = torch.stack([flat.sum(), flat.abs().sum(), flat[0], flat[-1]])
    write_safetensors(os.path.join(OUT_DIR, "rrdbnet_tiny_x4.checksums.safetensors"), sums,
                      {"order": json.dumps(list(sums.keys())), "wrapper": "params_ema",
                       "source": f"torch {torch.__version__}, tools/make_pth_fixtures.py"})

    # ---- forbidden globals: only the reference is pickled, nothing runs
    class Evil:
        def __init__(self, fn, arg):
            self.fn, self.arg = fn, arg

        def __reduce__(self):
            return (self.fn, (self.arg,))

    torch.save({"weight": torch.ones(2), "payload": Evil(os.system, "echo hi")},
               os.path.join(OUT_DIR, "forbidden_system.pth"))
    torch.save({"weight": torch.ones(2), "payload": Evil(eval, "1+1")},
               os.path.join(OUT_DIR, "forbidden_eval_legacy.pth"), _use_new_zipfile_serialization=False)
    for name in ("forbidden_system.pth", "forbidden_eval_legacy.pth"):
        data = open(os.path.join(OUT_DIR, name), "rb").read()
        if zipfile.is_zipfile(os.path.join(OUT_DIR, name)):
            with zipfile.ZipFile(os.path.join(OUT_DIR, name)) as z:
                data = z.read([n for n in z.namelist() if n.endswith("/data.pkl")][0])
        assert b"system" in data or b"eval" in data, name
        print(f"{name}: names a forbidden global (never loaded here)")


if __name__ == "__main__":
    main()
