/**
 * Which axis of a weight-only constant gets one scale per slice. The recurrent op reads its
 * gate rows on W/R's axis 1, but a Transpose or Reshape between the constant and the LSTM can
 * put those rows on any of the constant's axes, so the axis is chosen by measurement: the one
 * whose per-slice scales restore the constant with the smallest squared error. A gate block
 * much larger than the others (its own scale range) makes the gate-row axis win by far: on a
 * [1, in, 4H] constant transposed to W, 70 against 304 on the input axis; on Silero v5's
 * [4H, in] weights the gate rows (axis 0) win as a fixed first-axis rule chose them.
 */
import { quantizeWeights } from '../static/quant-params';

/** Slices of fewer values would spend on scales what the int8 saves (a rank-1 constant stays per tensor). */
const MIN_SLICE = 16;

/** The axis with the smallest restore error, or -1 (per tensor) when no axis has slices of at least MIN_SLICE values. */
export function bestScaleAxis(values: Float32Array, dims: readonly number[]): number {
  let best = -1;
  let bestError = Infinity;
  for (let axis = 0; axis < dims.length; axis++) {
    if (dims[axis]! < 2 || values.length / dims[axis]! < MIN_SLICE) continue;
    const error = restoreError(values, dims, axis);
    if (error < bestError) [best, bestError] = [axis, error];
  }
  return best;
}

/** Sum of squared differences between the values and their int8 per-slice restore. */
export function restoreError(values: Float32Array, dims: readonly number[], axis: number): number {
  const { q, scales } = quantizeWeights(values, dims, axis);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const count = dims[axis]!;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const d = q[i]! * scales[Math.floor(i / inner) % count]! - values[i]!;
    sum += d * d;
  }
  return sum;
}
