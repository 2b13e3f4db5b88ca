import { dataType } from '../../dtypes';
import type { Dim } from '../../model/value-type';
import type { Tensor } from '../../tensor';
import { FOLD_LIMIT, FOLD_LIMIT_FLOAT, type ConstValue } from '../context';

export const INT64 = 7;

export const isIntegerType = (elemType: number): boolean => {
  const info = dataType(elemType);
  return !!info && !info.isFloat && info.name !== 'string' && info.name !== 'bool';
};

export function constValue(elemType: number, dims: number[], data: Dim[]): ConstValue | undefined {
  return data.length <= FOLD_LIMIT ? { elemType, dims, data } : undefined;
}

/** An elementwise rule over known numbers and symbolic dims; null when the result is unknown. */
export type DimRule = (x: Dim, y: Dim) => Dim;

/** Lifts a numeric rule: any symbol or unknown operand makes the result unknown. */
export const numeric = (f: (x: number, y: number) => number): DimRule => (x, y) => (typeof x === 'number' && typeof y === 'number' ? f(x, y) : null);

/** Elementwise a∘b for equal sizes or a scalar side; integer results truncated. */
export function foldBinary(a: ConstValue, b: ConstValue, elemType: number, f: DimRule): ConstValue | undefined {
  const n = Math.max(a.data.length, b.data.length);
  if (!(a.data.length === n || a.data.length === 1) || !(b.data.length === n || b.data.length === 1)) return undefined;
  if (a.dims.length !== b.dims.length && a.data.length !== 1 && b.data.length !== 1) return undefined;
  const int = isIntegerType(elemType);
  const data = Array.from({ length: n }, (_, i): Dim => {
    const r = f(a.data[a.data.length === 1 ? 0 : i]!, b.data[b.data.length === 1 ? 0 : i]!);
    return int && typeof r === 'number' ? Math.trunc(r) : r;
  });
  return constValue(elemType, a.data.length >= b.data.length ? a.dims : b.dims, data);
}

/** Whether a stored tensor is worth reading for folding: small, numeric, in the file. */
export function foldable(t: Tensor): boolean {
  const info = dataType(t.dtype);
  if (!info || info.field === 'string_data' || info.name.startsWith('complex') || t.isExternal) return false;
  return t.elementCount <= (info.isFloat ? FOLD_LIMIT_FLOAT : FOLD_LIMIT);
}

/** A 1-D (or scalar) value's elements as shape dims: numbers, symbols from Shape, or null. */
export function asDims(v: ConstValue | undefined): Dim[] | undefined {
  if (!v || v.dims.length > 1) return undefined;
  return v.data;
}
