import type { Dim, Shape } from '../../model/value-type';
import { broadcast, isNum, normAxis, product, sliceLength } from '../shape-math';
import type { ConstValue, InferFn, OpContext } from '../context';
import { asDims, constValue, foldable, INT64 } from './fold';
import { toNumbers, type NumericValues } from '../../tensor';

/** Operators that move, cut and join tensors, with folding of the small int tensors of shape arithmetic. */

/** Axes from an attribute (older opsets) or input `i` (newer). */
function axesOf(c: OpContext, attr: string, input: number, sinceInput: number): number[] | undefined {
  return c.opset >= sinceInput ? (c.has(input) ? c.ints(input) : undefined) : c.attrInts(attr);
}

const reshape: InferFn = (c) => {
  const target = c.opset >= 5 ? asDims(c.value(1)) : c.attrInts('shape');
  const input = c.shape(0);
  const allowZero = c.attrInt('allowzero', 0) === 1;
  let shape: Shape = null;
  if (target) {
    const dims: Dim[] = target.map((d, i) => (d === 0 && !allowZero ? (input ? (input[i] ?? null) : null) : d === -1 ? -1 : d));
    const minus = dims.indexOf(-1);
    if (minus >= 0) dims[minus] = input ? inferredDim(input, dims.filter((_, i) => i !== minus)) : null;
    shape = dims;
  } else if (c.shape(1)?.length === 1 && isNum(c.shape(1)![0]!)) {
    shape = Array<Dim>(c.shape(1)![0] as number).fill(null);
  }
  const v = c.value(0);
  c.tensor(0, c.elem(0), shape, v && shape?.every(isNum) ? { ...v, dims: shape as number[] } : undefined);
};

/** The -1 of a Reshape: input elements over the other target dims, symbols cancelling pairwise. */
function inferredDim(input: Dim[], others: Dim[]): Dim {
  const symbols = input.filter((d): d is string => typeof d === 'string');
  let num = 1;
  for (const d of input) {
    if (d === null) return null;
    if (typeof d === 'number') num *= d;
  }
  let den = 1;
  for (const d of others) {
    if (d === null) return null;
    if (typeof d === 'number') den *= d;
    else {
      const k = symbols.indexOf(d);
      if (k < 0) return null;
      symbols.splice(k, 1);
    }
  }
  if (den === 0 || num % den !== 0) return null;
  if (symbols.length === 0) return num / den;
  return symbols.length === 1 && num === den ? symbols[0]! : null;
}

const shapeOp: InferFn = (c) => {
  const s = c.shape(0);
  if (!s) return c.tensor(0, INT64, [null]);
  const rank = s.length;
  const clamp = (v: number): number => Math.max(0, Math.min(rank, v < 0 ? v + rank : v));
  const start = clamp(c.attrInt('start', 0));
  const end = clamp(c.attrInt('end', rank));
  const dims = s.slice(start, Math.max(start, end));
  c.tensor(0, INT64, [dims.length], { elemType: INT64, dims: [dims.length], data: dims });
};

const size: InferFn = (c) => {
  const s = c.shape(0);
  const p = s ? product(s) : null;
  c.tensor(0, INT64, [], isNum(p) ? { elemType: INT64, dims: [], data: [p] } : undefined);
};

const flatten: InferFn = (c) => {
  const s = c.shape(0);
  if (!s) return c.tensor(0, c.elem(0), [null, null]);
  const axis = c.attrInt('axis', 1);
  const a = axis < 0 ? axis + s.length : axis;
  c.tensor(0, c.elem(0), [product(s.slice(0, a)), product(s.slice(a))]);
};

const transpose: InferFn = (c) => {
  const s = c.shape(0);
  if (!s) return c.tensor(0, c.elem(0), null);
  const perm = c.attrInts('perm') ?? s.map((_, i) => s.length - 1 - i);
  c.tensor(0, c.elem(0), perm.map((p) => s[p] ?? null));
};

const concat: InferFn = (c) => {
  const shapes = Array.from({ length: c.inputCount }, (_, i) => c.shape(i));
  const known = shapes.find((s) => s !== null);
  let shape: Shape = null;
  if (known) {
    const axis = normAxis(c.attrInt('axis', 0), known.length);
    if (axis !== undefined) {
      shape = known.map((_, d): Dim => {
        if (d === axis) {
          if (shapes.some((s) => s === null)) return null;
          const dims = shapes.map((s) => s![d] ?? null);
          return dims.every(isNum) ? dims.reduce((a, b) => a + b, 0) : dims.length === 1 ? dims[0]! : null;
        }
        const dims = shapes.filter((s): s is Dim[] => s !== null).map((s) => s[d] ?? null);
        return dims.find(isNum) ?? (dims.every((x) => x === dims[0]) ? dims[0]! : null);
      });
    }
  }
  const values = Array.from({ length: c.inputCount }, (_, i) => c.value(i));
  let value: ConstValue | undefined;
  if (values.every((v) => v && v.dims.length === 1) && values.length > 0) {
    const data = values.flatMap((v) => v!.data);
    value = constValue(values[0]!.elemType, [data.length], data);
  }
  c.tensor(0, c.elem(0) ?? values.find(Boolean)?.elemType, shape, value);
};

const split: InferFn = (c) => {
  const s = c.shape(0);
  const n = c.outputCount;
  if (!s) {
    for (let i = 0; i < n; i++) c.tensor(i, c.elem(0), null);
    return;
  }
  const axis = normAxis(c.attrInt('axis', 0), s.length);
  const sizes = c.opset >= 13 ? (c.has(1) ? c.ints(1) : undefined) : c.attrInts('split');
  const total = axis === undefined ? null : s[axis]!;
  const sizesGiven = c.opset >= 13 ? c.has(1) : c.hasAttr('split');
  for (let i = 0; i < n; i++) {
    let d: Dim = null;
    if (sizes) d = sizes[i] ?? null;
    else if (isNum(total) && !sizesGiven) {
      const chunk = Math.ceil(total / n);
      d = c.hasAttr('num_outputs') ? Math.max(0, Math.min(chunk, total - chunk * i)) : total % n === 0 ? total / n : null;
    }
    c.tensor(i, c.elem(0), s.map((x, k) => (k === axis ? d : x)));
  }
};

const slice: InferFn = (c) => {
  const s = c.shape(0);
  const old = c.opset < 10;
  const starts = old ? c.attrInts('starts') : c.ints(1);
  const ends = old ? c.attrInts('ends') : c.ints(2);
  if (!s) return c.tensor(0, c.elem(0), null);
  if (!starts || !ends) {
    const axesKnown = old ? c.attrInts('axes') : c.has(3) ? c.ints(3) : undefined;
    if (!axesKnown && !(old || c.has(3))) return c.tensor(0, c.elem(0), s.map(() => null));
    const cut = new Set((axesKnown ?? []).map((a) => normAxis(a, s.length)));
    return c.tensor(0, c.elem(0), axesKnown ? s.map((d, i) => (cut.has(i) ? null : d)) : s.map(() => null));
  }
  const axes = (old ? c.attrInts('axes') : c.has(3) ? c.ints(3) : undefined) ?? starts.map((_, i) => i);
  const steps = (!old && c.has(4) ? c.ints(4) : undefined) ?? starts.map(() => 1);
  if (!old && c.has(3) && !c.ints(3)) return c.tensor(0, c.elem(0), s.map(() => null));
  if (!old && c.has(4) && !c.ints(4)) return c.tensor(0, c.elem(0), s.map(() => null));
  const out = [...s];
  const v = c.value(0);
  let data = v && v.dims.length === 1 ? v.data : undefined;
  axes.forEach((ax, k) => {
    const a = normAxis(ax, s.length);
    if (a === undefined) throw new Error('axis out of range');
    const d = s[a]!;
    if (isNum(d)) {
      out[a] = sliceLength(d, starts[k]!, ends[k]!, steps[k]!);
      if (data && a === 0) data = sliceData(data, starts[k]!, ends[k]!, steps[k]!);
    } else {
      out[a] = null;
      data = undefined;
    }
  });
  c.tensor(0, c.elem(0), out, data && v ? constValue(v.elemType, [data.length], data) : undefined);
};

function sliceData(data: Dim[], start: number, end: number, step: number): Dim[] {
  const n = data.length;
  const norm = (x: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, x < 0 ? x + n : x));
  const out: Dim[] = [];
  if (step > 0) for (let i = norm(start, 0, n); i < norm(end, 0, n); i += step) out.push(data[i]!);
  else for (let i = norm(start, 0, n - 1); i > norm(end, -1, n - 1); i += step) out.push(data[i]!);
  return out;
}

const gather: InferFn = (c) => {
  const data = c.shape(0);
  const idx = c.shape(1);
  if (!data || !idx) return c.tensor(0, c.elem(0), null);
  const axis = normAxis(c.attrInt('axis', 0), data.length);
  if (axis === undefined) throw new Error('axis out of range');
  const shape = [...data.slice(0, axis), ...idx, ...data.slice(axis + 1)];
  const v = c.value(0);
  const iv = c.value(1);
  let value: ConstValue | undefined;
  if (v && iv && v.dims.length === 1 && iv.data.every(isNum)) {
    const n = v.data.length;
    value = constValue(v.elemType, iv.dims, (iv.data as number[]).map((i) => v.data[i < 0 ? i + n : i] ?? null));
  }
  c.tensor(0, c.elem(0), shape, value);
};

const gatherND: InferFn = (c) => {
  const data = c.shape(0);
  const idx = c.shape(1);
  const b = c.attrInt('batch_dims', 0);
  const last = idx?.[idx.length - 1] ?? null;
  if (!data || !idx || !isNum(last)) return c.tensor(0, c.elem(0), null);
  c.tensor(0, c.elem(0), [...idx.slice(0, -1), ...data.slice(b + last)]);
};

function squeezeDims(s: Dim[], axes: number[] | undefined): Dim[] | null {
  if (!axes) return s.some((d) => !isNum(d)) ? null : s.filter((d) => d !== 1);
  const drop = new Set(axes.map((a) => normAxis(a, s.length)));
  return s.filter((_, i) => !drop.has(i));
}

const squeeze: InferFn = (c) => {
  const s = c.shape(0);
  const axesGiven = c.opset >= 13 ? c.has(1) : c.hasAttr('axes');
  const axes = axesOf(c, 'axes', 1, 13);
  const v = c.value(0);
  if (!s || (axesGiven && !axes)) return c.tensor(0, c.elem(0), null);
  const out = squeezeDims(s, axes);
  c.tensor(0, c.elem(0), out, v && out?.every(isNum) ? { ...v, dims: out as number[] } : undefined);
};

const unsqueeze: InferFn = (c) => {
  const s = c.shape(0);
  const axes = axesOf(c, 'axes', 1, 13);
  if (!s || !axes) return c.tensor(0, c.elem(0), null);
  const rank = s.length + axes.length;
  const at = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
  const out: Dim[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(at.has(i) ? 1 : (s[k++] ?? null));
  const v = c.value(0);
  c.tensor(0, c.elem(0), out, v && out.every(isNum) ? { ...v, dims: out as number[] } : undefined);
};

const expand: InferFn = (c) => {
  const target = asDims(c.value(1));
  const s = c.shape(0);
  if (target) return c.tensor(0, c.elem(0), broadcast([s, target]));
  const len = c.shape(1)?.[0] ?? null;
  c.tensor(0, c.elem(0), isNum(len) && s ? Array<Dim>(Math.max(len, s.length)).fill(null) : null);
};

const tile: InferFn = (c) => {
  const s = c.shape(0);
  const r = c.ints(1);
  if (!s) return c.tensor(0, c.elem(0), null);
  c.tensor(0, c.elem(0), s.map((d, i) => (r && isNum(d) ? d * r[i]! : null)));
};

const pad: InferFn = (c) => {
  const s = c.shape(0);
  if (!s) return c.tensor(0, c.elem(0), null);
  const pads = c.opset >= 11 ? c.ints(1) : (c.attrInts('pads') ?? c.attrInts('paddings'));
  const axesIn = c.opset >= 18 && c.has(3) ? c.ints(3) : undefined;
  if (!pads || (c.opset >= 18 && c.has(3) && !axesIn)) return c.tensor(0, c.elem(0), s.map(() => null));
  const axes = (axesIn ?? s.map((_, i) => i)).map((a) => normAxis(a, s.length)!);
  const out = [...s];
  axes.forEach((a, k) => {
    const d = s[a]!;
    out[a] = isNum(d) ? d + pads[k]! + pads[k + axes.length]! : null;
  });
  c.tensor(0, c.elem(0), out);
};

const constantOfShape: InferFn = (c) => {
  const dims = asDims(c.value(0));
  const t = c.node.attribute('value')?.tensor();
  const elem = t?.dtype ?? 1;
  const len = c.shape(0)?.[0] ?? null;
  const shape = dims ?? (isNum(len) ? Array<Dim>(len).fill(null) : null);
  let value: ConstValue | undefined;
  if (dims && dims.every(isNum)) {
    const n = (dims as number[]).reduce((a, b) => a * b, 1);
    const first = t ? t.read(1).values[0] : 0;
    const fill = typeof first === 'bigint' ? Number(first) : first;
    if (typeof fill === 'number') value = constValue(elem, dims as number[], Array<Dim>(n).fill(fill));
  }
  c.tensor(0, elem, shape, value);
};

const constant: InferFn = (c) => {
  const a = c.node.attributes[0];
  if (!a) return;
  const num = (elemType: number, dims: number[], data: number[]): void => c.tensor(0, elemType, dims, constValue(elemType, dims, data));
  switch (a.name) {
    case 'value': {
      const t = a.tensor();
      if (!t) return;
      return c.tensor(0, t.dtype, t.dims, foldable(t) ? constValue(t.dtype, t.dims, toNumbers(t.read(t.elementCount).values as NumericValues)) : undefined);
    }
    case 'value_float':
      return num(1, [], [a.float()]);
    case 'value_floats':
      return num(1, [a.proto.floats.length], a.proto.floats);
    case 'value_int':
      return num(INT64, [], [a.int()]);
    case 'value_ints':
      return num(INT64, [a.proto.ints.length], a.ints());
    case 'value_string':
      return c.tensor(0, 8, []);
    case 'value_strings':
      return c.tensor(0, 8, [a.proto.strings.length]);
    case 'sparse_value': {
      const sp = a.proto.sparse_tensor;
      return c.tensor(0, sp?.values?.data_type, sp ? sp.dims.map(Number) : null);
    }
  }
};

const range: InferFn = (c) => {
  const [s, l, d] = [c.ints(0), c.ints(1), c.ints(2)];
  if (!s || !l || !d) return c.tensor(0, c.elem(0), [null]);
  const n = Math.max(0, Math.ceil((l[0]! - s[0]!) / d[0]!));
  c.tensor(0, c.elem(0), [n], constValue(c.elem(0) ?? INT64, [n], Array.from({ length: n }, (_, i) => s[0]! + i * d[0]!)));
};

const oneHot: InferFn = (c) => {
  const s = c.shape(0);
  const depth = c.value(1)?.data[0];
  if (!s) return c.tensor(0, c.elem(2), null);
  const rank = s.length + 1;
  let axis = c.attrInt('axis', -1);
  if (axis < 0) axis += rank;
  const out = [...s];
  out.splice(axis, 0, isNum(depth ?? null) ? Math.trunc(depth as number) : null);
  c.tensor(0, c.elem(2), out);
};

const topK: InferFn = (c) => {
  const s = c.shape(0);
  const k = c.opset >= 10 ? c.ints(1)?.[0] : c.attrInt('k');
  let shape: Shape = null;
  if (s) {
    const axis = normAxis(c.attrInt('axis', -1), s.length);
    shape = s.map((d, i) => (i === axis ? (k ?? null) : d));
  }
  c.tensor(0, c.elem(0), shape);
  c.tensor(1, INT64, shape);
};

const argReduce: InferFn = (c) => {
  const s = c.shape(0);
  if (!s) return c.tensor(0, INT64, null);
  const axis = normAxis(c.attrInt('axis', 0), s.length);
  const keep = c.attrInt('keepdims', 1) === 1;
  c.tensor(0, INT64, keep ? s.map((d, i) => (i === axis ? 1 : d)) : s.filter((_, i) => i !== axis));
};

const depthToSpace: InferFn = (c) => {
  const s = c.shape(0);
  const b = c.attrInt('blocksize', 1);
  if (!s || s.length !== 4) return c.tensor(0, c.elem(0), null);
  const [n, ch, h, w] = s as [Dim, Dim, Dim, Dim];
  const div = (x: Dim, k: number): Dim => (isNum(x) ? x / k : null);
  const mul = (x: Dim, k: number): Dim => (isNum(x) ? x * k : null);
  c.tensor(0, c.elem(0), c.node.opType === 'DepthToSpace' ? [n, div(ch, b * b), mul(h, b), mul(w, b)] : [n, mul(ch, b * b), div(h, b), div(w, b)]);
};

const resize: InferFn = (c) => {
  const s = c.shape(0);
  if (!s) return c.tensor(0, c.elem(0), null);
  const op = c.node.opType;
  let sizes: number[] | undefined;
  let scales: number[] | undefined;
  if (op === 'Upsample') scales = c.opset >= 9 ? (c.value(1)?.data as number[] | undefined) : c.node.attribute('scales')?.proto.floats;
  else if (c.opset < 11) scales = c.value(1)?.data as number[] | undefined;
  else {
    sizes = c.has(3) ? c.ints(3) : undefined;
    scales = c.has(2) && c.value(2)?.data.length ? (c.value(2)!.data as number[]) : undefined;
  }
  const axes = c.opset >= 18 ? (c.attrInts('axes') ?? s.map((_, i) => i)) : s.map((_, i) => i);
  const out = s.map(() => null as Dim);
  const policy = c.attrString('keep_aspect_ratio_policy', 'stretch');
  if (sizes && policy !== 'stretch') {
    const ratios = axes.map((a, k) => (isNum(s[a]!) ? sizes![k]! / (s[a] as number) : NaN));
    const r = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
    scales = axes.map(() => r);
    sizes = undefined;
  }
  s.forEach((d, i) => {
    const k = axes.indexOf(i);
    if (k < 0) out[i] = d;
    else if (sizes) out[i] = sizes[k] ?? null;
    else if (scales && isNum(d) && scales[k] !== undefined) out[i] = Math.floor(d * scales[k]! + (policy !== 'stretch' ? 0.5 : 0));
  });
  c.tensor(0, c.elem(0), out);
};

export const TENSOR_OPS: Record<string, InferFn> = {
  Reshape: reshape,
  Shape: shapeOp,
  Size: size,
  Flatten: flatten,
  Transpose: transpose,
  Concat: concat,
  Split: split,
  Slice: slice,
  Gather: gather,
  GatherElements: (c) => c.tensor(0, c.elem(0), c.shape(1)),
  GatherND: gatherND,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Expand: expand,
  Tile: tile,
  Pad: pad,
  ConstantOfShape: constantOfShape,
  Constant: constant,
  Range: range,
  OneHot: oneHot,
  TopK: topK,
  ArgMax: argReduce,
  ArgMin: argReduce,
  DepthToSpace: depthToSpace,
  SpaceToDepth: depthToSpace,
  Resize: resize,
  Upsample: resize,
  Compress: (c) => {
    const s = c.shape(0);
    const axis = c.attrInt('axis');
    if (!s || axis === undefined) return c.tensor(0, c.elem(0), [null]);
    const a = normAxis(axis, s.length);
    c.tensor(0, c.elem(0), s.map((d, i) => (i === a ? null : d)));
  },
  NonZero: (c) => c.tensor(0, INT64, [c.rank(0) ?? null, null]),
  NonMaxSuppression: (c) => c.tensor(0, INT64, [null, 3]),
  Unique: (c) => {
    const s = c.shape(0);
    const axis = c.attrInt('axis');
    const a = s && axis !== undefined ? normAxis(axis, s.length) : undefined;
    c.tensor(0, c.elem(0), s && a !== undefined ? s.map((d, i) => (i === a ? null : d)) : [null]);
    for (let i = 1; i < 4; i++) c.tensor(i, INT64, [null]);
  },
};
