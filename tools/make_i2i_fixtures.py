#!/usr/bin/python3
"""PyTorch reference fixtures for the image-to-image family's engine op: reflection padding.

    /usr/bin/python3 tools/make_i2i_fixtures.py     # writes tests/fixtures/ops/reflection_pad2d_*.safetensors

Same format, naming and float64 computation as tools/make_fixtures.py (whose writer and case runner this reuses).
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import OUT_DIR, randn, run_case  # noqa: E402

CASES = [
    # (stem, args, input shape)
    ("reflection_pad2d_0", {"left": 3, "right": 3, "top": 3, "bottom": 3}, (2, 3, 5, 6)),
    ("reflection_pad2d_1", {"left": 1, "right": 2, "top": 0, "bottom": 3}, (1, 2, 4, 3)),
]


def builder_for(args, shape):
    def build(_):
        pad = (args["left"], args["right"], args["top"], args["bottom"])
        return {"x": randn(*shape)}, lambda x: torch.nn.functional.pad(x, pad, mode="reflect"), ["x"]
    return build


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    for seed, (stem, args, shape) in enumerate(CASES, start=8000):
        run_case(stem, "reflection_pad2d", args, builder_for(args, shape), seed)
        print(stem, args, shape)


if __name__ == "__main__":
    main()
