"""Images with text for PP-OCR (det, rec, cls): Debian fonts on real photographs + skimage scans.

Usage: /usr/bin/python3 scripts/python/make-ocr.py OUT_DIR   (e.g. .cache/data)
Text: the Zen of Python (python's `this`) and generated prices, dates, times and codes, drawn
with DejaVu fonts (fonts-dejavu-core) onto crops of the skimage photographs. Each of
OUT_DIR/ocr-det, ocr-rec, ocr-cls holds calib/ and eval/ (.npy, PaddleOCR's preprocessing),
calib-images/ and eval-images/ (the same samples as PNG, before normalization) and labels.json
(per image file: what it shows). Eval samples use only the held-out photographs.
- det: [1,3,480,640], BGR, (x/255 - ImageNet mean)/std; 3-6 text lines per image; plus
  skimage's text.png (calib) and page.png (eval), a photo of text and a scanned page,
  letterboxed on white.
- rec: [1,3,48,320], BGR, (x/255 - 0.5)/0.5, a text line resized to height 48 (width by its
  ratio, at most 320), zero-padded on the right: PP-OCRv4 rec's default input.
- cls: [1,3,48,192], same normalization, short phrases; every other one turned by 180°
  (label "180", class 1 of the direction classifier; "0" is class 0).
"""
import codecs
import contextlib
import io
import random
import re
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from datasets import (EVAL_PHOTOS, FONT_DIR, IMAGENET_MEAN, IMAGENET_STD, PHOTOS, SKIMAGE_DATA,
                      atomic_dir, photo, save_json, save_npy, to_nchw)

FONTS = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf",
         "DejaVuSansMono.ttf", "DejaVuSansCondensed.ttf", "DejaVuSerifCondensed-Italic.ttf"]
COUNTS = {"det": (16, 4), "rec": (80, 24), "cls": (96, 60)}  # (calib, eval) samples


def zen_lines() -> list:
    with contextlib.redirect_stdout(io.StringIO()):
        import this  # noqa: F401  (prints the Zen when imported)
    return [line for line in codecs.decode(this.s, "rot13").splitlines()[2:] if line]


def chunks(line: str, limit: int) -> list:
    out, current = [], ""
    for word in line.split():
        if current and len(current) + 1 + len(word) > limit:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return out + [current] if current else out


def generated(rng: random.Random) -> str:
    return rng.choice([
        lambda: f"${rng.randint(1, 999)}.{rng.randint(0, 99):02d}",
        lambda: f"{rng.randint(2000, 2030)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        lambda: f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
        lambda: f"No. {rng.randint(1, 99999)}",
        lambda: f"Tel {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
        lambda: f"{rng.randint(1, 500)} km",
    ])()


def phrases(limit: int, rng: random.Random) -> list:
    text = [c for line in zen_lines() for c in chunks(line, limit)]
    return text + [generated(rng) for _ in range(len(text) // 2)]


def background(split: str, size, rng: random.Random) -> Image.Image:
    """A random crop of a photograph of the split, resized to cover `size` (w, h)."""
    names = [n for n in PHOTOS if (n in EVAL_PHOTOS) == (split == "eval")]
    image = photo(rng.choice(names))
    w, h = size
    scale = max(w / image.width, h / image.height) * rng.uniform(1.0, 1.6)
    image = image.resize((max(w, round(image.width * scale)), max(h, round(image.height * scale))))
    left, top = rng.randint(0, image.width - w), rng.randint(0, image.height - h)
    return image.crop((left, top, left + w, top + h))


def draw_text(image: Image.Image, xy, text: str, font, rng: random.Random) -> None:
    """Text on a plate that contrasts with it, as on signs and labels: it stays readable."""
    x, y = xy
    box = ImageDraw.Draw(image).textbbox((x, y), text, font=font)
    pad = max(2, font.size // 5)
    plate = (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad)
    region = image.crop(plate)
    dark_text = rng.random() < 0.6
    tint = Image.new("RGB", region.size, (255, 255, 255) if dark_text else (0, 0, 0))
    image.paste(Image.blend(region, tint, rng.uniform(0.55, 0.8)), plate[:2])
    shade = rng.randint(0, 70) if dark_text else rng.randint(200, 255)
    color = tuple(min(255, max(0, shade + rng.randint(-30, 30))) for _ in range(3))
    ImageDraw.Draw(image).text((x, y), text, font=font, fill=color)


def font(rng: random.Random, low: int, high: int):
    return ImageFont.truetype(str(FONT_DIR / rng.choice(FONTS)), rng.randint(low, high))


def line_image(text: str, split: str, rng: random.Random) -> Image.Image:
    f = font(rng, 26, 40)
    left, top, right, bottom = f.getbbox(text)
    margin = f.size // 3
    size = (right - left + 4 * margin, bottom - top + 2 * margin + rng.randint(0, 6))
    image = background(split, size, rng)
    draw_text(image, (2 * margin - left, margin - top), text, f, rng)
    return image


def to_height48(image: Image.Image, max_width: int) -> Image.Image:
    width = min(max_width, max(1, round(48 * image.width / image.height)))
    return image.resize((width, 48), Image.BILINEAR)


def paddle_line(image: Image.Image, width: int):
    x = to_nchw(image, [0.5] * 3, [0.5] * 3, bgr=True)
    padded = np.zeros((1, 3, 48, width), np.float32)
    padded[..., : x.shape[3]] = x
    return padded


def write_lines(out: Path, kind: str, limit: int, max_width: int, seed: int) -> None:
    rng = random.Random(seed)
    labels = {}
    with atomic_dir(out / f"ocr-{kind}") as tmp:
        for split, count in zip(("calib", "eval"), COUNTS[kind]):
            pool = [p for i, p in enumerate(phrases(limit, rng)) if (i % 5 == 4) == (split == "eval")]
            for i in range(count):
                text = pool[i % len(pool)]
                image = line_image(text, split, rng)
                rotated = kind == "cls" and i % 2 == 1
                if rotated:
                    image = image.rotate(180)
                image = to_height48(image, max_width)
                name = f"{i:03d}"
                (tmp / f"{split}-images").mkdir(exist_ok=True)
                image.save(tmp / f"{split}-images" / f"{name}.png")
                save_npy(tmp / split / f"{name}.npy", paddle_line(image, max_width))
                label = {"text": text}
                if kind == "cls":
                    label.update(rotated=rotated, label="180" if rotated else "0", classIndex=int(rotated))
                labels[f"{split}-images/{name}.png"] = label
        save_json(tmp / "labels.json", labels)


def letterboxed(name: str) -> Image.Image:
    scan = Image.open(SKIMAGE_DATA / name).convert("RGB")
    scale = min(620 / scan.width, 460 / scan.height)
    scan = scan.resize((round(scan.width * scale), round(scan.height * scale)), Image.BILINEAR)
    canvas = Image.new("RGB", (640, 480), (255, 255, 255))
    canvas.paste(scan, ((640 - scan.width) // 2, (480 - scan.height) // 2))
    return canvas


def det_image(split: str, pool: list, rng: random.Random):
    image = background(split, (640, 480), rng)
    boxes, lines = [], []
    for _ in range(60):
        if len(lines) >= rng.randint(3, 6):
            break
        text, f = rng.choice(pool), font(rng, 18, 44)
        left, top, right, bottom = f.getbbox(text)
        x, y = rng.randint(8, max(8, 632 - right)), rng.randint(8, max(8, 472 - bottom))
        box = [x + left, y + top, x + right, y + bottom]
        if box[2] > 636 or box[3] > 476 or any(not (box[2] + 8 < b[0] or b[2] + 8 < box[0] or box[3] + 8 < b[1] or b[3] + 8 < box[1]) for b in boxes):
            continue
        draw_text(image, (x, y), text, f, rng)
        boxes.append(box)
        lines.append({"text": text, "box": box})
    return image, lines


def write_det(out: Path) -> None:
    rng = random.Random(3)
    labels = {}
    with atomic_dir(out / "ocr-det") as tmp:
        for split, count in zip(("calib", "eval"), COUNTS["det"]):
            pool = [p for i, p in enumerate(phrases(30, rng)) if (i % 5 == 4) == (split == "eval")]
            (tmp / f"{split}-images").mkdir()
            samples = [det_image(split, pool, rng) for _ in range(count)]
            scan = "text.png" if split == "calib" else "page.png"
            samples.append((letterboxed(scan), [{"text": None, "source": f"skimage data/{scan}"}]))
            for i, (image, lines) in enumerate(samples):
                name = f"{i:03d}"
                image.save(tmp / f"{split}-images" / f"{name}.png")
                save_npy(tmp / split / f"{name}.npy", to_nchw(image, IMAGENET_MEAN, IMAGENET_STD, bgr=True))
                labels[f"{split}-images/{name}.png"] = lines
        save_json(tmp / "labels.json", labels)


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    if not (out / "ocr-det").exists():
        write_det(out)
    if not (out / "ocr-rec").exists():
        write_lines(out, "rec", 24, 320, seed=1)
    if not (out / "ocr-cls").exists():
        write_lines(out, "cls", 11, 192, seed=2)


if __name__ == "__main__":
    main()
