#!/usr/bin/python3
"""Tiled against untiled upscaling: Real-ESRGAN's crop-and-paste tiles and NativeGan's blended tiles, in PyTorch.

    /usr/bin/python3 tools/compare_tiling.py                       # trains a deep compact model briefly, then compares
    /usr/bin/python3 tools/compare_tiling.py --weights RealESRGAN_x4plus.pth --tile 64 --pad 10

For each photo the untiled output of the network is the reference; both tilings run at the same tile and pad and
their 8-bit outputs (clamped, rounded, as written to PNG) are compared with it: PSNR (RGB, no border crop) and the
largest difference in levels.

- Real-ESRGAN (realesrgan/utils.py, RealESRGANer.tile_process): tiles of `tile` pixels from the top-left corner, each
  run with `pad` pixels of context (clipped at the border) and its core pasted into the output.
- NativeGan (models/Sr/Upscaling/TiledUpscaler.cs, reimplemented here): the image is cut into nearly equal cores of at
  most `tile` pixels; neighbours are cross-faded with linear weights over a band of width `pad` centred on their
  common boundary, each tile reads pad + ceil(pad / 2) pixels of context so every pixel it contributes to keeps `pad`
  pixels of context, and the weighted sum is divided by the summed weights. --old-nativegan also runs the earlier
  scheme (context `pad` only), which blending made worse than crop-and-paste.
  --export DIR writes the network as safetensors and NativeGan's blended result of the first photo as PNG, so
  `nativegan upscale -m DIR/model.safetensors --tile T --tile-pad P` can be checked against it.

Without --weights the network is realesr-general-x4v3's shape (SRVGGNetCompact, 64 features, 32 convolutions, PReLU,
x4: a 35-layer receptive field of 35 pixels each side, far beyond a 10-pixel pad) trained for --train-steps steps of
L1 on bicubic x4 pairs cut from the photos (NativeGan ships no trained weights), so its residual is image-like.
"""
import argparse
import math
import os

import numpy as np
import torch
from PIL import Image
from torch.nn import functional as F

from make_srvgg_fixtures import SRVGGNetCompact
from safetensors_io import write_safetensors

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PHOTOS = [os.path.join(ROOT, "tests", "fixtures", "prepare", "images", "chelsea_200x133.png")] + [
    os.path.join(ROOT, "tests", "fixtures", "srdata", "images", n) for n in ("astronaut.png", "chelsea.png", "coffee.png")]


def load(path):
    a = np.asarray(Image.open(path).convert("RGB"), dtype=np.float32) / 255.0
    return torch.from_numpy(a).permute(2, 0, 1).unsqueeze(0).contiguous()


def to8(x):
    return (x.clamp(0, 1) * 255.0).round()


def psnr(a, b, quantize=True):
    """PSNR in dB of [0, 1] images: on the 8-bit values written to PNG, or on the clamped floats."""
    if quantize:
        a, b = to8(a), to8(b)
    else:
        a, b = a.clamp(0, 1) * 255.0, b.clamp(0, 1) * 255.0
    mse = ((a.double() - b.double()) ** 2).mean().item()
    return float("inf") if mse == 0 else 10 * math.log10(255.0 ** 2 / mse)


def row(x, ref):
    return f"{psnr(x, ref):.2f} / {psnr(x, ref, quantize=False):.2f}, {(to8(x) - to8(ref)).abs().max().item():.0f}"


@torch.no_grad()
def tile_realesrgan(model, img, scale, tile, pad):
    _, c, h, w = img.shape
    out = img.new_zeros(1, c, h * scale, w * scale)
    for y in range(math.ceil(h / tile)):
        for x in range(math.ceil(w / tile)):
            x0, x1 = x * tile, min(x * tile + tile, w)
            y0, y1 = y * tile, min(y * tile + tile, h)
            px0, px1, py0, py1 = max(x0 - pad, 0), min(x1 + pad, w), max(y0 - pad, 0), min(y1 + pad, h)
            o = model(img[:, :, py0:py1, px0:px1])
            ox, oy = (x0 - px0) * scale, (y0 - py0) * scale
            out[:, :, y0 * scale:y1 * scale, x0 * scale:x1 * scale] = \
                o[:, :, oy:oy + (y1 - y0) * scale, ox:ox + (x1 - x0) * scale]
    return out


def boundaries(length, tile):
    count = -(-length // tile)
    return [k * length // count for k in range(count + 1)]


def weights(n_out, offset, scale, c0, c1, low, high, ramp):
    u = (torch.arange(n_out, dtype=torch.float64) + offset + 0.5) / scale
    if ramp == 0:
        return (((~torch.tensor(low)) | (u >= c0)) & ((~torch.tensor(high)) | (u < c1))).double()
    lo = ((u - c0) / ramp + 0.5).clamp(0, 1) if low else torch.ones_like(u)
    hi = ((c1 - u) / ramp + 0.5).clamp(0, 1) if high else torch.ones_like(u)
    return torch.minimum(lo, hi)


@torch.no_grad()
def tile_nativegan(model, img, scale, tile, pad, full_context=True):
    _, c, h, w = img.shape
    out = torch.zeros(1, c, h * scale, w * scale, dtype=torch.float64)
    wsum = torch.zeros(h * scale, w * scale, dtype=torch.float64)
    by, bx = boundaries(h, tile), boundaries(w, tile)
    for iy in range(len(by) - 1):
        for ix in range(len(bx) - 1):
            cy0, cy1, cx0, cx1 = by[iy], by[iy + 1], bx[ix], bx[ix + 1]
            reach = pad + (pad + 1) // 2 if full_context else pad  # the fade's half band, then a full pad of context
            ey0, ey1, ex0, ex1 = max(0, cy0 - reach), min(h, cy1 + reach), max(0, cx0 - reach), min(w, cx1 + reach)
            o = model(img[:, :, ey0:ey1, ex0:ex1]).double()
            wy = weights((ey1 - ey0) * scale, ey0 * scale, scale, cy0, cy1, iy > 0, iy < len(by) - 2, pad)
            wx = weights((ex1 - ex0) * scale, ex0 * scale, scale, cx0, cx1, ix > 0, ix < len(bx) - 2, pad)
            wt = wy[:, None] * wx[None, :]
            out[:, :, ey0 * scale:ey1 * scale, ex0 * scale:ex1 * scale] += o * wt
            wsum[ey0 * scale:ey1 * scale, ex0 * scale:ex1 * scale] += wt
    return (out / wsum.clamp_min(1e-12)).float()


def load_weights(path):
    if path.endswith(".safetensors"):
        from safetensors_io import read_safetensors
        state = {k: v.float() for k, v in read_safetensors(path)[0].items()}
    else:
        state = torch.load(path, map_location="cpu")
    for key in ("params_ema", "params"):
        if isinstance(state, dict) and key in state:
            state = state[key]
            break
    if "conv_first.weight" in state:
        from torch_gpu_baseline import RRDBNet  # BasicSR's RRDBNet x4 layout
        nb = 1 + max(int(k.split(".")[1]) for k in state if k.startswith("body."))
        model = RRDBNet(num_block=nb)
        scale = 4
    else:
        last = max(int(k.split(".")[1]) for k in state if k.startswith("body."))
        feat, cin = state["body.0.weight"].shape[:2]
        scale = int(round((state[f"body.{last}.weight"].shape[0] / cin) ** 0.5))
        model = SRVGGNetCompact(cin, cin, feat, last // 2 - 1, scale, "prelu")
    model.load_state_dict(state, strict=True)
    return model.eval(), scale


def train_compact(steps, seed, photos):
    torch.manual_seed(seed)
    model = SRVGGNetCompact(3, 3, 64, 32, 4, "prelu")
    opt = torch.optim.Adam(model.parameters(), lr=5e-4, betas=(0.9, 0.99))
    hrs = [load(p) for p in photos]
    g = torch.Generator().manual_seed(seed)
    for step in range(steps):
        batch = []
        for _ in range(4):
            hr = hrs[int(torch.randint(len(hrs), (1,), generator=g))]
            top = int(torch.randint(hr.shape[2] - 64 + 1, (1,), generator=g))
            left = int(torch.randint(hr.shape[3] - 64 + 1, (1,), generator=g))
            batch.append(hr[:, :, top:top + 64, left:left + 64])
        gt = torch.cat(batch)
        lq = F.interpolate(gt, scale_factor=0.25, mode="bicubic", align_corners=False, antialias=True).clamp(0, 1)
        loss = F.l1_loss(model(lq), gt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 100 == 0 or step == steps - 1:
            print(f"  train step {step}: l1 {loss.item():.4f}")
    return model.eval(), 4


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--weights", help="a Real-ESRGAN / BasicSR .pth or a .safetensors (RRDBNet x4 or SRVGGNetCompact; e.g. the "
                   "model.safetensors an earlier --export wrote); default: train a compact model")
    p.add_argument("--tile", type=int, nargs="+", default=[32, 48])
    p.add_argument("--pad", type=int, nargs="+", default=[10])
    p.add_argument("--train-steps", type=int, default=300)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--old-nativegan", action="store_true", help="also run NativeGan's earlier blending (context = pad only)")
    p.add_argument("--export", help="folder for model.safetensors and the first photo's blended output (first tile and pad)")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    model, scale = load_weights(args.weights) if args.weights else train_compact(args.train_steps, args.seed, PHOTOS)
    print(f"model: {type(model).__name__} x{scale}, {sum(t.numel() for t in model.parameters())} parameters")
    old = " earlier NativeGan blend (context = pad) |" if args.old_nativegan else ""
    print("PSNR against the untiled output in dB, on 8-bit values / on floats, and the largest 8-bit difference:")
    print(f"| photo | tile / pad | Real-ESRGAN crop-and-paste | NativeGan blended |{old}")
    print("|---|---|---|---|" + ("---|" if old else ""))
    for i, path in enumerate(PHOTOS):
        img = load(path)
        with torch.no_grad():
            ref = model(img)
        for tile in args.tile:
            for pad in args.pad:
                a = tile_realesrgan(model, img, scale, tile, pad)
                b = tile_nativegan(model, img, scale, tile, pad)
                extra = f" {row(tile_nativegan(model, img, scale, tile, pad, False), ref)} |" if args.old_nativegan else ""
                print(f"| {os.path.basename(path)} {img.shape[3]}x{img.shape[2]} | {tile} / {pad} | {row(a, ref)} | {row(b, ref)} |{extra}")
                if args.export and i == 0 and tile == args.tile[0] and pad == args.pad[0]:
                    os.makedirs(args.export, exist_ok=True)
                    write_safetensors(os.path.join(args.export, "model.safetensors"), model.state_dict(), {"weights": "params"})
                    for name, x in (("blended", b), ("untiled", ref)):
                        arr = to8(x)[0].permute(1, 2, 0).numpy().astype(np.uint8)
                        Image.fromarray(arr, "RGB").save(os.path.join(args.export, f"{name}_t{tile}_p{pad}.png"))
                    Image.open(path).convert("RGB").save(os.path.join(args.export, "input.png"))


if __name__ == "__main__":
    main()
