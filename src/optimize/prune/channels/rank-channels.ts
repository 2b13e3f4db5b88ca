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

/** Each output channel's weight norm (its slice along the layer's weight axis), times |gamma| of a BatchNormalization that alone reads the layer. */
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
  const readers = g.consumersOf(space.layer.output[0]!);
  const bn = readers.length === 1 && readers[0]!.op_type === 'BatchNormalization' && !readers[0]!.domain ? floatWeight(g, readers[0]!.input[1]) : undefined;
  if (options.batchNormScale && bn) {
    const gamma = readFloats(bn, files);
    if (gamma.length === space.channels) for (let c = 0; c < space.channels; c++) norms[c] = norms[c]! * Math.abs(gamma[c]!);
  }
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
