import type { Dim, Shape } from '../../model/value-type';
import { broadcast, isNum, windowOut } from '../shape-math';
import type { InferFn, OpContext } from '../context';

/** Convolutions, pooling, matrix products, normalizations, recurrent layers. */

const INT32 = 6;
const INT64 = 7;

/** Output spatial dims of a conv/pool; `x` is the input shape, kernel from attr or weight. */
function spatial(c: OpContext, x: Dim[], kernel: number[] | undefined, ceilMode: boolean): Dim[] {
  const n = x.length - 2;
  const strides = c.attrInts('strides') ?? Array(n).fill(1);
  const dil = c.attrInts('dilations') ?? Array(n).fill(1);
  const pads = c.attrInts('pads') ?? Array(2 * n).fill(0);
  const autoPad = c.attrString('auto_pad', 'NOTSET');
  return Array.from({ length: n }, (_, i) =>
    kernel ? windowOut(x[i + 2]!, kernel[i]!, strides[i]!, dil[i]!, pads[i]!, pads[i + n]!, autoPad, ceilMode) : null,
  );
}

/** Conv output [N, M, spatial…] from data x [N, C, spatial…] and weight w [M, C/group, kernel…]. */
export function convShape(c: OpContext, x: Shape, w: Shape): Shape {
  if (!x) return null;
  const kernel = c.attrInts('kernel_shape') ?? (w && w.slice(2).every(isNum) ? (w.slice(2) as number[]) : undefined);
  return [x[0]!, w ? w[0]! : null, ...spatial(c, x, kernel, false)];
}

function conv(xIn: number, wIn: number, elem: (c: OpContext) => number | undefined): InferFn {
  return (c) => c.tensor(0, elem(c), convShape(c, c.shape(xIn), c.shape(wIn)));
}

const convTranspose: InferFn = (c) => {
  const x = c.shape(0);
  const w = c.shape(1);
  if (!x) return c.tensor(0, c.elem(0), null);
  const n = x.length - 2;
  const group = c.attrInt('group', 1);
  const outC: Dim = w && isNum(w[1]!) ? w[1] * group : null;
  const kernel = c.attrInts('kernel_shape') ?? (w && w.slice(2).every(isNum) ? (w.slice(2) as number[]) : undefined);
  const explicit = c.attrInts('output_shape');
  const strides = c.attrInts('strides') ?? Array(n).fill(1);
  const dil = c.attrInts('dilations') ?? Array(n).fill(1);
  const outPad = c.attrInts('output_padding') ?? Array(n).fill(0);
  const autoPad = c.attrString('auto_pad', 'NOTSET');
  const pads = c.attrInts('pads') ?? Array(2 * n).fill(0);
  const dims = Array.from({ length: n }, (_, i): Dim => {
    if (explicit) return explicit[explicit.length - n + i]!;
    const d = x[i + 2]!;
    if (!isNum(d) || !kernel) return null;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return d * strides[i]!;
    return strides[i]! * (d - 1) + outPad[i]! + (kernel[i]! - 1) * dil[i]! + 1 - pads[i]! - pads[i + n]!;
  });
  c.tensor(0, c.elem(0), [x[0]!, outC, ...dims]);
};

const pool: InferFn = (c) => {
  const x = c.shape(0);
  if (!x) {
    c.tensor(0, c.elem(0), null);
    return c.tensor(1, INT64, null);
  }
  const shape = [x[0]!, x[1]!, ...spatial(c, x, c.attrInts('kernel_shape'), c.attrInt('ceil_mode', 0) === 1)];
  c.tensor(0, c.elem(0), shape);
  c.tensor(1, INT64, shape);
};

const globalPool: InferFn = (c) => {
  const x = c.shape(0);
  c.tensor(0, c.elem(0), x ? [x[0]!, x[1]!, ...x.slice(2).map(() => 1)] : null);
};

const maxUnpool: InferFn = (c) => {
  const x = c.shape(0);
  if (c.has(2)) return c.tensor(0, c.elem(0), c.ints(2) ?? (x ? x.map(() => null) : null));
  if (!x) return c.tensor(0, c.elem(0), null);
  const n = x.length - 2;
  const k = c.attrInts('kernel_shape') ?? [];
  const strides = c.attrInts('strides') ?? Array(n).fill(1);
  const pads = c.attrInts('pads') ?? Array(2 * n).fill(0);
  c.tensor(0, c.elem(0), [x[0]!, x[1]!, ...x.slice(2).map((d, i) => (isNum(d) ? (d - 1) * strides[i]! + k[i]! - pads[i]! - pads[i + n]! : null))]);
};

/** numpy matmul: batch dims broadcast, 1-D operands promoted and their dim dropped. */
export function matmulShape(a: Shape, b: Shape): Shape {
  if (!a || !b || a.length === 0 || b.length === 0) return null;
  const aa = a.length === 1 ? [1, a[0]!] : a;
  const bb = b.length === 1 ? [b[0]!, 1] : b;
  const batch = broadcast([aa.slice(0, -2), bb.slice(0, -2)]);
  if (!batch) return null;
  const out: Dim[] = [...batch];
  if (a.length > 1) out.push(aa[aa.length - 2]!);
  if (b.length > 1) out.push(bb[bb.length - 1]!);
  return out;
}

/** Gemm output [M, N] from A (input aIn) and B (input bIn), transA/transB applied. */
export function gemmShape(c: OpContext, aIn: number, bIn: number): Shape {
  const a = c.shape(aIn);
  const b = c.shape(bIn);
  const ta = c.attrInt('transA', 0) === 1;
  const tb = c.attrInt('transB', 0) === 1;
  const m = a && a.length === 2 ? a[ta ? 1 : 0]! : null;
  const n = b && b.length === 2 ? b[tb ? 0 : 1]! : null;
  return [m, n];
}

const gemm: InferFn = (c) => c.tensor(0, c.elem(0), gemmShape(c, 0, 1));

const layerNorm: InferFn = (c) => {
  const x = c.shape(0);
  c.out(0, c.type(0));
  if (!x) return;
  let axis = c.attrInt('axis', -1);
  if (axis < 0) axis += x.length;
  const stats = x.map((d, i) => (i >= axis ? 1 : d));
  const stash = c.attrInt('stash_type', 1);
  c.tensor(1, stash, stats);
  c.tensor(2, stash, stats);
};

/** RNN/GRU/LSTM: Y [seq, dirs, batch, hidden] (layout 0) plus the last states. */
const recurrent: InferFn = (c) => {
  const x = c.shape(0);
  const hidden = c.attrInt('hidden_size') ?? null;
  const dirs = c.attrString('direction', 'forward') === 'bidirectional' ? 2 : 1;
  const layout = c.attrInt('layout', 0);
  const seq = x ? x[layout ? 1 : 0]! : null;
  const batch = x ? x[layout ? 0 : 1]! : null;
  c.tensor(0, c.elem(0), layout ? [batch, seq, dirs, hidden] : [seq, dirs, batch, hidden]);
  const state = layout ? [batch, dirs, hidden] : [dirs, batch, hidden];
  for (let i = 1; i < c.outputCount; i++) c.tensor(i, c.elem(0), state);
};

export const NN_OPS: Record<string, InferFn> = {
  Conv: conv(0, 1, (c) => c.elem(0)),
  ConvInteger: conv(0, 1, () => INT32),
  QLinearConv: conv(0, 3, (c) => c.elem(7)),
  ConvTranspose: convTranspose,
  MaxPool: pool,
  AveragePool: pool,
  LpPool: pool,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  GlobalLpPool: globalPool,
  MaxUnpool: maxUnpool,
  MatMul: (c) => c.tensor(0, c.elem(0), matmulShape(c.shape(0), c.shape(1))),
  MatMulInteger: (c) => c.tensor(0, INT32, matmulShape(c.shape(0), c.shape(1))),
  QLinearMatMul: (c) => c.tensor(0, c.elem(7), matmulShape(c.shape(0), c.shape(3))),
  Gemm: gemm,
  LayerNormalization: layerNorm,
  GroupNormalization: (c) => c.out(0, c.type(0)),
  RMSNormalization: (c) => c.out(0, c.type(0)),
  RNN: recurrent,
  GRU: recurrent,
  LSTM: recurrent,
  GridSample: (c) => {
    const x = c.shape(0);
    const g = c.shape(1);
    c.tensor(0, c.elem(0), x && g ? [x[0]!, x[1]!, ...g.slice(1, -1)] : null);
  },
  RoiAlign: (c) => {
    const x = c.shape(0);
    const rois = c.shape(1);
    c.tensor(0, c.elem(0), [rois?.[0] ?? null, x?.[1] ?? null, c.attrInt('output_height', 1), c.attrInt('output_width', 1)]);
  },
};
