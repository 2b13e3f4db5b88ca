import type { Dim, Shape } from '../../model/value-type';
import { broadcast, isNum, normAxis } from '../shape-math';
import type { InferFn } from '../context';

/** Quantization, losses, signal processing, training optimizers, strings, Einsum. */

const FLOAT = 1;
const UINT8 = 2;
const STRING = 8;

const einsum: InferFn = (c) => {
  const eq = c.attrString('equation', '').replace(/\s/g, '');
  const [lhs, rhs] = eq.split('->') as [string, string | undefined];
  const terms = lhs.split(',');
  const letters = new Map<string, Dim>();
  let ellipsis: Shape = [];
  terms.forEach((term, i) => {
    const s = c.shape(i);
    if (!s) {
      ellipsis = null;
      return;
    }
    const [pre = '', post = ''] = term.split('...');
    const hasEllipsis = term.includes('...');
    const nEll = hasEllipsis ? s.length - pre.length - post.length : 0;
    [...pre].forEach((ch, k) => letters.set(ch, letters.get(ch) ?? s[k]!));
    [...post].forEach((ch, k) => letters.set(ch, letters.get(ch) ?? s[pre.length + nEll + k]!));
    if (hasEllipsis && ellipsis) ellipsis = broadcast([ellipsis, s.slice(pre.length, pre.length + nEll)]);
  });
  let out = rhs;
  if (out === undefined) {
    const counts = new Map<string, number>();
    for (const ch of lhs.replace(/[,.]/g, '')) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    out = (lhs.includes('...') ? '...' : '') + [...counts].filter(([, n]) => n === 1).map(([ch]) => ch).sort().join('');
  }
  if (ellipsis === null && out.includes('...')) return c.tensor(0, c.elem(0), null);
  const [pre = '', post = ''] = out.split('...');
  const shape: Dim[] = [...[...pre].map((ch) => letters.get(ch) ?? null), ...(out.includes('...') ? (ellipsis ?? []) : []), ...[...post].map((ch) => letters.get(ch) ?? null)];
  c.tensor(0, c.elem(0), shape);
};

const nll: InferFn = (c) => {
  const reduction = c.attrString('reduction', 'mean');
  c.tensor(0, c.elem(0), reduction === 'none' ? c.shape(1) : []);
};

const softmaxCE: InferFn = (c) => {
  const reduction = c.attrString('reduction', 'mean');
  c.tensor(0, c.elem(0), reduction === 'none' ? c.shape(1) : []);
  c.tensor(1, c.elem(0), c.shape(0));
};

const windowOp: InferFn = (c) => {
  const n = c.ints(0)?.[0];
  c.tensor(0, c.attrInt('output_datatype', FLOAT), [n ?? null]);
};

const dft: InferFn = (c) => {
  const s = c.shape(0);
  if (!s) return c.tensor(0, c.elem(0), null);
  const out = [...s];
  const inverse = c.attrInt('inverse', 0) === 1;
  const onesided = c.attrInt('onesided', 0) === 1;
  const axisRaw = c.opset >= 20 ? (c.has(2) ? c.ints(2)?.[0] : -2) : c.attrInt('axis', 1);
  if (axisRaw === undefined) return c.tensor(0, c.elem(0), s.map(() => null));
  const axis = normAxis(axisRaw, s.length);
  if (axis === undefined) return;
  const len = c.has(1) ? (c.ints(1)?.[0] ?? null) : out[axis]!;
  out[axis] = onesided && !inverse && isNum(len) ? Math.floor(len / 2) + 1 : len;
  out[out.length - 1] = 2;
  c.tensor(0, c.elem(0), out);
};

const stft: InferFn = (c) => {
  const s = c.shape(0);
  const step = c.ints(1)?.[0];
  const frame = c.has(3) ? c.ints(3)?.[0] : c.shape(2)?.[0];
  const onesided = c.attrInt('onesided', 1) === 1;
  if (!s || step === undefined || !isNum(frame ?? null) || !isNum(s[1]!)) return c.tensor(0, c.elem(0), [s?.[0] ?? null, null, null, 2]);
  const f = frame as number;
  const frames = Math.floor(((s[1] as number) - f) / step) + 1;
  c.tensor(0, c.elem(0), [s[0]!, frames, onesided ? Math.floor(f / 2) + 1 : f, 2]);
};

/** Optimizers: outputs mirror groups of inputs (X, then accumulators) after R and T. */
function optimizer(groupsIn: number, outGroups: number[]): InferFn {
  return (c) => {
    const n = (c.inputCount - 2) / groupsIn;
    outGroups.forEach((g, k) => {
      for (let i = 0; i < n; i++) c.out(k * n + i, c.type(2 + g * n + i));
    });
  };
}

export const MISC_OPS: Record<string, InferFn> = {
  QuantizeLinear: (c) => {
    const elem = c.attrInt('output_dtype') || (c.has(2) ? c.elem(2) : UINT8);
    c.tensor(0, elem, c.shape(0));
  },
  DequantizeLinear: (c) => c.tensor(0, c.opset >= 19 ? (c.elem(1) ?? FLOAT) : FLOAT, c.shape(0)),
  DynamicQuantizeLinear: (c) => {
    c.tensor(0, UINT8, c.shape(0));
    c.tensor(1, FLOAT, []);
    c.tensor(2, UINT8, []);
  },
  Einsum: einsum,
  Det: (c) => {
    const s = c.shape(0);
    c.tensor(0, c.elem(0), s ? s.slice(0, -2) : null);
  },
  NegativeLogLikelihoodLoss: nll,
  SoftmaxCrossEntropyLoss: softmaxCE,
  HannWindow: windowOp,
  HammingWindow: windowOp,
  BlackmanWindow: windowOp,
  DFT: dft,
  STFT: stft,
  MelWeightMatrix: (c) => {
    const bins = c.ints(0)?.[0];
    const dftLen = c.ints(1)?.[0];
    c.tensor(0, c.attrInt('output_datatype', FLOAT), [dftLen !== undefined ? Math.floor(dftLen / 2) + 1 : null, bins ?? null]);
  },
  Adagrad: optimizer(3, [0, 2]),
  Momentum: optimizer(3, [0, 2]),
  Adam: optimizer(4, [0, 2, 3]),
  TfIdfVectorizer: (c) => {
    const s = c.shape(0);
    const idx = c.attrInts('ngram_indexes') ?? [];
    const width = idx.length ? idx.reduce((a, b) => Math.max(a, b)) + 1 : null;
    c.tensor(0, FLOAT, s ? (s.length === 1 ? [width] : [s[0]!, width]) : null);
  },
  StringNormalizer: (c) => {
    const s = c.shape(0);
    const stop = c.node.attribute('stopwords')?.proto.strings.length ?? 0;
    c.tensor(0, STRING, s && stop === 0 ? s : s ? s.map((d, i) => (i === s.length - 1 ? null : d)) : null);
  },
};
