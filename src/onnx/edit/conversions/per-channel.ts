import type { AttributeProto, NodeProto } from '../../proto/types';
import { newNode } from '../proto-factory';
import type { Conversion, ConversionScope } from './scope';
import { intOf } from './attributes';

/**
 * Parameters that changed from one value per group or channel to numpy-broadcast ones:
 * GroupNormalization-21 takes per-channel scale and bias where 18 took per-group ones, and
 * PRelu-7 broadcasts its slope numpy-style where PRelu-6 applied a [C] slope per channel.
 */

function make(s: ConversionScope, op: string, suffix: string, inputs: string[], attributes: AttributeProto[] = []): { node: NodeProto; output: string } {
  const output = s.uniqueName(`${s.label}_${suffix}`);
  return { node: newNode({ op, name: output, inputs, outputs: [output], attributes, domain: s.node.domain }), output };
}

/** Repeats each of G group values C/G times: Reshape [G,1] → Expand [G,C/G] → Reshape [C]. */
export const groupNormPerChannel: Conversion = (s) => {
  const groups = intOf(s.node.attribute.find((a) => a.name === 'num_groups'), 0);
  const channels = s.dim(0, 1);
  if (channels === undefined) return s.refuse('its scale and bias become per-channel in GroupNormalization-21, and the channel count of its input is unknown');
  if (groups <= 0 || channels % groups !== 0) return s.refuse(`its ${channels} channels do not divide into ${groups} groups`);
  const column = s.int64Constant('group_column', [groups, 1]);
  const block = s.int64Constant('group_block', [groups, channels / groups]);
  const flat = s.int64Constant('channels', [channels]);
  const input = [...s.node.input];
  for (const [index, name] of [[1, 'scale'], [2, 'bias']] as const) {
    const reshaped = make(s, 'Reshape', `${name}_column`, [input[index] ?? '', column]);
    const expanded = make(s, 'Expand', `${name}_expand`, [reshaped.output, block]);
    const perChannel = make(s, 'Reshape', `${name}_per_channel`, [expanded.output, flat]);
    for (const n of [reshaped, expanded, perChannel]) s.insertBefore(n.node);
    input[index] = perChannel.output;
  }
  s.node.input = input;
  s.note(`per-group scale and bias repeated over the ${channels / groups} channels of each group`);
};

/** A [C] slope of an input [N, C, D1, …] reshaped to [C, 1, …, 1]; a slope of one value or a rank-2 input is already right. */
export const preluChannelSlope: Conversion = (s) => {
  const rank = s.rank(0);
  const slopeRank = s.rank(1);
  const slopeSize = slopeRank === 1 ? s.dim(1, 0) : undefined;
  if (slopeSize === 1 || rank === 2) return;
  if (rank === undefined || slopeRank !== 1 || slopeSize === undefined || slopeSize !== s.dim(0, 1)) {
    return s.refuse('PRelu-7 broadcasts the slope numpy-style, and the slope is not known to be one value or one per channel');
  }
  const shape = s.int64Constant('slope_shape', [slopeSize, ...Array<number>(rank - 2).fill(1)]);
  const reshaped = make(s, 'Reshape', 'slope_per_channel', [s.node.input[1] ?? '', shape]);
  s.insertBefore(reshaped.node);
  s.node.input = [s.node.input[0] ?? '', reshaped.output];
  s.note(`slope [${slopeSize}] reshaped to one value per channel of a rank-${rank} input`);
};
