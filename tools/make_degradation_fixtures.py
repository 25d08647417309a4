#!/usr/bin/python3
"""Reference fixtures for the host operations of the Real-ESRGAN degradations (models/Sr/Degradations/HostImageOps).

    /usr/bin/python3 tools/make_degradation_fixtures.py      # writes tests/fixtures/degradations/

PyTorch (1.13, CPU) in float64 on crops of the real photos in tests/fixtures/srdata/images (rounded to float32
first, so both sides start from the same values):
  * filter2d.safetensors: BasicSR's filter2D (basicsr/utils/img_process_util.py / data_util.py: reflect pad by k/2,
    then F.conv2d with groups = B*C over a [1, B*C, H, W] view and one kernel per image) for kernel sizes 7, 13
    and 21 (anisotropic Gaussians and a circular low-pass kernel, one per image);
  * interpolate.safetensors: F.interpolate area / bilinear / bicubic (align_corners False) with a scale_factor as
    Real-ESRGAN's first resize passes it (recompute_scale_factor None: bilinear / bicubic use 1 / scale_factor as
    the source ratio, area computes the size floor(in * scale) and pools adaptively), and with size= as the
    second and third resizes do; up and down, odd sizes;
  * usm.safetensors: BasicSR's USMSharp (radius 50 -> 51 taps, cv2.getGaussianKernel(51, 0) written out with
    OpenCV's formula sigma = 0.3 ((ksize - 1) / 2 - 1) + 0.8 since cv2 is not installed; weight 0.5,
    threshold 10) on two 64 x 64 photo crops.
Case parameters are in each file's metadata ("cases": JSON). Stored float32.
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from safetensors_io import write_safetensors  # noqa: E402  (tools/safetensors_io.py)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "tests", "fixtures", "degradations")
IMG_DIR = os.path.join(ROOT, "tests", "fixtures", "srdata", "images")
REFERENCE = "PyTorch %s float64, tools/make_degradation_fixtures.py" % torch.__version__


def photo(name, top, left, h, w):
    """[3, h, w] float64 crop of a fixture photo in [0, 1] (values exactly float32)."""
    a = np.asarray(Image.open(os.path.join(IMG_DIR, name)).convert("RGB"), dtype=np.float64) / 255.0
    a = a[top:top + h, left:left + w].transpose(2, 0, 1).astype(np.float32).astype(np.float64)
    return torch.from_numpy(np.ascontiguousarray(a))


def f32(t):
    return t.to(torch.float32).to(torch.float64)


# ------------------------------------------------------------------ filter2D (BasicSR)

def filter2d(img, kernel):
    """basicsr filter2D: img [B, C, H, W], kernel [B, k, k] (per image) or [1, k, k]."""
    k = kernel.size(-1)
    b, c, h, w = img.size()
    assert k % 2 == 1
    img = F.pad(img, (k // 2, k // 2, k // 2, k // 2), mode="reflect")
    ph, pw = img.size()[-2:]
    if kernel.size(0) == 1:
        img = img.view(b * c, 1, ph, pw)
        kernel = kernel.view(1, 1, k, k)
        return F.conv2d(img, kernel, padding=0).view(b, c, h, w)
    img = img.view(1, b * c, ph, pw)
    kernel = kernel.view(b, 1, k, k).repeat(1, c, 1, 1).view(b * c, 1, k, k)
    return F.conv2d(img, kernel, groups=b * c).view(b, c, h, w)


def aniso_gaussian(k, sx, sy, theta):
    """BasicSR bivariate_Gaussian on the mesh -(k-1)/2 .. (k-1)/2 (x along columns), normalised."""
    c, s = math.cos(theta), math.sin(theta)
    rot = np.array([[c, -s], [s, c]])
    sigma = rot @ np.diag([sx * sx, sy * sy]) @ rot.T
    inv = np.linalg.inv(sigma)
    ax = np.arange(-(k // 2), k // 2 + 1, dtype=np.float64)
    xx, yy = np.meshgrid(ax, ax)
    xy = np.stack([xx, yy], axis=-1)
    kern = np.exp(-0.5 * np.sum((xy @ inv) * xy, axis=-1))
    return kern / kern.sum()


def circular_lowpass(cutoff, k):
    """BasicSR circular_lowpass_kernel (scipy.special.j1 replaced by torch.special.bessel_j1)."""
    c = (k - 1) / 2
    i, j = np.meshgrid(np.arange(k, dtype=np.float64), np.arange(k, dtype=np.float64), indexing="ij")
    r = np.sqrt((i - c) ** 2 + (j - c) ** 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        v = cutoff * torch.special.bessel_j1(torch.from_numpy(cutoff * r)).numpy() / (2 * np.pi * r)
    v[int(c), int(c)] = cutoff ** 2 / (4 * np.pi)
    return v / v.sum()


def make_filter2d():
    tensors, cases = {}, []
    imgs = torch.stack([photo("astronaut.png", 10, 20, 37, 45), photo("chelsea.png", 5, 30, 37, 45)])
    specs = [
        (7, [aniso_gaussian(7, 1.3, 0.6, 0.4), aniso_gaussian(7, 0.5, 1.8, -1.1)]),
        (13, [aniso_gaussian(13, 2.5, 1.0, 2.0), circular_lowpass(math.pi / 2.2, 13)]),
        (21, [aniso_gaussian(21, 3.0, 1.4, -0.7), circular_lowpass(math.pi / 4.0, 21)]),
    ]
    for k, kernels in specs:
        kern = f32(torch.from_numpy(np.stack(kernels)))
        name = "k%d" % k
        tensors[name + ".in"] = imgs
        tensors[name + ".kernel"] = kern
        tensors[name + ".out"] = filter2d(imgs, kern)
        cases.append({"name": name, "k": k})
    return tensors, cases


# ------------------------------------------------------------------ F.interpolate

def make_interpolate():
    tensors, cases = {}, []
    x = torch.stack([photo("coffee.png", 3, 7, 31, 43), photo("astronaut.png", 40, 11, 31, 43)])
    n = 0
    for mode in ("area", "bilinear", "bicubic"):
        kw = {} if mode == "area" else {"align_corners": False}
        for scale in (0.37, 1.31, 0.8):  # Real-ESRGAN's first resize: scale_factor, down and up
            out = F.interpolate(x, scale_factor=scale, mode=mode, **kw)
            name = "c%d" % n
            tensors[name + ".out"] = out
            cases.append({"name": name, "mode": mode, "scale": scale, "oh": out.shape[2], "ow": out.shape[3]})
            n += 1
        for oh, ow in ((13, 17), (47, 59), (31, 20)):  # size=: down, up, mixed
            out = F.interpolate(x, size=(oh, ow), mode=mode, **kw)
            name = "c%d" % n
            tensors[name + ".out"] = out
            cases.append({"name": name, "mode": mode, "oh": oh, "ow": ow})
            n += 1
    tensors["in"] = x
    return tensors, cases


# ------------------------------------------------------------------ USMSharp

def cv_gaussian_kernel(ksize, sigma=0.0):
    """cv2.getGaussianKernel(ksize, sigma) for ksize > 7 (no fixed table), CV_64F."""
    if sigma <= 0:
        sigma = 0.3 * ((ksize - 1) * 0.5 - 1) + 0.8
    x = np.arange(ksize, dtype=np.float64) - (ksize - 1) / 2.0
    k = np.exp(-0.5 / (sigma * sigma) * x * x)
    return (k / k.sum()).reshape(ksize, 1)


def usm_sharp(img, radius=50, weight=0.5, threshold=10):
    if radius % 2 == 0:
        radius += 1
    k1 = cv_gaussian_kernel(radius)
    kernel = torch.from_numpy(np.dot(k1, k1.T)).unsqueeze(0)
    blur = filter2d(img, kernel)
    residual = img - blur
    mask = (torch.abs(residual) * 255 > threshold).to(img.dtype)
    soft_mask = filter2d(mask, kernel)
    sharp = torch.clip(img + weight * residual, 0, 1)
    return soft_mask * sharp + (1 - soft_mask) * img


def make_usm():
    x = torch.stack([photo("astronaut.png", 20, 24, 64, 64), photo("chelsea.png", 8, 12, 64, 64)])
    return {"in": x, "out": usm_sharp(x)}, [{"name": "usm", "radius": 51, "weight": 0.5, "threshold": 10}]


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    torch.set_default_dtype(torch.float64)
    for fname, make in (("filter2d", make_filter2d), ("interpolate", make_interpolate), ("usm", make_usm)):
        tensors, cases = make()
        write_safetensors(os.path.join(OUT_DIR, fname + ".safetensors"), tensors,
                          {"reference": REFERENCE, "cases": json.dumps(cases)})
        print(fname, len(cases), "cases")


if __name__ == "__main__":
    main()
