import { dataType } from '../../dtypes';
import type { Dim, Shape } from '../../model/value-type';
import { elementCount } from '../../guard';
import type { ConstValue, OpContext } from '../context';

export const INT64 = 7;

export const isIntegerType = (elemType: number): boolean => {
  const info = dataType(elemType);
  return !!info && !info.isFloat && info.name !== 'string' && info.name !== 'bool';
};

/** An elementwise rule over known numbers and symbolic dims; null when the result is unknown. */
export type DimRule = (x: Dim, y: Dim) => Dim;

/** Lifts a numeric rule: any symbol or unknown operand makes the result unknown. */
export const numeric = (f: (x: number, y: number) => number): DimRule => (x, y) => (typeof x === 'number' && typeof y === 'number' ? f(x, y) : null);

/** Elementwise a∘b for equal sizes or a scalar side; integer results truncated. */
export function foldBinary(c: OpContext, a: ConstValue, b: ConstValue, elemType: number, f: DimRule): ConstValue | undefined {
  const n = Math.max(a.data.length, b.data.length);
  if (!(a.data.length === n || a.data.length === 1) || !(b.data.length === n || b.data.length === 1)) return undefined;
  if (a.dims.length !== b.dims.length && a.data.length !== 1 && b.data.length !== 1) return undefined;
  const int = isIntegerType(elemType);
  return c.fold(elemType, a.data.length >= b.data.length ? a.dims : b.dims, (i) => {
    const r = f(a.data[a.data.length === 1 ? 0 : i]!, b.data[b.data.length === 1 ? 0 : i]!);
    return int && typeof r === 'number' ? Math.trunc(r) : r;
  });
}

/** `v` with new dims, when they hold exactly its elements (Reshape, Squeeze, Unsqueeze of a folded value). */
export function withDims(v: ConstValue | undefined, dims: Shape): ConstValue | undefined {
  return v && dims && elementCount(dims, v.data.length) === v.data.length ? { ...v, dims: dims as number[] } : undefined;
}

/** A 1-D (or scalar) value's elements as shape dims: numbers, symbols from Shape, or null. */
export function asDims(v: ConstValue | undefined): Dim[] | undefined {
  if (!v || v.dims.length > 1) return undefined;
  return v.data;
}
