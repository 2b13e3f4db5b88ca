"""Shared helpers of the make-*.py data generators (.cache/data, git-ignored).

Each generator builds its whole folder under a temporary name and renames it at the end, so an
interrupted run leaves no half folder; fetch-data.sh skips a folder that exists.
"""
import contextlib
import json
import os
import shutil
import signal
import sys
from pathlib import Path

import numpy as np
from PIL import Image

SKIMAGE_DATA = Path("/usr/lib/python3/dist-packages/skimage/data")
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
# Real photographs in Debian's python3-skimage 0.19 whose docstrings state CC0 / public domain /
# no known copyright restrictions (skimage/data/_fetchers.py). Gray ones are expanded to RGB.
PHOTOS = ["astronaut.png", "brick.png", "camera.png", "cell.png", "chelsea.png", "clock_motion.png",
          "coffee.png", "coins.png", "grass.png", "gravel.png", "hubble_deep_field.jpg", "ihc.png",
          "retina.jpg", "rocket.jpg"]
# Photographs held out of every calibration set (the eval sets are made from these only).
EVAL_PHOTOS = {"coffee.png", "camera.png", "gravel.png"}
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], np.float32)
# A terminated run unwinds like an interrupted one, so atomic_dir removes its temporary folder.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


@contextlib.contextmanager
def atomic_dir(final: Path):
    """Yields a fresh temporary folder beside `final` and renames it to `final` on success."""
    for stale in final.parent.glob(f".{final.name}.*.tmp"):  # left by a killed run
        pid = stale.name.split(".")[-2]
        if not pid.isdigit() or not running(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    tmp.mkdir(parents=True)
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def photo(name: str) -> Image.Image:
    return Image.open(SKIMAGE_DATA / name).convert("RGB")


def stem(name: str) -> str:
    return name.rsplit(".", 1)[0]


def contiguous(array: np.ndarray) -> np.ndarray:
    """C order, keeping 0-d arrays 0-d (np.ascontiguousarray makes them 1-d): sr is a scalar."""
    return array if array.flags.c_contiguous else array.copy(order="C")


def save_npy(path: Path, array: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, contiguous(array), allow_pickle=False)


def save_pb(path: Path, array: np.ndarray, name: str) -> None:
    """An ONNX TensorProto file, as the conformance suite's test_data_set_*/input_N.pb."""
    from onnx import numpy_helper  # only the .pb sets need python onnx

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(numpy_helper.from_array(contiguous(array), name).SerializeToString())


def save_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, indent=1) + "\n")


def to_nchw(rgb: Image.Image, mean, std, bgr: bool = False) -> np.ndarray:
    """[1,3,H,W] float32: (pixel/255 - mean)/std per channel, in RGB or BGR order."""
    x = np.asarray(rgb, np.float32) / 255.0
    if bgr:
        x = x[:, :, ::-1]
    x = (x - np.asarray(mean, np.float32)) / np.asarray(std, np.float32)
    return x.transpose(2, 0, 1)[None].astype(np.float32)
