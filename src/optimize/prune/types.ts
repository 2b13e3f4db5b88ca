/**
 * The shared contract of pruning (issue 11): what the pruners take and return, and what the
 * report carries. The flow (prune-flow), the CLI, the editor and the sensitivity scan all
 * speak these shapes; add optional fields, never rename.
 */

import type { ModelEdit } from '../../onnx/edit/model-edit';
import type { ModelFiles } from '../../onnx/io/model-files';
import type { NodeProto } from '../../onnx/proto/types';

export type PruneMethod = 'unstructured' | '2:4' | 'channels';

export interface PruneOptions {
  method: PruneMethod;
  /**
   * channels: the share of output channels removed per prunable unit; unstructured: the share
   * of weights zeroed per pruned layer (scope 'layer') or over all pruned layers together
   * (scope 'global'); 2:4: always 0.5.
   */
  ratio: number;
  /** Unstructured only: rank each layer alone, or all layers' weights together. Default 'layer'. */
  scope?: 'layer' | 'global';
  /** Per-unit ratios (unit id → ratio, 0 leaves the unit), from the sensitivity scan or a recipe; units not named get `ratio`. */
  unitRatios?: Record<string, number>;
  /** Op types considered; default Conv, Gemm, MatMul (channels: Conv output channels, Gemm/MatMul output features). */
  includeOps?: string[];
  excludeOps?: string[];
  /** Node names or ids left alone. */
  excludeNodes?: string[];
  /** The first and last prunable layers (nearest the inputs and the outputs) are left unless this is false. Default true. */
  keepFirstLast?: boolean;
  /** channels: the filter norm that ranks output channels. Default 'l1'. */
  norm?: 'l1' | 'l2';
  /** channels: scale each channel's norm by |gamma|/sqrt(var + epsilon) of the BatchNormalization that follows (the factor folding it applies). Default true. */
  batchNormScale?: boolean;
  /** channels: kept channel counts are rounded up to a multiple of this (never more removed than the ratio asks). Default 8. */
  roundTo?: number;
}

/**
 * What the sensitivity scan and per-unit ratios address: one layer (unstructured, 2:4), or one
 * dependency group of channels pruned jointly (channels). `id` is the node id (DESIGN.md §2) of
 * its first member.
 */
export interface PruneUnit {
  id: string;
  /** Node ids of the layers whose weights the unit changes. */
  nodes: string[];
  /** Weight elements of those layers (what pruning the unit can remove or zero). */
  parameters: number;
}

/** One row of the per-layer table. */
export interface PrunedLayer {
  /** Node id (DESIGN.md §2). */
  node: string;
  opType: string;
  /** The weight initializer or Constant output that was changed. */
  weight: string;
  /** Elements of the weight before pruning. */
  elementsBefore: number;
  /** Elements after (channels removes them; the others keep the count). */
  elementsAfter: number;
  /** Zero elements in the weight after pruning. */
  zeros: number;
  /** zeros / elementsAfter. */
  sparsity: number;
  /** channels: output channels before and after. */
  channelsBefore?: number;
  channelsAfter?: number;
  /** channels: the unit (dependency group) the layer was pruned with. */
  unit?: string;
}

/** A layer the method could not or must not prune, with why. */
export interface SkippedLayer {
  node: string;
  opType: string;
  reason: string;
}

/** channels: what to reproduce the pruning with in PyTorch (written beside the model as JSON). */
export interface PruneRecipe {
  format: 'onnx-studio-prune-recipe';
  version: 1;
  method: 'channels';
  /** The options the pruning ran with. */
  options: PruneOptions;
  units: {
    id: string;
    ratio: number;
    /** Output channels of the unit before, and the kept ones (ascending indices). */
    channelsBefore: number;
    keptChannels: number[];
    /** Every layer whose output channels (producers) or input channels (readers) follow the kept indices. */
    producers: RecipeLayer[];
    readers: (Omit<RecipeLayer, 'weight'> & { weight?: string })[];
  }[];
}

/** A node of a recipe unit, and how its weight follows the kept channels. */
export interface RecipeLayer {
  /** Node id (DESIGN.md §2). */
  node: string;
  weight: string;
  /** The ONNX node name, unescaped (PyTorch's module path in torch.onnx exports). */
  name?: string;
  /** The axis of `weight` sliced to the kept channels: a producer's output axis (Conv 0, Gemm 0 with transB else 1, MatMul 1); a reader's input axis (Conv 1, Gemm 1 with transB else 0, MatMul 0, BatchNormalization 0). */
  axis?: number;
  /** A reader of a flattened C·H·W value: each channel is this many consecutive positions along `axis` (kept channel c keeps [c·n, c·n + n)). */
  featuresPerChannel?: number;
  /** A depthwise Conv: its group attribute before and after (the kept count). */
  group?: { before: number; after: number };
  /** Where the unit's channels sit in the node's input when it reads more or fewer than exactly them (Concat, Split): channels [from, from + count) of the unit are positions [at, at + count) of the input's channels. */
  segments?: { at: number; from: number; count: number }[];
}

export interface PruneResult {
  layers: PrunedLayer[];
  skipped: SkippedLayer[];
  /** Zero share over the weight tensors (biases excluded) of the layers actually pruned. */
  sparsity: number;
  /** channels only. */
  recipe?: PruneRecipe;
  nodesChanged: number;
  warnings: string[];
}

/** The report's `prune` part (TransformReport, transform 'prune'; parametersBefore/After and sparsity are top-level fields). */
export interface PruneReportPart {
  method: PruneMethod;
  prunedLayers: PrunedLayer[];
  skippedLayers: SkippedLayer[];
  /** Where the recipe JSON was written (channels). */
  recipe?: string;
  /** Says plainly what the method gains in dense onnxruntime. */
  note?: string;
  sensitivity?: SensitivityScan;
}

/** The sensitivity scan: each unit pruned alone at a few ratios, output cosine on calibration inputs. */
export interface SensitivityScan {
  targetCosine: number;
  ratios: number[];
  units: {
    id: string;
    nodes: string[];
    parameters: number;
    /** Worst output cosine with only this unit pruned, per ratio (same order as `ratios`). */
    cosine: number[];
    /** The ratio chosen for the unit (0: left). */
    chosen: number;
  }[];
  /** The worst output cosine of the model pruned with the chosen ratios. */
  cosineChosen: number;
}

/** Node ids (DESIGN.md §2) of the model as it was before the transform, by node proto. */
export type NodeIds = ReadonlyMap<NodeProto, string>;

/** One pruning method: its units (for per-unit ratios and the sensitivity scan) and the pruning itself, in place on `edit`. */
export interface Pruner {
  units(edit: ModelEdit, files: ModelFiles | undefined, options: PruneOptions, ids: NodeIds): { units: PruneUnit[]; skipped: SkippedLayer[] };
  /** Throws TransformRefusedError (src/optimize/errors.ts) when nothing can be pruned or tied weights forbid it, naming them. */
  prune(edit: ModelEdit, files: ModelFiles | undefined, options: PruneOptions, ids: NodeIds): PruneResult;
}
