"""Numpy reference for static INT8 quantization (tests compare src/ against it).

Reads a JSON job on argv[1] and prints a JSON answer:
- "histogram": float32 .bin files (streamed samples), a stride and a bin count per side:
  one-shot histogram of all values, min/max, and MinMax / Percentile / Entropy ranges.
- "weights": a float32 .bin weight with dims and axis: per-channel symmetric int8
  (scale = amax/127, numpy rint), and an int32 bias with scale = input scale * weight scale.
Written from the methods' definitions (ORT's calibrate.py / TensorRT entropy calibration),
vectorized, independent of the TypeScript code.
"""
import json
import sys

import numpy as np


def histogram(job):
    x = np.concatenate([np.fromfile(f, dtype=np.float32) for f in job["files"]]).astype(np.float64)
    x = x[np.isfinite(x)]
    stride, half = job["stride"], job["half"]
    pos = x[x >= 0]
    neg = -x[x < 0]
    p = np.bincount(np.minimum(np.floor(pos / stride).astype(np.int64), half - 1), minlength=half).astype(np.float64)
    n = np.bincount(np.minimum(np.floor(neg / stride).astype(np.int64), half - 1), minlength=half).astype(np.float64)
    amin, amax = float(x.min()), float(x.max())
    absmax = max(abs(amin), abs(amax))
    total = float(len(x))
    pct = job.get("percentile", 99.999)
    # Symmetric percentile: upper edge of the |x| bin where the cumulative count reaches pct%.
    absh = p + n
    k = int(np.argmax(np.cumsum(absh) >= pct / 100 * total))
    sym_pct = min((k + 1) * stride, absmax)
    # Asymmetric: (100-pct)/2 % from each tail of the signed histogram, bin edges outward.
    signed = np.concatenate([n[::-1], p])
    cum = np.cumsum(signed)
    tail = (100 - pct) / 200 * total
    lo_bin = int(np.argmax(cum >= max(tail, 5e-324)))
    hi_bin = int(np.argmax(cum >= total - tail))
    asym_pct = (max((lo_bin - half) * stride, amin), min((hi_bin - half + 1) * stride, amax))
    ent = entropy_bins(absh, job.get("quantized_bins", 128))
    t = ent * stride
    return {
        "positive": p.tolist(), "negative": n.tolist(), "min": amin, "max": amax, "count": total,
        "percentileSymmetric": sym_pct, "percentileAsymmetric": list(asym_pct),
        "entropyBins": ent, "entropySymmetric": min(t, absmax), "entropyAsymmetric": [max(-t, amin), min(t, amax)],
    }


def smooth(d, eps=1e-4):
    zeros = d == 0
    nz = d.size - zeros.sum()
    if nz == 0:
        return None
    eps1 = eps * zeros.sum() / nz
    if eps1 >= 1:
        return None
    out = d + eps * zeros - eps1 * (~zeros)
    return None if (out <= 0).any() else out


def entropy_bins(h, levels):
    bins = len(h)
    if bins <= levels:
        return bins
    h = h.copy()
    h[0] = h[1]  # the zero spike of a ReLU ignored (pytorch-quantization's entropy calibrator)
    best, best_kl = bins, np.inf
    step = -(-bins // 512)  # candidates every ceil(bins / 512) bins
    for i in range(levels, bins + 1, step):
        p = h[:i].copy()
        p[-1] += h[i:].sum()
        nonzero = p != 0
        width = i // levels
        group = np.minimum(np.arange(i) // width, levels - 1)
        sums = np.bincount(group, weights=h[:i], minlength=levels)
        norms = np.bincount(group, weights=nonzero.astype(np.float64), minlength=levels)
        q = np.where(nonzero, sums[group] / np.where(norms[group] == 0, 1, norms[group]), 0.0)
        ps, qs = smooth(p), smooth(q)
        if ps is None or qs is None:
            continue
        ps, qs = ps / ps.sum(), qs / qs.sum()
        kl = float(np.sum(ps * np.log(ps / qs)))
        if kl < best_kl:
            best, best_kl = i, kl
    return best


def weights(job):
    w = np.fromfile(job["file"], dtype=np.float32).reshape(job["dims"])
    axis = job["axis"]
    if axis < 0:
        amax = np.abs(w).max().reshape(1)
        moved = w.reshape(1, -1)
    else:
        moved = np.moveaxis(w, axis, 0).reshape(w.shape[axis], -1)
        amax = np.abs(moved).max(axis=1)
    scale = (2 * amax.astype(np.float32) / np.float32(254)).astype(np.float32)
    scale[scale < np.finfo(np.float32).tiny] = 1
    q = np.clip(np.rint(moved / scale[:, None]), -127, 127).astype(np.int8)
    q = np.moveaxis(q.reshape(np.moveaxis(w, axis, 0).shape if axis >= 0 else w.shape), 0, axis) if axis >= 0 else q.reshape(w.shape)
    out = {"q": q.reshape(-1).tolist(), "scales": scale.tolist()}
    if "bias" in job:
        b = np.array(job["bias"], dtype=np.float32)
        bscale = (np.float32(job["inputScale"]) * scale).astype(np.float32)
        out["biasQ"] = np.clip(np.rint(b / (bscale if len(bscale) > 1 else bscale[0])), -2**31, 2**31 - 1).astype(np.int64).tolist()
        out["biasScales"] = bscale.tolist()
    return out


def activation(job):
    out = []
    for rmin, rmax in job["ranges"]:
        rmin, rmax = np.float32(min(rmin, 0)), np.float32(max(rmax, 0))
        s = np.float32((rmax - rmin) / np.float32(255))
        zp = 0 if s < np.finfo(np.float32).tiny else int(np.clip(np.rint(0 - rmin / s), 0, 255))
        amax = max(abs(rmin), abs(rmax))
        ss = np.float32(np.float32(2) * amax / np.float32(254))
        out.append({"uint8": [float(s) if s >= np.finfo(np.float32).tiny else 1.0, zp], "int8": [float(ss) if ss >= np.finfo(np.float32).tiny else 1.0, 0]})
    return out


if __name__ == "__main__":
    job = json.load(open(sys.argv[1]))
    print(json.dumps({"histogram": histogram, "weights": weights, "activation": activation}[job["kind"]](job)))
