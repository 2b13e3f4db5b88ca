import type { Dim } from '../../model/value-type';
import { isNum, normAxis } from '../shape-math';
import type { InferFn } from '../context';

/** Reduce*: axes from an attribute (older opsets) or the second input (ReduceSum 13+, the rest 18+). */
const REDUCE_FOLD: Record<string, (xs: number[]) => number> = {
  ReduceSum: (xs) => xs.reduce((a, b) => a + b, 0),
  ReduceProd: (xs) => xs.reduce((a, b) => a * b, 1),
  ReduceMin: (xs) => Math.min(...xs),
  ReduceMax: (xs) => Math.max(...xs),
};

const reduce: InferFn = (c) => {
  const s = c.shape(0);
  const inputAxesSince = c.node.opType === 'ReduceSum' ? 13 : 18;
  const fromInput = c.opset >= inputAxesSince;
  const axes = fromInput ? (c.has(1) ? c.ints(1) : []) : (c.attrInts('axes') ?? []);
  const keep = c.attrInt('keepdims', 1) === 1;
  if (!s || axes === undefined) return c.tensor(0, c.elem(0), s && keep ? s.map(() => null) : null);
  const noop = c.attrInt('noop_with_empty_axes', 0) === 1;
  if (axes.length === 0 && noop) return c.out(0, c.type(0), c.value(0));
  const all = axes.length === 0;
  const set = new Set(axes.map((a) => normAxis(a, s.length)));
  const out: Dim[] = [];
  s.forEach((d, i) => {
    if (all || set.has(i)) {
      if (keep) out.push(1);
    } else out.push(d);
  });
  const v = c.value(0);
  const fold = REDUCE_FOLD[c.node.opType];
  const value = fold && v && all && v.data.every(isNum) ? c.fold(v.elemType, out, () => fold(v.data as number[])) : undefined;
  c.tensor(0, c.elem(0), out, value);
};

const NAMES = ['ReduceSum', 'ReduceMean', 'ReduceProd', 'ReduceMin', 'ReduceMax', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare'];

export const REDUCE_OPS: Record<string, InferFn> = Object.fromEntries(NAMES.map((n) => [n, reduce]));
