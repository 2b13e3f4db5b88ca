/**
 * Empirical bias correction (Nagel et al., "Data-Free Quantization", §4.2; Intel Neural
 * Compressor's and AIMET's bias correction): int8 rounding shifts a weighted node's output by
 * Σ (Wq − W)·x, whose expectation over the calibration data is Σ (Wq − W)·μ with μ the mean of
 * each input channel. Subtracting that from the float bias removes the systematic part of the
 * weight error. It matters for kernels that sum to almost zero (edge-detecting depthwise
 * convolutions) read by inputs with a large mean: there the rounding error of the kernel's sum,
 * times the mean, dominates the small true output. Border positions see padding, not μ: the
 * mean-based correction is the usual approximation.
 */
import type { Node } from '../../onnx/model/graph';
import { floatAttr, intAttr as attr, type PlannedWeight } from './qdq-placement';

/** A value whose per-channel mean calibration collects: ReduceMean over `axes` (every axis but the channel's). */
export interface ChannelMeanSpec {
  name: string;
  axes: number[];
}

/** The ops corrected, and the input whose channels the weight's error is weighed by. */
export function meanSpecOf(w: PlannedWeight, weightRank: number): ChannelMeanSpec | undefined {
  const node = w.node;
  if (w.role !== 'weight' || w.input !== 1 || node.graph.parent || !node.inputs[0]) return undefined;
  if (node.opType === 'Conv' && weightRank >= 3) return { name: node.inputs[0], axes: [0, ...Array.from({ length: weightRank - 2 }, (_, k) => k + 2)] };
  if (node.opType === 'Gemm' && weightRank === 2) return { name: node.inputs[0], axes: [attr(node, 'transA', 0) ? 1 : 0] };
  return undefined;
}

/**
 * The expected output error per output channel of `node` (to subtract from its bias, after the
 * scaling Gemm's alpha/beta ask for), from the float weight `w`, its dequantized int8 values
 * `wq` (both in the weight's layout `dims`) and the input's channel means; undefined when the
 * shapes do not fit.
 */
export function expectedOutputError(node: Node, dims: readonly number[], w: Float32Array, wq: Float32Array, mean: ArrayLike<number>): Float64Array | undefined {
  if (node.opType === 'Conv') {
    const [outputs, perGroup] = [dims[0]!, dims[1]!];
    const group = attr(node, 'group', 1);
    const kernel = dims.slice(2).reduce((a, b) => a * b, 1);
    if (group < 1 || outputs % group !== 0 || mean.length !== perGroup * group) return undefined;
    const outputsPerGroup = outputs / group;
    const err = new Float64Array(outputs);
    for (let o = 0; o < outputs; o++) {
      const first = Math.floor(o / outputsPerGroup) * perGroup;
      let s = 0;
      for (let c = 0; c < perGroup; c++) {
        const m = mean[first + c]!;
        const at = (o * perGroup + c) * kernel;
        for (let k = 0; k < kernel; k++) s += (wq[at + k]! - w[at + k]!) * m;
      }
      err[o] = s;
    }
    return err;
  }
  // Gemm: B is [K, N], or [N, K] with transB; alpha scales A·B, beta the bias C.
  const transB = attr(node, 'transB', 0) !== 0;
  const [k, n] = transB ? [dims[1]!, dims[0]!] : [dims[0]!, dims[1]!];
  const alpha = floatAttr(node, 'alpha', 1);
  const beta = floatAttr(node, 'beta', 1);
  if (mean.length !== k || beta === 0) return undefined;
  const err = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < k; i++) {
      const at = transB ? j * k + i : i * n + j;
      s += (wq[at]! - w[at]!) * mean[i]!;
    }
    err[j] = (alpha * s) / beta;
  }
  return err;
}

/** Dequantized weights as DequantizeLinear computes them (float32 q × scale of the element's channel). */
export function dequantized(q: Int8Array, scales: Float32Array, dims: readonly number[], axis: number): Float32Array {
  const out = new Float32Array(q.length);
  const inner = axis < 0 ? q.length : dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channels = axis < 0 ? 1 : dims[axis]!;
  for (let i = 0; i < q.length; i++) out[i] = Math.fround(q[i]! * scales[Math.floor(i / inner) % channels]!);
  return out;
}
