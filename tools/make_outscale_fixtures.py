#!/usr/bin/python3
"""References for `nativegan upscale -s/--outscale`: the network's x4 output resized with Pillow's Lanczos to
int(w * s) x int(h * s), as Real-ESRGAN resizes after the model.

Run with Debian's PyTorch 1.13 and Pillow 9.4:

    /usr/bin/python3 tools/make_outscale_fixtures.py   # writes tests/fixtures/outscale/

Input: tests/fixtures/srdata/images/coffee.png (90 x 75, RGB). Network: the SRVGGNetCompact of
tests/fixtures/models/srvgg_tiny_x4_conv2.weights.safetensors, run in float64 (tools/make_srvgg_fixtures.py).
Writes coffee_x4.png, PyTorch's output clamped to [0, 1] and rounded to 8 bits (360 x 300), and
coffee_x4_lanczos_WxH.png, Pillow's Image.resize((W, H), Image.LANCZOS) of it for the outscales in OUTSCALES.
(Real-ESRGAN itself resizes with OpenCV's INTER_LANCZOS4, an 8 x 8 kernel without antialiasing; NativeGan uses
Pillow's filter, the one its `prepare multiscale` already reproduces, so the reference is Pillow's.)
"""
import json
import os

import numpy as np
import torch
from PIL import Image

from make_srvgg_fixtures import SRVGGNetCompact
from safetensors_io import read_safetensors

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "tests", "fixtures", "outscale")
OUTSCALES = [2.5, 1.3, 5.3, 0.5]


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    weights, meta = read_safetensors(os.path.join(ROOT, "tests", "fixtures", "models", "srvgg_tiny_x4_conv2.weights.safetensors"))
    c = json.loads(meta["config"])
    model = SRVGGNetCompact(c["num_in_ch"], c["num_out_ch"], c["num_feat"], c["num_conv"], c["upscale"], c["act_type"]).double()
    model.load_state_dict({k: v.to(torch.float64) for k, v in weights.items()})
    photo = Image.open(os.path.join(ROOT, "tests", "fixtures", "srdata", "images", "coffee.png")).convert("RGB")
    x = torch.from_numpy(np.asarray(photo, dtype=np.float64) / 255.0).permute(2, 0, 1).unsqueeze(0)
    with torch.no_grad():
        y = model(x).clamp(0, 1)[0].permute(1, 2, 0).numpy()
    x4 = Image.fromarray(np.round(y * 255.0).astype(np.uint8), "RGB")
    x4.save(os.path.join(OUT_DIR, "coffee_x4.png"))
    w, h = photo.size
    for s in OUTSCALES:
        size = (int(w * s), int(h * s))
        x4.resize(size, Image.LANCZOS).save(os.path.join(OUT_DIR, f"coffee_x4_lanczos_{size[0]}x{size[1]}.png"))
        print(f"outscale {s}: {size[0]} x {size[1]}")


if __name__ == "__main__":
    main()
