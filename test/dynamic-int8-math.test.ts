import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import test from 'node:test';
import { quantizeValues, quantRange, scaleAndZeroPoint, type QuantSpec } from '../src/optimize/quant-math';
import { PYTHON } from './helpers/quantize-run';

/**
 * ORT's quantization arithmetic (quant_utils.py of onnxruntime 1.2x: get_qmin_qmax_for_qType,
 * compute_scale_zp, quantize_nparray, per-channel as quantize_weight_per_channel), written
 * out in numpy as the reference. Each case: data, dims, type, symmetric, reduce_range, axis.
 */
const REFERENCE = String.raw`
import json, numpy as np
RANGE = {'int8': (-128, 127), 'uint8': (0, 255)}
SYMMETRIC = {'int8': (-127, 127), 'uint8': (0, 254)}
REDUCED = {'int8': (-64, 64), 'uint8': (0, 127)}
NP = {'int8': np.int8, 'uint8': np.uint8}
def qrange(t, reduce, sym):
    r = REDUCED[t] if reduce else (SYMMETRIC[t] if sym else RANGE[t])
    return np.array(r[0], dtype=NP[t]), np.array(r[1], dtype=NP[t])
def compute_scale_zp(rmin, rmax, qmin, qmax, sym):
    rmin = np.minimum(rmin, np.array(0, dtype=rmin.dtype)); rmax = np.maximum(rmax, np.array(0, dtype=rmax.dtype))
    if sym:
        absmax = np.maximum(np.abs(rmin), np.abs(rmax)); rmin = -absmax; rmax = +absmax
    dr = np.array(rmax - rmin, dtype=np.float64)
    dq = np.array(qmax, dtype=np.float64) - np.array(qmin, dtype=np.float64)
    scale = np.array(dr / dq)
    if scale < np.finfo(rmax.dtype).tiny:
        return np.array(0, dtype=qmin.dtype), np.array(1.0, dtype=rmax.dtype)
    if sym:
        zp = np.array(np.round((qmin + qmax) / np.array(2.0, dtype=np.float64)), dtype=qmin.dtype)
    else:
        zp = np.array(np.round(qmin - rmin / scale), dtype=qmin.dtype)
    return zp, scale.astype(rmax.dtype)
def quantize_nparray(t, arr, scale, zp):
    qmin, qmax = qrange(t, False, False)
    a = np.asarray((arr.astype(np.float32) / scale).round() + zp)
    np.clip(a, qmin, qmax, out=a)
    return a.astype(NP[t])
def quantize(data, t, sym, reduce):
    qmin, qmax = qrange(t, reduce, sym)
    rmin = np.array(data.min() if len(data) else 0.0, dtype=data.dtype); rmax = np.array(data.max() if len(data) else 0.0, dtype=data.dtype)
    zp, scale = compute_scale_zp(rmin, rmax, qmin, qmax, sym)
    return zp, scale, quantize_nparray(t, data, scale, zp)
rng = np.random.default_rng(7)
cases = []
def case(data, t, sym, reduce, axis=None):
    data = data.astype(np.float32)
    if axis is None:
        zp, scale, q = quantize(data.ravel(), t, sym, reduce)
        scales, zps, qs = [float(scale)], [int(zp)], q.reshape(data.shape)
    else:
        scales, zps, parts = [], [], []
        for i in range(data.shape[axis]):
            zp, scale, q = quantize(data.take(i, axis).ravel(), t, sym, reduce)
            scales.append(float(scale)); zps.append(int(zp))
            shape = list(data.shape); shape[axis] = 1
            parts.append(q.reshape(shape))
        qs = np.concatenate(parts, axis)
    cases.append({'data': [float(x) for x in data.ravel()], 'dims': list(data.shape), 'type': t, 'symmetric': sym, 'reduce': reduce, 'axis': axis,
                  'scales': scales, 'zeroPoints': zps, 'q': [int(x) for x in qs.ravel()]})
for t, sym in (('int8', True), ('int8', False), ('uint8', False), ('uint8', True)):
    for reduce in (False, True):
        case(rng.normal(0, 0.05, 1000), t, sym, reduce)
        case(rng.uniform(0.1, 3, 300), t, sym, reduce)
        case(-rng.uniform(0.1, 3, 300), t, sym, reduce)
        case(rng.normal(0.2, 1, (16, 24)), t, sym, reduce, axis=1)
        case(rng.normal(0, 1, (8, 3, 3, 3)), t, sym, reduce, axis=0)
case(np.zeros(10), 'int8', True, False)
case(np.zeros(10), 'uint8', False, False)
# Values on the rounding ties of scale 1/127 (absmax 1): x/scale lands on .5 steps.
case(np.array([1.0, -1.0] + [(k + 0.5) / 127 for k in range(-20, 20)]), 'int8', True, False)
case(np.array([2.0, -0.5, 0.0, 1e-30, 3e-39]), 'uint8', False, False)
print(json.dumps(cases))
`;

interface Case {
  data: number[];
  dims: number[];
  type: 'int8' | 'uint8';
  symmetric: boolean;
  reduce: boolean;
  axis: number | null;
  scales: number[];
  zeroPoints: number[];
  q: number[];
}

test("scale, zero point and quantized values equal ORT's quant_utils (numpy) bit for bit: int8/uint8, symmetric or not, reduced range, per tensor and per channel", () => {
  const cases = JSON.parse(execFileSync(PYTHON, ['-c', REFERENCE], { encoding: 'utf8', maxBuffer: 1 << 28 })) as Case[];
  assert.ok(cases.length >= 40);
  for (const c of cases) {
    const spec: QuantSpec = { type: c.type, symmetric: c.symmetric, reduceRange: c.reduce };
    const got = quantizeValues(Float32Array.from(c.data), c.dims, spec, c.axis ?? undefined);
    const what = `${c.type} symmetric=${c.symmetric} reduce=${c.reduce} axis=${c.axis} dims=${c.dims}`;
    assert.deepEqual([...got.scales], c.scales, `scales, ${what}`);
    assert.deepEqual([...got.zeroPoints], c.zeroPoints, `zero points, ${what}`);
    assert.deepEqual([...got.data], c.q, `values, ${what}`);
  }
});

test('quantization ranges as ORT gives them: reduced range first, then the symmetric range, then the full range', () => {
  assert.deepEqual(quantRange({ type: 'int8', symmetric: true }), [-127, 127]);
  assert.deepEqual(quantRange({ type: 'int8', symmetric: false }), [-128, 127]);
  assert.deepEqual(quantRange({ type: 'uint8', symmetric: true }), [0, 254]);
  assert.deepEqual(quantRange({ type: 'int8', symmetric: true, reduceRange: true }), [-64, 64]);
  assert.deepEqual(quantRange({ type: 'uint8', symmetric: false, reduceRange: true }), [0, 127]);
  assert.deepEqual(scaleAndZeroPoint(0, 0, { type: 'uint8', symmetric: true }), { scale: 1, zeroPoint: 0 });
});
