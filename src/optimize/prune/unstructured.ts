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
import { applyCut, magnitudeCut, type MagnitudeCut } from './magnitude-cut';
import type { NodeIds, PruneOptions, PruneResult, Pruner, SkippedLayer } from './types';
import { checkRatio, checkUnitRatios, groupRatio, groupsToPrune, ownRatio, pruneGroups, unitOf, weightGroups, type WeightGroup } from './weight-groups';

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
    const groups = groupsToPrune('unstructured pruning', all, options, skipped);
    const cuts = options.scope === 'global' ? globalCuts(groups, files, options) : new Map(groups.map((g) => [g, layerCut(g, files, groupRatio(g, options))]));
    return pruneGroups(edit, files, groups, skipped, (g) => {
      const { cut, zeros } = cuts.get(g)!;
      return { apply: (values) => void applyCut(values, cut), zeros };
    });
  },
};

/** The share `ratio` of one tensor, cut alone: the values are read once here (and again when written). */
function layerCut(g: WeightGroup, files: ModelFiles | undefined, ratio: number): { cut: MagnitudeCut; zeros: number } {
  const values = readFloats(g.layers[0]!.source, files);
  const cut = magnitudeCut(() => [values], Math.round(ratio * g.elements));
  return { cut, zeros: applyCut(values, cut).zeros };
}

/**
 * One cut over the tensors without a unit ratio of their own (their ties taken in the groups'
 * order), and a layer cut for the others. Each tensor is read three times: two histograms and
 * the count.
 */
function globalCuts(groups: readonly WeightGroup[], files: ModelFiles | undefined, options: PruneOptions): Map<WeightGroup, { cut: MagnitudeCut; zeros: number }> {
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
    const taken = applyCut(readFloats(g.layers[0]!.source, files), { key: cut.key, ties });
    out.set(g, { cut: { key: cut.key, ties: taken.ties }, zeros: taken.zeros });
    ties -= taken.ties;
  }
  return out;
}
