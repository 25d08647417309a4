"""Writes the small images tests/Imaging reads (tests/fixtures/imaging/).

Pixel values follow formulas the C# tests recompute, so no expected arrays are stored:
  8-bit  sample(x, y, c) = (x * 37 + y * 59 + c * 83) % 256
  16-bit sample(x, y, c) = (x * 4099 + y * 9973 + c * 30011 + 7) % 65536
  palette index(x, y) = (x + 2 * y) % 4, PALETTE and TRNS below.
Most files go through a minimal PNG writer here (zlib + filter 0, independent of the C# encoder); a few through PIL
(its own filters) and JPEG/BMP through PIL. Run with /usr/bin/python3 (numpy, PIL).
"""
import os, struct, zlib
import numpy as np
from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), '..', 'tests', 'fixtures', 'imaging')
W, H = 7, 5
PALETTE = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (250, 200, 10)]
TRNS = [0, 128, 255, 64]


def s8(c):
    y, x = np.mgrid[0:H, 0:W]
    return ((x * 37 + y * 59 + c * 83) % 256).astype(np.uint8)


def s16(c):
    y, x = np.mgrid[0:H, 0:W]
    return ((x * 4099 + y * 9973 + c * 30011 + 7) % 65536).astype(np.uint16)


def chunk(t, data):
    return struct.pack('>I', len(data)) + t + data + struct.pack('>I', zlib.crc32(t + data) & 0xffffffff)


def png(name, rows, depth, color_type, extra=b''):
    """rows: HxN uint8 (already big-endian bytes for 16-bit)."""
    raw = b''.join(b'\x00' + bytes(r) for r in rows)
    ihdr = struct.pack('>IIBBBBB', W, H, depth, color_type, 0, 0, 0)
    data = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + extra + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)


def interleave(planes):
    hwc = np.stack(planes, axis=-1)
    if hwc.dtype == np.uint16:
        hwc = hwc.astype('>u2')
    return hwc.reshape(H, -1).view(np.uint8).reshape(H, -1)


os.makedirs(OUT, exist_ok=True)
png('gray8.png', interleave([s8(0)]), 8, 0)
png('gray16.png', interleave([s16(0)]), 16, 0)
png('grayalpha8.png', interleave([s8(0), s8(1)]), 8, 4)
png('grayalpha16.png', interleave([s16(0), s16(1)]), 16, 4)
png('rgb16.png', interleave([s16(0), s16(1), s16(2)]), 16, 2)
png('rgba16.png', interleave([s16(0), s16(1), s16(2), s16(3)]), 16, 6)
# gray with a tRNS colour key: the sample equal to s8(0)[1, 2] becomes transparent
key = int(s8(0)[1, 2])
png('gray8_trns.png', interleave([s8(0)]), 8, 0, chunk(b'tRNS', struct.pack('>H', key)))
# palette, 8-bit indices, with and without tRNS
y, x = np.mgrid[0:H, 0:W]
idx = ((x + 2 * y) % 4).astype(np.uint8)
plte = chunk(b'PLTE', bytes(v for rgb in PALETTE for v in rgb))
png('palette_trns.png', idx, 8, 3, plte + chunk(b'tRNS', bytes(TRNS)))
png('palette.png', idx, 8, 3, plte)
# palette with 2-bit indices (packed), with tRNS
packed = np.zeros((H, (W * 2 + 7) // 8), np.uint8)
for yy in range(H):
    for xx in range(W):
        packed[yy, xx // 4] |= idx[yy, xx] << (6 - 2 * (xx % 4))
png('palette2bit_trns.png', packed, 2, 3, plte + chunk(b'tRNS', bytes(TRNS)))
# PIL's own encoder (its filters) for RGB and RGBA 8-bit
Image.fromarray(np.stack([s8(0), s8(1), s8(2)], -1), 'RGB').save(os.path.join(OUT, 'rgb8_pil.png'))
Image.fromarray(np.stack([s8(0), s8(1), s8(2), s8(3)], -1), 'RGBA').save(os.path.join(OUT, 'rgba8_pil.png'))
# JPEG (gray and colour) and BMP
Image.fromarray(np.full((H, W), 100, np.uint8), 'L').save(os.path.join(OUT, 'gray.jpg'), quality=100)
Image.fromarray(np.stack([np.full((H, W), v, np.uint8) for v in (200, 100, 50)], -1), 'RGB').save(
    os.path.join(OUT, 'rgb.jpg'), quality=100, subsampling=0)
Image.fromarray(np.stack([s8(0), s8(1), s8(2)], -1), 'RGB').save(os.path.join(OUT, 'rgb.bmp'))
# A header that claims 60000 x 60000 RGB followed by a tiny IDAT: must be refused before decoding.
ihdr = struct.pack('>IIBBBBB', 60000, 60000, 8, 2, 0, 0, 0)
with open(os.path.join(OUT, 'huge_header.png'), 'wb') as f:
    f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', zlib.compress(b'\x00' * 16)) + chunk(b'IEND', b''))
print('wrote', sorted(os.listdir(OUT)))
