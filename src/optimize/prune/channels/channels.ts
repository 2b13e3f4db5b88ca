import type { ModelFiles } from '../../../onnx/io/model-files';
import type { NodeProto } from '../../../onnx/proto/types';
import { TransformRefusedError } from '../../errors';
import { readFloats } from '../../preprocess/weights';
import type { NodeIds, PrunedLayer, PruneOptions, PruneRecipe, PruneResult, Pruner, RecipeLayer, SkippedLayer } from '../types';
import { channelCount } from './channel-spaces';
import type { Fix } from './dependency-groups';
import { channelUnits, type ChannelUnit } from './channel-units';
import { gatherAxes } from './gather';
import { intAttr, nodeId } from './node-facts';
import { keptChannels, keptCount } from './rank-channels';
import { plannedCuts, refuseBrokenTies } from './tied-weights';
import { removeChannels, weightName, type ChangedWeight, type Removal } from './remove-channels';

const LAYER_OPS = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);

function checkRatios(options: PruneOptions): void {
  const bad = (r: number, zeroOk: boolean): boolean => !Number.isFinite(r) || r >= 1 || r < 0 || (!zeroOk && r === 0);
  if (bad(options.ratio, false)) throw new TransformRefusedError(`the ratio must be above 0 and below 1, not ${options.ratio}`);
  for (const [unit, r] of Object.entries(options.unitRatios ?? {})) if (bad(r, true)) throw new TransformRefusedError(`the ratio of unit '${unit}' must be at least 0 and below 1, not ${r}`);
  if (options.roundTo !== undefined && !(Number.isInteger(options.roundTo) && options.roundTo >= 1)) throw new TransformRefusedError(`roundTo must be a positive integer, not ${options.roundTo}`);
}

interface Plan {
  unit: ChannelUnit;
  ratio: number;
  kept: number[];
}

/**
 * Structured channel pruning (issue 11 point 3): removes the lowest-ranked output channels of
 * each dependency group (Conv output channels, Gemm/MatMul hidden features) and cuts
 * everything downstream to match, so the model shrinks.
 */
export const channelPruner: Pruner = {
  units(edit, files, options, ids) {
    const { units, skipped } = channelUnits(edit, files, options, ids);
    return { units: units.map((u) => u.unit), skipped };
  },

  prune(edit, files, options, ids) {
    checkRatios(options);
    const { graph, units, skipped } = channelUnits(edit, files, options, ids);
    if (!units.length) throw new TransformRefusedError(`no output channels (Conv) or features (Gemm, MatMul) can be pruned${skipped.length ? reasons(skipped) : ': the main graph has no such layer with float weights'}`, skipped.map((s) => s.node));
    // A unit is named by its id or, as the other methods allow, by its first node's name (PyTorch's).
    const own = options.unitRatios ?? {};
    const ownRatio = (u: ChannelUnit): number | undefined => own[u.unit.id] ?? (u.spaces[0]!.layer.name ? own[u.spaces[0]!.layer.name] : undefined);
    const known = new Set(units.flatMap((u) => [u.unit.id, u.spaces[0]!.layer.name ?? '']));
    for (const id of Object.keys(own)) if (!known.has(id)) throw new TransformRefusedError(`unit ratio for '${id}': no channel group has that id`, [id]);
    const plans: Plan[] = [];
    const unpruned: SkippedLayer[] = [];
    const roundTo = options.roundTo ?? 8;
    for (const unit of units) {
      const ratio = ownRatio(unit) ?? options.ratio;
      const channels = unit.spaces[0]!.channels;
      const keep = ratio > 0 ? keptCount(channels, ratio, roundTo) : channels;
      if (keep >= channels) {
        const why = ratio > 0 ? `rounding up to a multiple of ${roundTo} keeps all ${channels} channels` : 'ratio 0: left';
        for (const s of unit.spaces) unpruned.push({ node: nodeId(ids, s.layer), opType: s.layer.op_type ?? '', reason: why });
        continue;
      }
      plans.push({ unit, ratio, kept: keptChannels(graph, unit.spaces, keep, files, { norm: options.norm ?? 'l1', batchNormScale: options.batchNormScale ?? true }) });
    }
    if (!plans.length) throw new TransformRefusedError(`no channel group can be pruned at this ratio${reasons(unpruned)}`, unpruned.map((s) => s.node));
    skipped.push(...unpruned);
    const kept = new Map(plans.map((p) => [p.unit.root, p.kept]));
    const cuts = plannedCuts(graph, graph.fixes, kept);
    refuseBrokenTies(graph, cuts, files, ids);
    const removal = removeChannels(graph, kept, cuts, files);
    edit.sortTopologically();
    return result(files, options, ids, plans, removal, skipped);
  },
};

function reasons(skipped: SkippedLayer[]): string {
  const distinct = [...new Set(skipped.map((s) => `${s.node}: ${s.reason}`))];
  return distinct.length ? ` (${distinct.slice(0, 4).join('; ')}${distinct.length > 4 ? `; and ${distinct.length - 4} more` : ''})` : '';
}

function result(files: ModelFiles | undefined, options: PruneOptions, ids: NodeIds, plans: Plan[], removal: Removal, skipped: SkippedLayer[]): PruneResult {
  // A Conv that reads one pruned group and produces another is listed with the group of its outputs.
  const isProducer = (f: ChannelUnit['fixes'][number]): boolean => f.kind === 'weight' && f.producer;
  const entries = plans.flatMap((p) => p.unit.fixes.map((f) => ({ node: f.node, unit: p.unit.unit.id, producer: isProducer(f) })));
  const unitOf = new Map([...entries.filter((e) => !e.producer), ...entries.filter((e) => e.producer)].map((e) => [e.node, e.unit] as const));
  const layers: PrunedLayer[] = [];
  let zeros = 0;
  let elements = 0;
  for (const w of removal.weights) {
    if (w.input !== 1 || !LAYER_OPS.has(w.node.op_type ?? '')) continue;
    const row = layerRow(w, files, ids, unitOf.get(w.node));
    layers.push(row);
    zeros += row.zeros;
    elements += row.elementsAfter;
  }
  const tied = removal.shared.map((s) => `'${s.weight}' (${s.nodes.length} node${s.nodes.length > 1 ? 's' : ''}${s.stays ? ' changed, others keep the original' : ''})`);
  const warnings = tied.length
    ? [`${tied.length} weight${tied.length > 1 ? 's' : ''} read by several nodes (tied, or equal tensors the exporter merged) now differ between them: ${tied.slice(0, 5).join(', ')}${tied.length > 5 ? ` and ${tied.length - 5} more` : ''}`]
    : [];
  // Indexed once: the recipe asks for every layer's weight (a search each was quadratic in the layer count).
  const byNode = new Map<NodeProto, Map<number, (typeof removal.weights)[number]>>();
  for (const w of removal.weights) {
    const inputs = byNode.get(w.node) ?? new Map<number, (typeof removal.weights)[number]>();
    if (!inputs.has(w.input)) inputs.set(w.input, w);
    byNode.set(w.node, inputs);
  }
  const original = (node: NodeProto, input: number): string => {
    const w = byNode.get(node)?.get(input);
    return w ? weightName(w) : node.input[input]!;
  };
  return { layers, skipped, sparsity: elements ? zeros / elements : 0, recipe: recipe(options, ids, plans, original), nodesChanged: removal.nodes.size, warnings };
}

function layerRow(w: ChangedWeight, files: ModelFiles | undefined, ids: NodeIds, unit: string | undefined): PrunedLayer {
  const values = gatherAxes(readFloats(w.source, files), w.dims, w.cuts);
  let zeros = 0;
  for (const v of values) if (v === 0) zeros++;
  const before = w.dims.reduce((a, b) => a * b, 1);
  const outAxis = outputAxis(w.node);
  const cut = (axis: number): number => w.cuts.find((c) => c.axis === axis)?.indices.length ?? w.dims[axis]!;
  return {
    node: nodeId(ids, w.node), opType: w.node.op_type ?? '', weight: weightName(w), elementsBefore: before, elementsAfter: values.length, zeros, sparsity: values.length ? zeros / values.length : 0,
    ...(outAxis !== undefined ? { channelsBefore: w.dims[outAxis]!, channelsAfter: cut(outAxis) } : {}),
    ...(unit ? { unit } : {}),
  };
}

/** The weight axis of a layer's output channels or features. */
function outputAxis(node: NodeProto): number | undefined {
  if (node.op_type === 'Conv') return 0;
  if (node.op_type === 'ConvTranspose' || node.op_type === 'MatMul') return 1;
  if (node.op_type === 'Gemm') return intAttr(node, 'transB', 0) === 1 ? 0 : 1;
  return undefined;
}

function recipe(options: PruneOptions, ids: NodeIds, plans: Plan[], original: (node: NodeProto, input: number) => string): PruneRecipe {
  return {
    format: 'onnx-studio-prune-recipe', version: 1, method: 'channels', options,
    units: plans.map(({ unit, ratio, kept }) => {
      const channelsBefore = unit.spaces[0]!.channels;
      const spaceIds = new Set(unit.spaces.map((s) => s.id));
      const weights = unit.fixes.filter((f) => f.kind === 'weight');
      const groupFix = (n: NodeProto): Fix | undefined => unit.fixes.find((f) => f.node === n && f.kind === 'group');
      // How the node's weight follows the kept channels; `group` is already the kept count (removeChannels set it).
      const facts = (n: NodeProto, fix: Fix | undefined): Omit<RecipeLayer, 'node' | 'weight'> => {
        const g = groupFix(n);
        const segments = fix && unitSegments(fix, spaceIds, channelsBefore);
        return {
          ...(n.name ? { name: n.name } : {}),
          ...(fix?.kind === 'weight' ? { axis: fix.axis } : {}),
          ...(fix?.layout.flat ? { featuresPerChannel: fix.layout.flat.inner } : {}),
          ...(g ? { group: { before: channelCount(g.layout), after: intAttr(n, 'group', 1) } } : {}),
          ...(segments ? { segments } : {}),
        };
      };
      const producers = weights.filter((f) => f.producer && f.input === 1).map((f) => ({ node: nodeId(ids, f.node), weight: original(f.node, 1), ...facts(f.node, f) }));
      const readerNodes = [...new Set(unit.fixes.filter((f) => !(f.kind === 'weight' && f.producer)).map((f) => f.node))];
      const readers = readerNodes.map((n) => {
        const w = weights.find((f) => f.node === n && !f.producer);
        return { node: nodeId(ids, n), ...(w ? { weight: original(n, w.input) } : {}), ...facts(n, w ?? unit.fixes.find((f) => f.node === n)) };
      });
      return { id: unit.unit.id, ratio, channelsBefore, keptChannels: kept, producers, readers };
    }),
  };
}

/** The unit's channels in a fix's layout, where that is not exactly the unit's channels in order. */
function unitSegments(fix: Fix, spaceIds: ReadonlySet<number>, channels: number): { at: number; from: number; count: number }[] | undefined {
  const out: { at: number; from: number; count: number }[] = [];
  let at = 0;
  for (const s of fix.layout.segments) {
    if (spaceIds.has(s.space)) out.push({ at, from: s.start, count: s.length });
    at += s.length;
  }
  const whole = out.length === 1 && out[0]!.at === 0 && out[0]!.from === 0 && out[0]!.count === channels && channelCount(fix.layout) === channels;
  return whole ? undefined : out;
}
