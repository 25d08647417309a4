"""Writes tests/fixtures/prepare/ for `nativegan prepare` (tests/Data/Prepare, tests/Cli/PrepareVerbTests).

images/   small copies of Debian python3-skimage photos (public domain; see images/README.md):
          chelsea_200x133.png (RGB), camera_160x120.png (gray 8-bit), camera16_120x90.png (gray 16-bit: the photo
          resized in float and stored with 16-bit levels), coffee_rgba_100x100.png (RGBA: coffee's colours, camera's
          luminance as alpha), camera_la_64x64.png (gray + alpha: camera under coffee's luminance).
lanczos/  Pillow's Image.resize(size, Image.LANCZOS) of those and of tests/fixtures/srdata/images, named
          SOURCE_WxH.png: the reference PilResample must equal sample for sample.
lanczos/hashes.json  SHA-256 of the interleaved samples (numpy tobytes, HWC uint8) of Pillow's T3 outputs
          (shortest side 400), too large to store as images.
cases.json  multiscale output sizes computed with generate_multiscale_DF2K.py's exact expressions, and subimage
          start positions computed with extract_subimages.py's numpy formula, for several sizes.
Run with /usr/bin/python3 (Pillow 9.4, numpy).
"""
import hashlib, json, os
import numpy as np
from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'fixtures')
OUT = os.path.join(ROOT, 'prepare')
IMAGES = os.path.join(OUT, 'images')
LANCZOS = os.path.join(OUT, 'lanczos')
SRDATA = os.path.join(ROOT, 'srdata', 'images')
SKIMAGE = '/usr/lib/python3/dist-packages/skimage/data'


def make_sources():
    os.makedirs(IMAGES, exist_ok=True)
    Image.open(os.path.join(SKIMAGE, 'chelsea.png')).convert('RGB').resize((200, 133), Image.LANCZOS) \
        .save(os.path.join(IMAGES, 'chelsea_200x133.png'))
    camera = Image.open(os.path.join(SKIMAGE, 'camera.png')).convert('L').crop((0, 64, 512, 448))  # 512 x 384
    camera.resize((160, 120), Image.LANCZOS).save(os.path.join(IMAGES, 'camera_160x120.png'))
    f = np.asarray(camera.convert('F').resize((120, 90), Image.LANCZOS), dtype=np.float64)
    u16 = np.clip(np.round(f * 257.0), 0, 65535).astype(np.int32)
    Image.fromarray(u16, mode='I').save(os.path.join(IMAGES, 'camera16_120x90.png'))  # mode I saves as 16-bit gray
    # skimage has no photo with a soft alpha channel: one photo's colours under another photo's luminance as alpha.
    coffee = Image.open(os.path.join(SKIMAGE, 'coffee.png')).convert('RGB').crop((100, 0, 500, 400)).resize((100, 100), Image.LANCZOS)
    rgba = coffee.copy()
    rgba.putalpha(camera.crop((64, 0, 448, 384)).resize((100, 100), Image.LANCZOS))
    rgba.save(os.path.join(IMAGES, 'coffee_rgba_100x100.png'))
    la = camera.crop((64, 0, 448, 384)).resize((64, 64), Image.LANCZOS).convert('LA')
    la.putalpha(coffee.convert('L').resize((64, 64), Image.LANCZOS))
    la.save(os.path.join(IMAGES, 'camera_la_64x64.png'))


def t3_size(width, height):
    # generate_multiscale_DF2K.py, verbatim arithmetic
    shortest_edge = 400
    if width < height:
        ratio = height / width
        width = shortest_edge
        height = int(width * ratio)
    else:
        ratio = width / height
        height = shortest_edge
        width = int(height * ratio)
    return int(width), int(height)


def multiscale_sizes(width, height):
    return [(int(width * s), int(height * s)) for s in [0.75, 0.5, 1 / 3]] + [t3_size(width, height)]


def starts(size, crop, step, thresh):
    # extract_subimages.py
    space = np.arange(0, size - crop + 1, step)
    if size - (space[-1] + crop) > thresh:
        space = np.append(space, size - crop)
    return [int(v) for v in space]


def main():
    make_sources()
    os.makedirs(LANCZOS, exist_ok=True)
    sources = {
        'chelsea_200x133': os.path.join(IMAGES, 'chelsea_200x133.png'),
        'camera_160x120': os.path.join(IMAGES, 'camera_160x120.png'),
        'camera16_120x90': os.path.join(IMAGES, 'camera16_120x90.png'),
        'coffee_rgba_100x100': os.path.join(IMAGES, 'coffee_rgba_100x100.png'),
        'camera_la_64x64': os.path.join(IMAGES, 'camera_la_64x64.png'),
        'astronaut': os.path.join(SRDATA, 'astronaut.png'),
        'coffee': os.path.join(SRDATA, 'coffee.png'),
    }
    extra = {
        'chelsea_200x133': [(200, 90), (120, 133), (230, 150)],
        'camera_160x120': [(53, 40)],
        'camera16_120x90': [(150, 112), (120, 40)],
        'coffee_rgba_100x100': [(130, 130)],
        'camera_la_64x64': [(80, 80)],
        'astronaut': [(130, 111)],
        'coffee': [],
    }
    hashes = {}
    for name, path in sources.items():
        im = Image.open(path)
        w, h = im.size
        sizes = multiscale_sizes(w, h)
        for size in sizes[:3] + extra[name]:
            im.resize(size, Image.LANCZOS).save(os.path.join(LANCZOS, f'{name}_{size[0]}x{size[1]}.png'))
        if name in ('chelsea_200x133', 'coffee', 'camera_160x120'):
            t3 = im.resize(sizes[3], Image.LANCZOS)
            hashes[f'{name}_{sizes[3][0]}x{sizes[3][1]}'] = hashlib.sha256(np.asarray(t3).tobytes()).hexdigest()
    with open(os.path.join(LANCZOS, 'hashes.json'), 'w') as f:
        json.dump(hashes, f, indent=1, sort_keys=True)

    sizes = [(2040, 1356), (2040, 1152), (1356, 2040), (1000, 1000), (401, 399), (399, 401), (200, 133), (96, 80),
             (90, 75), (300, 7), (2048, 1080), (1365, 2040), (999, 333)]
    cases = [(2040, 400, 200, 0), (1356, 400, 200, 0), (1356, 480, 240, 0), (2040, 480, 240, 0), (1000, 400, 200, 0),
             (1000, 400, 200, 100), (1000, 400, 200, 200), (1000, 400, 200, 199), (400, 400, 200, 0), (401, 400, 200, 0),
             (200, 64, 32, 0), (133, 64, 32, 0), (133, 64, 32, 5), (133, 64, 48, 20), (96, 32, 16, 0), (80, 48, 20, 0),
             (75, 32, 32, 10), (90, 90, 1, 0), (120, 50, 70, 0)]
    doc = {
        'multiscale': [{'width': w, 'height': h, 'sizes': [list(s) for s in multiscale_sizes(w, h)]} for w, h in sizes],
        'subimages': [{'size': s, 'crop': c, 'step': st, 'thresh': t, 'starts': starts(s, c, st, t)} for s, c, st, t in cases],
    }
    with open(os.path.join(OUT, 'cases.json'), 'w') as f:
        json.dump(doc, f, indent=1)


if __name__ == '__main__':
    main()
