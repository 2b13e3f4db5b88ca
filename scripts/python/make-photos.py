"""Real photographs (Debian python3-skimage) as image folders and ImageNet-normalized .npy sets.

Usage: /usr/bin/python3 scripts/python/make-photos.py OUT_DIR   (e.g. .cache/data)
Writes OUT_DIR/photos (each photograph once, RGB, PNG or JPEG q90) and OUT_DIR/imagenet224:
calib/ and eval/ hold [1,3,224,224] float32 .npy (RGB, /255, ImageNet mean/std, NCHW), four
crops per photograph (shorter side resized to 256, then center, top-left, bottom-right and the
mirrored center crop at 224); calib-images/ and eval-images/ hold the same crops as 224x224
PNG under the same names, so image preprocessing can be checked against the .npy exactly;
eval-pb/ holds the eval samples again as ONNX TensorProto files (name "input").
The eval sets come only from photographs no calibration set uses.
OUT_DIR/image-variants holds encodings an image reader meets (gray, gray+alpha, RGBA, 16-bit,
palette PNG; gray, progressive and CMYK JPEG) and broken files (skimage's truncated.jpg, a
PNG cut in half, text named .png), described in variants.json.
"""
import shutil
import sys
from pathlib import Path

from PIL import Image, ImageOps

from datasets import (EVAL_PHOTOS, IMAGENET_MEAN, IMAGENET_STD, PHOTOS, SKIMAGE_DATA, atomic_dir, photo,
                      save_json, save_npy, save_pb, stem, to_nchw)

JPEG = {"chelsea.png", "hubble_deep_field.jpg", "retina.jpg", "rocket.jpg"}


def write_photos(out: Path) -> None:
    with atomic_dir(out / "photos") as tmp:
        for name in PHOTOS:
            image = photo(name)
            if name in JPEG:
                image.save(tmp / f"{stem(name)}.jpg", quality=90)
            else:
                image.save(tmp / f"{stem(name)}.png")


def write_variants(out: Path) -> None:
    astronaut, chelsea = photo("astronaut.png"), photo("chelsea.png")
    gray = Image.open(SKIMAGE_DATA / "camera.png")
    variants = {
        "gray.png": (gray, "8-bit gray PNG (camera)"),
        "gray-alpha.png": (chelsea.convert("LA"), "8-bit gray + alpha PNG"),
        "rgba.png": (astronaut.convert("RGBA"), "RGBA PNG, alpha 255"),
        "gray16.png": (gray.convert("I").point(lambda v: v * 257), "16-bit gray PNG"),
        "palette.png": (chelsea.convert("P", palette=Image.ADAPTIVE), "palette PNG (256 colors)"),
        "gray.jpg": (gray, "gray JPEG"),
        "progressive.jpg": (astronaut, "progressive JPEG, quality 90"),
        "cmyk.jpg": (chelsea.convert("CMYK"), "CMYK JPEG"),
    }
    with atomic_dir(out / "image-variants") as tmp:
        described = {}
        for name, (image, what) in variants.items():
            options = {"quality": 90, "progressive": True} if name == "progressive.jpg" else {}
            image.save(tmp / name, **options)
            described[name] = {"ok": True, "what": what, "size": list(image.size)}
        shutil.copy(SKIMAGE_DATA / "truncated.jpg", tmp / "truncated.jpg")
        whole = (tmp / "rgba.png").read_bytes()
        (tmp / "cut.png").write_bytes(whole[: len(whole) // 2])
        (tmp / "not-an-image.png").write_text("this is text, not a PNG\n")
        described.update({"truncated.jpg": {"ok": False, "what": "truncated JPEG from skimage's data"},
                          "cut.png": {"ok": False, "what": "rgba.png cut after half its bytes"},
                          "not-an-image.png": {"ok": False, "what": "a text file named .png"}})
        save_json(tmp / "variants.json", described)


def crops(image: Image.Image):
    w, h = image.size
    scale = 256 / min(w, h)
    image = image.resize((max(256, round(w * scale)), max(256, round(h * scale))), Image.BILINEAR)
    w, h = image.size
    left, top = (w - 224) // 2, (h - 224) // 2
    center = image.crop((left, top, left + 224, top + 224))
    yield "center", center
    yield "topleft", image.crop((0, 0, 224, 224))
    yield "bottomright", image.crop((w - 224, h - 224, w, h))
    yield "mirror", ImageOps.mirror(center)


def write_imagenet(out: Path) -> None:
    with atomic_dir(out / "imagenet224") as tmp:
        for name in PHOTOS:
            split = "eval" if name in EVAL_PHOTOS else "calib"
            (tmp / f"{split}-images").mkdir(exist_ok=True)
            for crop_name, crop in crops(photo(name)):
                sample = f"{stem(name)}-{crop_name}"
                crop.save(tmp / f"{split}-images" / f"{sample}.png")
                x = to_nchw(crop, IMAGENET_MEAN, IMAGENET_STD)
                save_npy(tmp / split / f"{sample}.npy", x)
                if split == "eval":
                    save_pb(tmp / "eval-pb" / f"{sample}.pb", x, "input")


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    if not (out / "photos").exists():
        write_photos(out)
    if not (out / "imagenet224").exists():
        write_imagenet(out)
    if not (out / "image-variants").exists():
        write_variants(out)


if __name__ == "__main__":
    main()
