/**
 * Unstructured magnitude pruning (issue 11 point 1): zeroes the weights of smallest |w| (L1)
 * in the layers prunableLayers finds. Scope 'layer': each weight tensor gets exactly
 * round(ratio · n) zeros (more only when it already held more). Scope 'global': one cut over
 * all pruned tensors together, exactly round(ratio · N) selected in all; units given their
 * own ratio in `unitRatios` (by unit id or by its first node's name) are cut alone at it.
 * Ties at the cut are broken by position (magnitude-cut.ts), so the counts are exact with any
 * number of equal magnitudes. The model keeps its size and speed in dense onnxruntime: the
 * zeros are for sparse kernels and fine-tuning.
 */
import type { ModelEdit } from '../../onnx/edit/model-edit';
import type { ModelFiles } from '../../onnx/io/model-files';
import { readFloats } from '../preprocess/weights';
import { prunableLayers } from './layers';
import { TransformRefusedError } from '../errors';
import { applyCut, magnitudeCut, tensorCut, type MagnitudeCut } from './magnitude-cut';
import type { NodeIds, PruneOptions, PruneResult, Pruner, SkippedLayer } from './types';
import { checkRatio, checkUnitRatios, countNonFinite, groupRatio, groupsToPrune, named, ownRatio, pruneGroups, unitOf, weightGroups, type WeightGroup } from './weight-groups';

/** What the report says about the method's gain. */
export const UNSTRUCTURED_NOTE =
  'Unstructured sparsity gives no size or speed gain in dense ONNX Runtime: the zeros are stored and multiplied like any weight. It is a step toward sparse kernels and fine-tuning.';

function groupsOf(edit: ModelEdit, files: ModelFiles | undefined, options: PruneOptions, ids: NodeIds): { groups: WeightGroup[]; skipped: SkippedLayer[] } {
  const { layers, skipped } = prunableLayers(edit, files, options, ids);
  return { groups: weightGroups(layers), skipped };
}

export const unstructuredPruner: Pruner = {
  units(edit, files, options, ids) {
    const { groups, skipped } = groupsOf(edit, files, options, ids);
    return { units: groups.map(unitOf), skipped };
  },

  prune(edit, files, options, ids): PruneResult {
    checkRatio('the ratio', options.ratio, false);
    const { groups: all, skipped } = groupsOf(edit, files, options, ids);
    checkUnitRatios(options, all);
    const asked = groupsToPrune('unstructured pruning', all, options, skipped);
    const cutNothing = leaveWhatRoundsToNothing(asked, options);
    if (cutNothing.size === asked.length) refuseRatioTooSmall(options, asked);
    for (const [g, reason] of cutNothing) for (const l of g.layers) skipped.push({ node: l.id, opType: l.opType, reason });
    const groups = asked.filter((g) => !cutNothing.has(g));
    const cuts = options.scope === 'global' ? globalCuts(groups, files, options) : new Map(groups.map((g) => [g, layerCut(g, files, groupRatio(g, options))]));
    const result = pruneGroups(edit, files, groups, skipped, (g) => {
      const { cut, ...counts } = cuts.get(g)!;
      return { apply: (values) => void applyCut(values, cut), ...counts };
    });
    if (cutNothing.size) result.warnings.push(`the ratio zeroes no weight of ${cutNothing.size} layer(s), which are left: ${named([...cutNothing.keys()].map((g) => `'${g.layers[0]!.id}' (${g.elements} weights)`))}`);
    return result;
  },
};

/**
 * The groups in which the ratio zeroes no weight (round(ratio · n) = 0), with why: alone (scope
 * 'layer' or a unit ratio of its own), or ranked together (scope 'global', counted over all of them).
 */
function leaveWhatRoundsToNothing(groups: readonly WeightGroup[], options: PruneOptions): Map<WeightGroup, string> {
  const ranked = new Set(options.scope === 'global' ? groups.filter((g) => ownRatio(g, options) === undefined) : []);
  const rankedTotal = [...ranked].reduce((a, g) => a + g.elements, 0);
  const out = new Map<WeightGroup, string>();
  for (const g of groups) {
    const r = groupRatio(g, options);
    if (ranked.has(g)) {
      if (Math.round(r * rankedTotal) === 0) out.set(g, `ratio ${r} of the ${rankedTotal} weights ranked together zeroes none: left`);
    } else if (Math.round(r * g.elements) === 0) {
      out.set(g, `ratio ${r} of its ${g.elements} weights zeroes none: left`);
    }
  }
  return out;
}

/** The ratio zeroes no weight anywhere: no model that only pretends to be pruned. */
function refuseRatioTooSmall(options: PruneOptions, groups: readonly WeightGroup[]): never {
  const largest = options.scope === 'global' ? groups.reduce((a, g) => a + g.elements, 0) : Math.max(...groups.map((g) => g.elements));
  const least = Number(((0.5 / largest) * 1.01).toPrecision(2));
  const where = options.scope === 'global' ? `of the ${largest} weights ranked together` : `of any layer's weights (the largest has ${largest} weights)`;
  throw new TransformRefusedError(`the ratio ${options.ratio} zeroes no weight: it rounds to none ${where}; a ratio of at least ${least} zeroes one`, groups.map((g) => g.layers[0]!.id));
}

/** A tensor's cut, the zeros it leaves, the weights it zeroes and its NaN/Inf values. */
interface Cut {
  cut: MagnitudeCut;
  zeros: number;
  zeroed: number;
  nonFinite: number;
}

/** The share `ratio` of one tensor, cut alone: the values are read once here (and again when written). */
function layerCut(g: WeightGroup, files: ModelFiles | undefined, ratio: number): Cut {
  const values = readFloats(g.layers[0]!.source, files);
  const cut = tensorCut(values, Math.round(ratio * g.elements));
  const nonFinite = countNonFinite(values);
  const { zeros, zeroed } = applyCut(values, cut);
  return { cut, zeros, zeroed, nonFinite };
}

/**
 * One cut over the tensors without a unit ratio of their own (their ties taken in the groups'
 * order), and a layer cut for the others. Each tensor is read three times: two histograms and
 * the count.
 */
function globalCuts(groups: readonly WeightGroup[], files: ModelFiles | undefined, options: PruneOptions): Map<WeightGroup, Cut> {
  const ranked = groups.filter((g) => ownRatio(g, options) === undefined);
  const rankedSet = new Set(ranked);
  const out = new Map(groups.filter((g) => !rankedSet.has(g)).map((g) => [g, layerCut(g, files, ownRatio(g, options)!)]));
  const total = ranked.reduce((a, g) => a + g.elements, 0);
  const read = function* (): Iterable<Float32Array> {
    for (const g of ranked) yield readFloats(g.layers[0]!.source, files);
  };
  const cut = magnitudeCut(read, Math.round(options.ratio * total));
  let ties = cut.ties;
  for (const g of ranked) {
    const values = readFloats(g.layers[0]!.source, files);
    const nonFinite = countNonFinite(values);
    const taken = applyCut(values, { key: cut.key, ties });
    out.set(g, { cut: { key: cut.key, ties: taken.ties }, zeros: taken.zeros, zeroed: taken.zeroed, nonFinite });
    ties -= taken.ties;
  }
  return out;
}
