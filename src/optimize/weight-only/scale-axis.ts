/**
 * Which axis of a weight-only constant gets one scale per slice. The recurrent op reads its
 * gate rows on W/R's axis 1, which is the constant's first axis longer than 1 (other than the
 * last) when only Slice/Concat/Unsqueeze come between: a PyTorch weight_ih [4H, in] or an ONNX
 * W [dirs, 4H, in]. A Transpose or Reshape on the way can put the gate rows on another axis,
 * so the choice is checked by measurement: another axis whose per-slice scales restore the
 * constant with less than half the squared error replaces it. A gate block much larger than
 * the others makes its own axis win by far (a [1, in, 4H] constant transposed to W: 70 on the
 * gate axis against 304 on the input axis, output cosine 0.99986 instead of 0.41); on iid
 * weights and on Silero v5's [4H, in] weights (0.19 against 0.37) the gate rows stay.
 */
import { quantizeWeights } from '../static/quant-params';

/** Slices of fewer values would spend on scales what the int8 saves (a rank-1 constant stays per tensor). */
const MIN_SLICE = 16;
/** Another axis must restore at least this many times better to replace the gate-row default. */
const CLEARLY_BETTER = 2;

/** The first axis, other than the last, longer than 1; -1 (per tensor) when there is none. */
export function rowAxis(dims: readonly number[]): number {
  for (let a = 0; a < dims.length - 1; a++) if (dims[a]! > 1) return a;
  return -1;
}

/** The gate-row axis (rowAxis), unless another axis with slices of at least MIN_SLICE values restores the constant CLEARLY_BETTER times better. */
export function bestScaleAxis(values: Float32Array, dims: readonly number[]): number {
  const fallback = rowAxis(dims);
  let best = fallback;
  let bestError = restoreError(values, dims, fallback) / CLEARLY_BETTER;
  for (let axis = 0; axis < dims.length; axis++) {
    if (axis === fallback || dims[axis]! < 2 || values.length / dims[axis]! < MIN_SLICE) continue;
    const error = restoreError(values, dims, axis);
    if (error < bestError) [best, bestError] = [axis, error];
  }
  return best;
}

/** Sum of squared differences between the values and their symmetric int8 restore, one scale per slice along `axis` (-1: one scale). */
export function restoreError(values: Float32Array, dims: readonly number[], axis: number): number {
  const { q, scales } = quantizeWeights(values, dims, axis);
  const inner = axis < 0 ? values.length : dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const count = axis < 0 ? 1 : dims[axis]!;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const d = q[i]! * scales[Math.floor(i / inner) % count]! - values[i]!;
    sum += d * d;
  }
  return sum;
}
