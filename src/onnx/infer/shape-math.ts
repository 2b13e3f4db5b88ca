import { guardedArray } from '../guard';
import type { Dim, Shape } from '../model/value-type';
import { RANK_LIMIT } from './context';

/** Shape arithmetic that keeps symbols where the result is certain and says null where not. */

export const isNum = (d: Dim): d is number => typeof d === 'number';

export function product(dims: Dim[]): Dim {
  let p = 1;
  for (const d of dims) {
    if (!isNum(d)) return dims.length === 1 ? d : null;
    p *= d;
  }
  return p;
}

export function normAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : undefined;
}

/** Multidirectional (numpy) broadcasting; null when a rank is unknown or dims clash. */
export function broadcast(shapes: Shape[]): Shape {
  if (shapes.some((s) => s === null)) return null;
  const ss = shapes as Dim[][];
  const rank = Math.max(0, ...ss.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const dims = ss.map((s) => s[s.length - rank + i]).filter((d): d is Dim => d !== undefined);
    out.push(broadcastDim(dims));
  }
  return out;
}

function broadcastDim(dims: Dim[]): Dim {
  const nums = new Set(dims.filter(isNum).filter((d) => d !== 1));
  if (nums.size > 1) return null;
  if (nums.size === 1) return [...nums][0]!;
  const others = dims.filter((d) => d !== 1);
  if (others.length === 0) return 1;
  if (others.every((d) => d !== null && d === others[0])) return others[0]!;
  return null;
}

/** Spatial output size of a convolution or pooling window. */
export function windowOut(input: Dim, kernel: number, stride: number, dilation: number, padBegin: number, padEnd: number, autoPad: string, ceilMode: boolean): Dim {
  if (!isNum(input)) return null;
  const effective = dilation * (kernel - 1) + 1;
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return Math.ceil(input / stride);
  if (autoPad === 'VALID') return Math.floor((input - effective) / stride) + 1;
  const span = input + padBegin + padEnd - effective;
  let out = (ceilMode ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  // With ceil_mode, a last window that starts inside the right padding is dropped.
  if (ceilMode && (out - 1) * stride >= input + padBegin) out--;
  return out;
}

/** A Slice-style range (start, end, step) on a dim of known size: the first index it takes and how many. */
export function sliceRange(size: number, start: number, end: number, step: number): { first: number; count: number } {
  if (step === 0 || ![start, end, step].every((x) => typeof x === 'number' && !Number.isNaN(x))) throw new Error(`cannot slice from ${start} to ${end} by step ${step}`);
  const clamp = (v: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, v));
  let s = start < 0 ? start + size : start;
  let e = end < 0 ? end + size : end;
  if (step > 0) {
    s = clamp(s, 0, size);
    e = clamp(e, 0, size);
  } else {
    s = clamp(s, 0, size - 1);
    e = clamp(e, -1, size - 1);
  }
  return { first: s, count: Math.max(0, Math.ceil((e - s) / step)) };
}

/** The length a Slice-style range leaves of a dim of known size. */
export const sliceLength = (size: number, start: number, end: number, step: number): number => sliceRange(size, start, end, step).count;

/** A shape of `rank` unknown dims; unknown (null) when the rank is not a count up to RANK_LIMIT, e.g. a hostile declared length. */
export const unknownDims = (rank: Dim): Shape => guardedArray(rank, RANK_LIMIT, () => null) ?? null;

