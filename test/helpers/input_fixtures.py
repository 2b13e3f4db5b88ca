"""Reference data for the input-file readers (test/input-*.test.ts), made with numpy, PIL,
python onnx and torch, never with the code under test. Usage: input_fixtures.py KIND OUT_DIR,
KIND one of png, jpeg, npy, pb, resize. Writes the files and OUT_DIR/manifest.json; expected
values go to .bin files (little-endian samples)."""
import glob, io, json, os, struct, sys, zlib
import numpy as np
from PIL import Image

SKIMAGE = '/usr/lib/python3/dist-packages/skimage/data'
KIND, OUT = sys.argv[1], sys.argv[2]
os.makedirs(OUT, exist_ok=True)
manifest = []


def save_bin(name, arr):
    arr = np.ascontiguousarray(arr)
    arr.astype(arr.dtype.newbyteorder('<')).tofile(os.path.join(OUT, name))
    return name


def photo(h=29, w=37):
    """A crop of a real photograph (scikit-image's astronaut), odd-sized so Adam7 passes are partial."""
    return np.array(Image.open(f'{SKIMAGE}/astronaut.png').convert('RGB'))[100:100 + h, 180:180 + w]


# --- a PNG writer from the specification (filters 0-4 cycled per row, Adam7), independent of PIL ---
def chunk(t, data):
    return struct.pack('>I', len(data)) + t + data + struct.pack('>I', zlib.crc32(t + data) & 0xFFFFFFFF)


def pack_row(vals, bits):
    if bits == 16:
        return vals.astype('>u2').tobytes()
    if bits == 8:
        return vals.astype('u1').tobytes()
    out = bytearray((len(vals) * bits + 7) // 8)
    for i, v in enumerate(vals):
        out[(i * bits) // 8] |= int(v) << (8 - bits - (i * bits) % 8)
    return bytes(out)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def filter_row(ft, row, prior, bpp):
    out = bytearray(len(row))
    for i in range(len(row)):
        a = row[i - bpp] if i >= bpp else 0
        b = prior[i] if prior is not None else 0
        c = prior[i - bpp] if prior is not None and i >= bpp else 0
        pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][ft]
        out[i] = (row[i] - pred) & 0xFF
    return bytes([ft]) + bytes(out)


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def write_png(name, samples, color_type, bits, interlace, plte=None, trns=None):
    """samples: (H, W, S) unsigned ints as stored (palette indices for color type 3)."""
    h, w, s = samples.shape
    bpp = max(1, s * bits // 8)
    raw, k = b'', 0
    for x0, y0, dx, dy in (ADAM7 if interlace else [(0, 0, 1, 1)]):
        sub = samples[y0::dy, x0::dx]
        if sub.size == 0:
            continue
        prior = None
        for row in sub:
            packed = pack_row(row.reshape(-1), bits)
            raw += filter_row(k % 5, packed, prior, bpp)
            prior, k = packed, k + 1
    data = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, bits, color_type, 0, 0, interlace))
    if plte is not None:
        data += chunk(b'PLTE', plte.astype('u1').tobytes())
    if trns is not None:
        data += chunk(b'tRNS', bytes(trns))
    data += chunk(b'tEXt', b'Comment\x00reference writer') + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)


def expect(name, arr, depth, source):
    arr = arr if arr.ndim == 3 else arr[:, :, None]
    manifest.append({'file': name, 'height': arr.shape[0], 'width': arr.shape[1], 'channels': arr.shape[2], 'depth': depth,
                     'bin': save_bin(name + '.bin', arr.astype('u2' if depth == 16 else 'u1')), 'source': source})


def png_fixtures():
    # Every PNG that scikit-image ships, decoded by PIL.
    for path in sorted(glob.glob(f'{SKIMAGE}/*.png')):
        im = Image.open(path)
        name = 'skimage-' + os.path.basename(path)
        with open(path, 'rb') as src, open(os.path.join(OUT, name), 'wb') as dst:
            dst.write(src.read())
        if im.mode == 'P':
            im = im.convert('RGBA' if 'transparency' in im.info else 'RGB')
        elif im.mode == '1':
            im = im.convert('L')
        arr = np.array(im)
        with open(path, 'rb') as f:
            bits = f.read(25)[24]  # IHDR bit depth
        if bits == 16 and arr.dtype == np.uint8:
            # PIL reads 16-bit color as 8-bit, keeping the high byte of each sample: compare that.
            expect(name, arr, 8, 'PIL high byte')
            manifest[-1]['depth'] = 16
            continue
        expect(name, arr.astype('u2') if arr.dtype != np.uint8 else arr, 16 if arr.dtype != np.uint8 else 8, 'PIL')
    rgb = photo().astype(np.uint32)
    gray = np.array(Image.fromarray(photo()).convert('L')).astype(np.uint32)
    alpha = ((np.arange(rgb.shape[1])[None, :] * 7 + np.arange(rgb.shape[0])[:, None] * 3) % 256).astype(np.uint32)
    wide = lambda a, b: a * 256 + b  # 16-bit samples made from two photo channels
    variants = {
        'gray8': (0, 8, gray[..., None], gray),
        'gray16': (0, 16, wide(gray, rgb[..., 2])[..., None], wide(gray, rgb[..., 2])),
        'gray1': (0, 1, (gray >> 7)[..., None], (gray >> 7) * 255),
        'gray2': (0, 2, (gray >> 6)[..., None], (gray >> 6) * 85),
        'gray4': (0, 4, (gray >> 4)[..., None], (gray >> 4) * 17),
        'rgb8': (2, 8, rgb, rgb),
        'rgb16': (2, 16, wide(rgb, rgb[..., ::-1]), wide(rgb, rgb[..., ::-1])),
        'gray-alpha8': (4, 8, np.dstack([gray, alpha]), np.dstack([gray, alpha])),
        'gray-alpha16': (4, 16, np.dstack([wide(gray, alpha), wide(alpha, gray)]), np.dstack([wide(gray, alpha), wide(alpha, gray)])),
        'rgba8': (6, 8, np.dstack([rgb, alpha]), np.dstack([rgb, alpha])),
        'rgba16': (6, 16, np.dstack([wide(rgb, alpha[..., None]), wide(alpha, gray)]), np.dstack([wide(rgb, alpha[..., None]), wide(alpha, gray)])),
    }
    for bits in (1, 2, 4, 8):
        q = Image.fromarray(photo()).quantize(colors=2 ** bits)
        idx = np.array(q).astype(np.uint32)
        pal = np.array(q.getpalette()[: 3 * (int(idx.max()) + 1)], dtype=np.uint32).reshape(-1, 3)
        variants[f'palette{bits}'] = (3, bits, idx[..., None], pal[idx], pal)
        if bits in (2, 8):
            trns = [(37 * i) % 256 for i in range(min(len(pal), 3))]  # fewer alphas than entries: the rest are opaque
            full = np.array(trns + [255] * (len(pal) - len(trns)), dtype=np.uint32)
            variants[f'palette{bits}-trns'] = (3, bits, idx[..., None], np.dstack([pal[idx], full[idx]]), pal, trns)
    for key, v in variants.items():
        ct, bits, stored, expected = v[:4]
        for interlace in (0, 1):
            name = f'{key}{"-adam7" if interlace else ""}.png'
            write_png(name, stored, ct, bits, interlace, v[4] if len(v) > 4 else None, v[5] if len(v) > 5 else None)
            expect(name, expected, 16 if bits == 16 else 8, 'spec writer')
            # PIL reads what the reference writer wrote the same way (where PIL keeps the depth).
            if bits <= 8 and ct != 3:
                im = Image.open(os.path.join(OUT, name))
                got = np.array(im.convert('L') if im.mode == '1' else im)
                assert np.array_equal(got.reshape(expected.shape), expected), name
    # Tiny images: Adam7 passes that are empty.
    for h, w in ((1, 1), (1, 5), (3, 2)):
        tiny = photo(h, w).astype(np.uint32)
        write_png(f'tiny{h}x{w}-adam7.png', tiny, 2, 8, 1)
        expect(f'tiny{h}x{w}-adam7.png', tiny, 8, 'spec writer')
    # PIL's own encoder: palette at 4 bits, gray+alpha, optimized.
    Image.fromarray(photo()).quantize(colors=16).save(os.path.join(OUT, 'pil-palette4.png'), bits=4)
    expect('pil-palette4.png', np.array(Image.open(os.path.join(OUT, 'pil-palette4.png')).convert('RGB')), 8, 'PIL')
    Image.fromarray(np.dstack([gray, alpha]).astype('u1'), 'LA').save(os.path.join(OUT, 'pil-la.png'), optimize=True)
    expect('pil-la.png', np.array(Image.open(os.path.join(OUT, 'pil-la.png'))), 8, 'PIL')


def jpeg_fixtures():
    # scikit-image's truncated.jpg is a hostile file (test/input-hostile.test.ts), not a photograph.
    files = [(f'skimage-{os.path.basename(p)}', p) for p in sorted(glob.glob(f'{SKIMAGE}/*.jpg')) if 'truncated' not in p]
    for name, path in files:
        with open(path, 'rb') as src, open(os.path.join(OUT, name), 'wb') as dst:
            dst.write(src.read())
    img = Image.open(f'{SKIMAGE}/chelsea.png').convert('RGB')
    img.save(os.path.join(OUT, 'progressive.jpg'), quality=90, progressive=True)
    img.convert('L').save(os.path.join(OUT, 'gray.jpg'), quality=90)
    img.save(os.path.join(OUT, 'q75-444.jpg'), quality=75, subsampling=0)
    img.convert('CMYK').save(os.path.join(OUT, 'cmyk.jpg'), quality=90)
    for name in [n for n, _ in files] + ['progressive.jpg', 'gray.jpg', 'q75-444.jpg', 'cmyk.jpg']:
        arr = np.array(Image.open(os.path.join(OUT, name)).convert('RGB'))
        expect(name, arr, 8, 'PIL (libjpeg)')


def npy_fixtures():
    rng = np.random.default_rng(8)
    base = rng.normal(0, 1000, size=(2, 3, 4))
    arrays = {}
    for code in ['<f2', '<f4', '>f4', '<f8', '>f8', '|i1', '<i2', '>i2', '<i4', '>i4', '<i8', '>i8', '|u1', '<u2', '>u2', '<u4', '<u8', '>u8', '|b1']:
        kind = code[1]
        a = base if kind == 'f' else np.abs(base) if kind == 'u' else base > 0 if kind == 'b' else base
        if kind == 'f':
            a = a.copy()
            a[0, 0, 0] = np.nan
            a[0, 0, 1] = -np.inf
        arrays[code] = np.asarray(a).astype(np.dtype(code)) if kind == 'f' or kind == 'b' else np.clip(a, np.iinfo(code).min, np.iinfo(code).max).astype(code)
    onnx_ids = {'f2': 10, 'f4': 1, 'f8': 11, 'i1': 3, 'i2': 5, 'i4': 6, 'i8': 7, 'u1': 2, 'u2': 4, 'u4': 12, 'u8': 13, 'b1': 9}
    cases = [(f'{c.replace("<", "le-").replace(">", "be-").replace("|", "")}.npy', a, (1, 0)) for c, a in arrays.items()]
    cases += [('v2.npy', arrays['<f4'], (2, 0)), ('v3.npy', arrays['>i8'], (3, 0)), ('scalar.npy', np.array(3.5, '<f4'), (1, 0)),
              ('empty.npy', np.zeros((0, 3), '<f4'), (1, 0)), ('vector.npy', np.arange(7, dtype='<i4'), (1, 0)),
              ('photo.npy', photo().transpose(2, 0, 1)[None].astype('<f4') / 255, (1, 0))]
    for name, a, version in cases:
        with open(os.path.join(OUT, name), 'wb') as f:
            np.lib.format.write_array(f, a, version=version)
        back = np.load(os.path.join(OUT, name))
        manifest.append({'file': name, 'dtype': onnx_ids[back.dtype.str[1:]], 'dims': list(back.shape), 'bin': save_bin(name + '.bin', back)})
    # Refused: Fortran order, pickled objects, complex, strings, records.
    np.save(os.path.join(OUT, 'refuse-fortran.npy'), np.asfortranarray(base))
    np.save(os.path.join(OUT, 'refuse-object.npy'), np.array([{'a': 1}, None], dtype=object), allow_pickle=True)
    np.save(os.path.join(OUT, 'refuse-complex.npy'), base.astype(np.complex64))
    np.save(os.path.join(OUT, 'refuse-unicode.npy'), np.array(['a', 'bc']))
    np.save(os.path.join(OUT, 'refuse-record.npy'), np.zeros(3, dtype=[('x', '<f4'), ('y', '<i4')]))


def pb_fixtures():
    import onnx
    from onnx import numpy_helper
    chosen = {}
    for path in sorted(glob.glob('/usr/share/libonnx-testdata/data/node/*/test_data_set_0/input_*.pb')):
        t = onnx.TensorProto()
        with open(path, 'rb') as f:
            t.ParseFromString(f.read())
        if len(chosen.setdefault(t.data_type, [])) < 3:
            chosen[t.data_type].append((path, t))
    for dtype, items in sorted(chosen.items()):
        for path, t in items:
            entry = {'file': path, 'dtype': dtype, 'name': t.name}
            if dtype in (1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13):
                a = numpy_helper.to_array(t)
                if dtype == 10:
                    a = a.view('<u2')  # float16 travels as its bits
                entry.update(dims=list(a.shape), bin=save_bin(f'pb{len(manifest)}.bin', a.astype(a.dtype.newbyteorder('<'))))
            manifest.append(entry)


def resize_fixtures():
    import torch
    import torch.nn.functional as F
    astro = np.array(Image.open(f'{SKIMAGE}/chelsea.png').convert('RGB')).astype(np.float64)
    camera = np.array(Image.open(f'{SKIMAGE}/camera.png')).astype(np.float64)[..., None]
    img16 = np.array(Image.open(f'{SKIMAGE}/coins.png')).astype(np.uint32) * 257 + 3
    write_png('coins16.png', img16[..., None], 0, 16, 0)
    for name, src in (('chelsea.png', f'{SKIMAGE}/chelsea.png'), ('camera.png', f'{SKIMAGE}/camera.png')):
        with open(src, 'rb') as a, open(os.path.join(OUT, name), 'wb') as b:
            b.write(a.read())

    def resize(hwc, h, w):
        t = torch.from_numpy(np.ascontiguousarray(hwc.transpose(2, 0, 1)))[None]
        return F.interpolate(t, size=(h, w), mode='bilinear', align_corners=False, antialias=False)[0].numpy().transpose(1, 2, 0)

    luma = (0.299 * astro[..., 0] + 0.587 * astro[..., 1] + 0.114 * astro[..., 2])[..., None]
    mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    cases = [
        ('imagenet-nchw', 'chelsea.png', [1, 3, 224, 224], 1, {'mean': mean.tolist(), 'std': std.tolist()}, ((resize(astro, 224, 224) / 255 - mean) / std).transpose(2, 0, 1)[None]),
        ('bgr-nhwc-up', 'chelsea.png', [1, 'h', 'w', 3], 1, {'size': [400, 500], 'bgr': True, 'scale': 1}, resize(astro, 400, 500)[..., ::-1][None]),
        ('gray-from-rgb', 'chelsea.png', [1, 1, 64, 48], 1, {}, (resize(luma, 64, 48) / 255).transpose(2, 0, 1)[None]),
        ('rgb-from-gray', 'camera.png', [3, 100, 100], 11, {'mean': [0.5], 'std': [0.25]}, ((np.repeat(resize(camera, 100, 100), 3, axis=2) / 255 - 0.5) / 0.25).transpose(2, 0, 1)),
        ('uint8-same-size', 'camera.png', [1, 512, 512, 1], 2, {}, camera[None]),
        ('sixteen-bit', 'coins16.png', [1, 1, 50, 60], 1, {}, (resize(img16[..., None] / 257.0, 50, 60) / 255).transpose(2, 0, 1)[None]),
    ]
    for key, image, dims, dtype, options, expected in cases:
        np_type = {1: '<f4', 11: '<f8', 2: 'u1'}[dtype]
        exp = np.clip(np.round(expected), 0, 255).astype('u1') if dtype == 2 else expected.astype(np_type)
        manifest.append({'key': key, 'image': image, 'dims': dims, 'dtype': dtype, 'options': options, 'expectDims': list(exp.shape), 'bin': save_bin(key + '.bin', exp)})


{'png': png_fixtures, 'jpeg': jpeg_fixtures, 'npy': npy_fixtures, 'pb': pb_fixtures, 'resize': resize_fixtures}[KIND]()
with open(os.path.join(OUT, 'manifest.json'), 'w') as f:
    json.dump(manifest, f)
