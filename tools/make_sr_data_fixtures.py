#!/usr/bin/python3
"""Reference fixtures for the super-resolution data code (models/Sr/Data, models/Metrics).

    /usr/bin/python3 tools/make_sr_data_fixtures.py      # writes tests/fixtures/srdata/

Reimplements, in numpy float64, the algorithms of BasicSR (github.com/XPixelGroup/BasicSR) that the C# side
follows:
  * basicsr/utils/matlab_functions.py  imresize / calculate_weights_indices / cubic (MATLAB bicubic with
    antialiasing when shrinking, symmetric padding, output size ceil(in * scale)); BasicSR runs it in float32
    torch, here it runs in float64;
  * basicsr/metrics/psnr_ssim.py  calculate_psnr / calculate_ssim / _ssim on [0, 255] images, with
    crop_border and test_y_channel (metric_util.to_y_channel + color_util.bgr2ycbcr(y_only=True), keeping
    BasicSR's float32 casts of that path); cv2.getGaussianKernel(11, 1.5) and cv2.filter2D + [5:-5, 5:-5]
    are written out in numpy as a 'valid' correlation (no cv2 here);
  * basicsr/utils/img_util.tensor2img's rounding (clamp to [0, 1], * 255, round half to even) for the
    metric cases with quantize = true.
Images are CHW RGB in [0, 1] on the C# side; the Python side reorders to BasicSR's HWC BGR where it matters.
Inputs are rounded to float32 first and the references computed from those float32 values; everything is
stored float32 in safetensors (written with struct + json, no safetensors package needed).

Also crops three small photos from scikit-image's data folder (Debian package python3-skimage, public
domain / CC0; see tests/fixtures/srdata/images/README.md) into tests/fixtures/srdata/images/, and stores the
LR that BasicSR's imresize makes from each (mod-cropped to scale 4, then scaled by 1/4).
"""
import json
import math
import os
import struct

import numpy as np
from PIL import Image
from safetensors_io import write_safetensors  # noqa: E402  (tools/safetensors_io.py)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "tests", "fixtures", "srdata")
IMG_DIR = os.path.join(OUT_DIR, "images")
SKIMAGE_DATA = "/usr/lib/python3/dist-packages/skimage/data"
REFERENCE = "numpy float64 reimplementation of BasicSR, tools/make_sr_data_fixtures.py"


# ------------------------------------------------------------------ imresize (matlab_functions.py)

def cubic(x):
    absx = np.abs(x)
    absx2 = absx ** 2
    absx3 = absx ** 3
    return ((1.5 * absx3 - 2.5 * absx2 + 1) * (absx <= 1) +
            (-0.5 * absx3 + 2.5 * absx2 - 4 * absx + 2) * ((absx > 1) & (absx <= 2)))


def calculate_weights_indices(in_length, out_length, scale, kernel_width, antialiasing):
    if scale < 1 and antialiasing:
        kernel_width = kernel_width / scale
    x = np.linspace(1, out_length, out_length)
    u = x / scale + 0.5 * (1 - 1 / scale)
    left = np.floor(u - kernel_width / 2)
    p = math.ceil(kernel_width) + 2
    indices = left.reshape(out_length, 1) + np.linspace(0, p - 1, p).reshape(1, p)
    distance_to_center = u.reshape(out_length, 1) - indices
    if scale < 1 and antialiasing:
        weights = scale * cubic(distance_to_center * scale)
    else:
        weights = cubic(distance_to_center)
    weights = weights / np.sum(weights, 1).reshape(out_length, 1)
    zeros = np.sum(weights == 0, 0)
    if not math.isclose(zeros[0], 0, rel_tol=1e-6):
        indices = indices[:, 1:p - 1]
        weights = weights[:, 1:p - 1]
    if not math.isclose(zeros[-1], 0, rel_tol=1e-6):
        indices = indices[:, 0:p - 2]
        weights = weights[:, 0:p - 2]
    sym_len_s = -indices.min() + 1
    sym_len_e = indices.max() - in_length
    indices = indices + sym_len_s - 1
    return weights, indices.astype(np.int64), int(sym_len_s), int(sym_len_e)


def imresize(img, scale, antialiasing=True):
    """img: float64 (c, h, w). Same steps as BasicSR: H pass over a symmetrically padded copy, then W pass."""
    in_c, in_h, in_w = img.shape
    out_h, out_w = math.ceil(in_h * scale), math.ceil(in_w * scale)
    wh, ih, hs, he = calculate_weights_indices(in_h, out_h, scale, 4, antialiasing)
    ww, iw, ws, we = calculate_weights_indices(in_w, out_w, scale, 4, antialiasing)
    aug = np.concatenate([img[:, :hs, :][:, ::-1, :], img, img[:, in_h - he:, :][:, ::-1, :]], axis=1)
    out1 = np.zeros((in_c, out_h, in_w))
    for i in range(out_h):
        idx = ih[i][0]
        for j in range(in_c):
            out1[j, i, :] = aug[j, idx:idx + wh.shape[1], :].T.dot(wh[i])
    aug = np.concatenate([out1[:, :, :ws][:, :, ::-1], out1, out1[:, :, in_w - we:][:, :, ::-1]], axis=2)
    out2 = np.zeros((in_c, out_h, out_w))
    for i in range(out_w):
        idx = iw[i][0]
        for j in range(in_c):
            out2[j, :, i] = aug[j, :, idx:idx + ww.shape[1]].dot(ww[i])
    return out2


# ------------------------------------------------------------------ metrics (psnr_ssim.py)

def to_y_channel(img):
    """metric_util.to_y_channel on an HWC BGR [0, 255] image, with BasicSR's float32 casts."""
    img = img.astype(np.float32) / 255.
    if img.ndim == 3 and img.shape[2] == 3:
        # _convert_input_type_range leaves float32 [0, 1] input as it is (as mmcv's colorspace does); one BasicSR
        # revision multiplies it by 255 there, which moves every Y-channel PSNR 48.13 dB (20 log10 255) down and
        # contradicts BasicSR's published Y-channel numbers, so the standard BT.601 form is used.
        x = img.astype(np.float32)
        y = np.dot(x, [24.966, 128.553, 65.481]) + 16.0       # bgr2ycbcr y_only: Y in [16, 235]
        y /= 255.
        img = y.astype(np.float32)[..., None]                 # _convert_output_type_range(float32)
    return img * 255.


def chw_rgb_to_hwc_bgr_255(x):
    return x.astype(np.float64).transpose(1, 2, 0)[:, :, ::-1] * 255.


def calculate_psnr(img, img2, crop_border, test_y_channel=False):
    if crop_border != 0:
        img = img[crop_border:-crop_border, crop_border:-crop_border, ...]
        img2 = img2[crop_border:-crop_border, crop_border:-crop_border, ...]
    if test_y_channel:
        img, img2 = to_y_channel(img), to_y_channel(img2)
    mse = np.mean((img.astype(np.float64) - img2.astype(np.float64)) ** 2)
    return float('inf') if mse == 0 else 10. * np.log10(255. * 255. / mse)


def gaussian_kernel(n, sigma):
    """cv2.getGaussianKernel(n, sigma) for sigma > 0, as a column."""
    x = np.arange(n) - (n - 1) * 0.5
    t = np.exp(-0.5 / (sigma * sigma) * x * x)
    return (t * (1. / t.sum())).reshape(n, 1)


def filter_valid(img, window):
    """cv2.filter2D(img, -1, window)[5:-5, 5:-5]: a 2D correlation over the positions where the window fits."""
    k = window.shape[0]
    h, w = img.shape
    out = np.zeros((h - k + 1, w - k + 1))
    for dy in range(k):
        for dx in range(k):
            out += window[dy, dx] * img[dy:dy + h - k + 1, dx:dx + w - k + 1]
    return out


def _ssim(img, img2):
    c1 = (0.01 * 255) ** 2
    c2 = (0.03 * 255) ** 2
    kernel = gaussian_kernel(11, 1.5)
    window = np.outer(kernel, kernel.transpose())
    mu1 = filter_valid(img, window)
    mu2 = filter_valid(img2, window)
    mu1_sq, mu2_sq, mu1_mu2 = mu1 ** 2, mu2 ** 2, mu1 * mu2
    sigma1_sq = filter_valid(img ** 2, window) - mu1_sq
    sigma2_sq = filter_valid(img2 ** 2, window) - mu2_sq
    sigma12 = filter_valid(img * img2, window) - mu1_mu2
    ssim_map = ((2 * mu1_mu2 + c1) * (2 * sigma12 + c2)) / ((mu1_sq + mu2_sq + c1) * (sigma1_sq + sigma2_sq + c2))
    return ssim_map.mean()


def calculate_ssim(img, img2, crop_border, test_y_channel=False):
    if crop_border != 0:
        img = img[crop_border:-crop_border, crop_border:-crop_border, ...]
        img2 = img2[crop_border:-crop_border, crop_border:-crop_border, ...]
    if test_y_channel:
        img, img2 = to_y_channel(img), to_y_channel(img2)
    img, img2 = img.astype(np.float64), img2.astype(np.float64)
    return np.array([_ssim(img[..., i], img2[..., i]) for i in range(img.shape[2])]).mean()


def tensor2img_levels(x):
    """img_util.tensor2img: clamp to [0, 1], * 255 in float32, round half to even -> uint8 levels (as float64)."""
    x = np.clip(x.astype(np.float32), 0, 1)
    return np.round(x * np.float32(255.0)).astype(np.uint8).astype(np.float64)


# ------------------------------------------------------------------ cases

def f32(a):
    return np.asarray(a, dtype=np.float32)


def imresize_cases(rng):
    img = f32(rng.random((3, 17, 23)))
    src = img.astype(np.float64)
    tensors = {"in.image": img}
    scales = {"down4": 1 / 4, "down3": 1 / 3, "down2": 1 / 2, "up2": 2.0, "up3": 3.0, "down3_noaa": 1 / 3,
              "down1_5": 1 / 1.5}
    meta_scales = {}
    for name, s in scales.items():
        out = imresize(src, s, antialiasing=not name.endswith("_noaa"))
        tensors["out." + name] = out
        meta_scales[name] = repr(s)
    # a grayscale plane whose size is a multiple of the scale
    gray = f32(rng.random((1, 12, 16)))
    tensors["in.gray"] = gray
    tensors["out.gray_down4"] = imresize(gray.astype(np.float64), 1 / 4)
    write_safetensors(os.path.join(OUT_DIR, "imresize.safetensors"), tensors,
                      {"reference": REFERENCE, "scales": json.dumps(meta_scales),
                       "note": "out.NAME = imresize(in.image, scale) (antialiasing true unless _noaa); out.gray_down4 = imresize(in.gray, 1/4)"})


def metric_cases(rng):
    h, w = 24, 27
    a = f32(rng.integers(0, 256, (3, h, w)) / 255.)                         # 8-bit levels, like a GT image
    noise = rng.normal(0, 0.04, (3, h, w))
    b = f32(np.clip(a.astype(np.float64) + noise, -0.02, 1.02))            # float output, slightly out of range
    tensors = {"in.a": a, "in.b": b}
    A, B = chw_rgb_to_hwc_bgr_255(a), chw_rgb_to_hwc_bgr_255(b)
    qa = tensor2img_levels(a).transpose(1, 2, 0)[:, :, ::-1]
    qb = tensor2img_levels(b).transpose(1, 2, 0)[:, :, ::-1]
    for crop in (0, 4):
        for y in (False, True):
            suffix = f"crop{crop}_y{int(y)}"
            tensors["psnr." + suffix] = np.array([calculate_psnr(A, B, crop, y)])
            tensors["ssim." + suffix] = np.array([calculate_ssim(A, B, crop, y)])
            tensors["psnr_q." + suffix] = np.array([calculate_psnr(qa.astype(np.uint8), qb.astype(np.uint8), crop, y)])
            tensors["ssim_q." + suffix] = np.array([calculate_ssim(qa.astype(np.uint8), qb.astype(np.uint8), crop, y)])
    # grayscale (one channel): test_y_channel leaves it as is
    g1 = f32(rng.random((1, 16, 16)))
    g2 = f32(np.clip(g1.astype(np.float64) + rng.normal(0, 0.05, (1, 16, 16)), 0, 1))
    tensors["in.g1"], tensors["in.g2"] = g1, g2
    G1, G2 = g1.astype(np.float64).transpose(1, 2, 0) * 255., g2.astype(np.float64).transpose(1, 2, 0) * 255.
    tensors["psnr.gray_crop2"] = np.array([calculate_psnr(G1, G2, 2, True)])
    tensors["ssim.gray_crop2"] = np.array([calculate_ssim(G1, G2, 2, True)])
    write_safetensors(os.path.join(OUT_DIR, "metrics.safetensors"), tensors,
                      {"reference": REFERENCE,
                       "note": "psnr/ssim.cropC_yY = calculate_psnr/ssim(in.a*255, in.b*255, crop_border=C, test_y_channel=Y) "
                               "with CHW RGB -> HWC BGR; *_q.* on tensor2img-rounded uint8 images; gray_crop2 on in.g1/in.g2"})


IMAGES = [  # (file in skimage/data, top, left, height, width): small crops, sizes chosen to exercise mod crop
    ("astronaut.png", 60, 170, 96, 96),
    ("chelsea.png", 60, 120, 80, 96),
    ("coffee.png", 120, 200, 75, 90),
]


def image_cases():
    os.makedirs(IMG_DIR, exist_ok=True)
    tensors = {}
    for name, top, left, hh, ww in IMAGES:
        src = np.asarray(Image.open(os.path.join(SKIMAGE_DATA, name)).convert("RGB"))
        crop = np.ascontiguousarray(src[top:top + hh, left:left + ww, :])
        Image.fromarray(crop).save(os.path.join(IMG_DIR, name), optimize=True)
        stem = os.path.splitext(name)[0]
        scale = 4
        chw = (crop.astype(np.float32) / np.float32(255.)).transpose(2, 0, 1)     # imfrombytes(float32=True)
        chw = chw[:, :hh - hh % scale, :ww - ww % scale]                          # mod_crop
        tensors["lr_x4." + stem] = imresize(chw.astype(np.float64), 1 / scale)
    write_safetensors(os.path.join(OUT_DIR, "images_lr_x4.safetensors"), tensors,
                      {"reference": REFERENCE,
                       "note": "lr_x4.STEM = imresize(mod_crop(images/STEM.png / 255, 4), 1/4), CHW RGB"})


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    rng = np.random.default_rng(20261123)
    imresize_cases(rng)
    metric_cases(rng)
    image_cases()
    print("wrote", OUT_DIR)


if __name__ == "__main__":
    main()
