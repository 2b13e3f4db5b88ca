import type { ModelFiles } from '../../../onnx/io/model-files';
import { floatWeight, readFloats, weightDims } from '../../preprocess/weights';
import type { ChannelGraph } from './dependency-groups';
import type { Space } from './channel-spaces';

/**
 * How many of `channels` stay at `ratio` removed: the kept count rounded UP to a multiple of
 * `roundTo`, so no unit loses more than the ratio asks (16 channels at 0.3: 11.2 → 16, all stay),
 * and at most all of them. The 1e-9 absorbs float error (80 × (1 − 0.7) = 24.000000000000004).
 */
export function keptCount(channels: number, ratio: number, roundTo: number): number {
  const step = Math.max(1, Math.floor(roundTo));
  const up = Math.ceil((channels * (1 - ratio)) / step - 1e-9) * step;
  return Math.min(channels, Math.max(step, up));
}

export interface RankOptions {
  norm: 'l1' | 'l2';
  batchNormScale: boolean;
}

/**
 * |gamma| / sqrt(var + epsilon) per channel of a BatchNormalization that alone reads the layer:
 * the factor folding it would multiply the filter by, so a BN-folded and an unfolded export of
 * one net rank alike. Undefined when there is none or its parameters are not usable per-channel constants.
 */
function batchNormScale(cg: ChannelGraph, space: Space, files: ModelFiles | undefined): Float64Array | undefined {
  const g = cg.graph;
  const readers = g.consumersOf(space.layer.output[0]!);
  const bn = readers.length === 1 && readers[0]!.op_type === 'BatchNormalization' && !readers[0]!.domain ? readers[0]! : undefined;
  const gammaWeight = bn && floatWeight(g, bn.input[1]);
  const varWeight = bn && floatWeight(g, bn.input[4]);
  if (!bn || !gammaWeight || !varWeight) return undefined;
  const [gamma, variance] = [readFloats(gammaWeight, files), readFloats(varWeight, files)];
  const epsilon = bn.attribute.find((a) => a.name === 'epsilon')?.f ?? 1e-5;
  if (gamma.length !== space.channels || variance.length !== space.channels || variance.some((v) => !(v + epsilon > 0))) return undefined;
  return Float64Array.from(gamma, (v, c) => Math.abs(v) / Math.sqrt(variance[c]! + epsilon));
}

/** Each output channel's weight norm (its slice along the layer's weight axis), times the BatchNormalization scale above. */
function spaceNorms(cg: ChannelGraph, space: Space, files: ModelFiles | undefined, options: RankOptions): Float64Array {
  const g = cg.graph;
  const weight = floatWeight(g, space.layer.input[1])!;
  const values = readFloats(weight, files);
  const dims = weightDims(weight);
  const inner = dims.slice(space.weightAxis + 1).reduce((a, b) => a * b, 1);
  const outer = values.length / (space.channels * inner);
  const norms = new Float64Array(space.channels);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < space.channels; c++) {
      const from = (o * space.channels + c) * inner;
      for (let i = from; i < from + inner; i++) norms[c] = norms[c]! + (options.norm === 'l2' ? values[i]! * values[i]! : Math.abs(values[i]!));
    }
  }
  if (options.norm === 'l2') for (let c = 0; c < space.channels; c++) norms[c] = Math.sqrt(norms[c]!);
  const scale = options.batchNormScale ? batchNormScale(cg, space, files) : undefined;
  if (scale) for (let c = 0; c < space.channels; c++) norms[c] = norms[c]! * scale[c]!;
  return norms;
}

/**
 * The channels a group keeps: every Conv of the group scores each channel by its norm divided
 * by that Conv's largest norm (so each Conv weighs alike), the scores are summed, and the
 * `keep` best stay (ties: the lower index), in ascending order.
 */
export function keptChannels(cg: ChannelGraph, spaces: Space[], keep: number, files: ModelFiles | undefined, options: RankOptions): number[] {
  const channels = spaces[0]!.channels;
  const score = new Float64Array(channels);
  for (const space of spaces) {
    const norms = spaceNorms(cg, space, files, options);
    const top = norms.reduce((m, v) => Math.max(m, v), 0);
    if (top > 0) for (let c = 0; c < channels; c++) score[c] = score[c]! + norms[c]! / top;
  }
  const order = Array.from({ length: channels }, (_, c) => c).sort((a, b) => score[b]! - score[a]! || a - b);
  return order.slice(0, keep).sort((a, b) => a - b);
}
