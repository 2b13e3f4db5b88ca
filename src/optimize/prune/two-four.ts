/**
 * 2:4 semi-structured sparsity for TensorRT's sparse tensor cores (issue 11 point 2): in every
 * group of 4 consecutive weights along the reduction axis (Conv: the input channels of its
 * group, C/group; Gemm: K as transB places it; MatMul: B's second-to-last axis) the 2 largest
 * |w| are kept and the other 2 zeroed; of equal magnitudes the lower index is kept. Layers
 * whose reduction length is not a multiple of 4 (depthwise Conv: 1) are skipped and listed.
 * A group that already held 3 or 4 zeros keeps them, so the zeros are counted, not assumed.
 */
import type { ModelEdit } from '../../onnx/edit/model-edit';
import type { ModelFiles } from '../../onnx/io/model-files';
import { TransformRefusedError } from '../errors';
import { readFloats } from '../preprocess/weights';
import { prunableLayers, type PrunableLayer } from './layers';
import type { NodeIds, PruneOptions, PruneResult, Pruner, SkippedLayer } from './types';
import { checkUnitRatios, countNonFinite, groupRatio, groupsToPrune, pruneGroups, unitOf, weightGroups, type WeightGroup } from './weight-groups';

export const TWO_FOUR_NOTE =
  'ONNX Runtime runs 2:4-sparse weights as dense ones: no size or speed gain there. TensorRT uses its sparse tensor cores (Ampere and later) when the engine is built with --sparsity=enable.';

const ABS = 0x7fffffff;

/** Why the layer cannot hold 2:4 groups along its reduction axis, or undefined when it can. */
export function twoFourProblem(l: PrunableLayer): string | undefined {
  const length = l.dims[l.reductionAxis]!;
  if (l.opType === 'Conv' && length === 1) return 'depthwise Conv (one input channel per group): no groups of 4 along the input channels';
  const axis = l.opType === 'Conv' ? `input channels per group (C/group = ${length})` : `K (${length})`;
  if (length % 4 !== 0 || length < 4) return `the reduction axis, ${axis}, is not a multiple of 4`;
  return undefined;
}

/**
 * Zeroes the 2 smallest |w| of each group of 4 along `axis` of a C-order tensor with `dims`
 * (in place). Returns the zeros the tensor holds afterwards.
 */
export function applyTwoFour(values: Float32Array, dims: readonly number[], axis: number): number {
  const length = dims[axis]!;
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = values.length / (length * inner);
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const key = new Uint32Array(4);
  const at = new Int32Array(4);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * length * inner + i;
      for (let c = 0; c < length; c += 4) {
        for (let j = 0; j < 4; j++) {
          at[j] = base + (c + j) * inner;
          key[j] = bits[at[j]!]! & ABS;
        }
        // j is kept when fewer than 2 of the others rank above it (larger |w|, or equal and earlier).
        for (let j = 0; j < 4; j++) {
          let above = 0;
          for (let m = 0; m < 4; m++) if (m !== j && (key[m]! > key[j]! || (key[m] === key[j] && m < j))) above++;
          if (above >= 2) values[at[j]!] = 0;
        }
      }
    }
  }
  return countZeros(values);
}

function countZeros(values: Float32Array): number {
  let zeros = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === 0) zeros++;
  return zeros;
}

function groupsOf(edit: ModelEdit, files: ModelFiles | undefined, options: PruneOptions, ids: NodeIds): { groups: WeightGroup[]; skipped: SkippedLayer[] } {
  const found = prunableLayers(edit, files, options, ids);
  const skipped = [...found.skipped];
  const layers = found.layers.filter((l) => {
    const problem = twoFourProblem(l);
    if (problem) skipped.push({ node: l.id, opType: l.opType, reason: problem });
    return !problem;
  });
  // The mask follows the reduction axis: a tensor read along two axes gets a copy for each.
  return { groups: weightGroups(layers, (l) => `${l.reductionAxis}`), skipped };
}

export const twoFourPruner: Pruner = {
  units(edit, files, options, ids) {
    const { groups, skipped } = groupsOf(edit, files, options, ids);
    return { units: groups.map(unitOf), skipped };
  },

  prune(edit, files, options, ids): PruneResult {
    if (options.ratio !== 0.5) throw new TransformRefusedError(`2:4 sparsity zeroes 2 of every 4 weights: the ratio is 0.5, not ${options.ratio}`);
    const { groups: all, skipped } = groupsOf(edit, files, options, ids);
    checkUnitRatios(options, all);
    for (const g of all) {
      const r = groupRatio(g, options);
      if (r !== 0 && r !== 0.5) throw new TransformRefusedError(`2:4 sparsity zeroes 2 of every 4 weights: unit '${g.layers[0]!.id}' asks ${r}, not 0.5 or 0`, [g.layers[0]!.id]);
    }
    const groups = groupsToPrune('2:4 sparsity', all, options, skipped);
    return pruneGroups(edit, files, groups, skipped, (g) => {
      const { source, dims, reductionAxis } = g.layers[0]!;
      const values = readFloats(source, files);
      const zerosBefore = countZeros(values);
      const nonFinite = countNonFinite(values);
      const zeros = applyTwoFour(values, dims, reductionAxis);
      return { apply: (v) => void applyTwoFour(v, dims, reductionAxis), zeros, zeroed: zeros - zerosBefore, nonFinite };
    });
  },
};
