/**
 * The one report shape every transform returns (DESIGN.md §2b): the CLI prints it with
 * --json and saves it next to the output, the report view draws it, tests compare both.
 * Field names are the contract (issue 8, point 10); add fields, never rename.
 */
import type { LatencyFigures, OutputAccuracy } from '../runtime/types';
import type { PruneReportPart } from './prune/types';

/** The measured parts come from the runtime layer, below this one. */
export type { LatencyFigures, OutputAccuracy };

export interface TransformReport {
  /** 'quantize-dynamic' | 'quantize-static' | 'fp16' | later transforms. */
  transform: string;
  input: string;
  output: string;
  sizeBefore: number;
  sizeAfter: number;
  /** Per model output; empty when not validated. */
  outputs: OutputAccuracy[];
  latencyMs?: { before: LatencyFigures; after: LatencyFigures };
  nodesAdded: number;
  nodesChanged: number;
  /** Node ids (DESIGN.md §2 identity) kept in float, with why. */
  keptFloat: string[];
  keptFloatWhy?: Record<string, string>;
  /** Where the validation inputs came from: 'eval' folder, 'held-out' calibration files, or 'synthesized'. */
  validationData?: { kind: 'eval' | 'held-out' | 'synthesized'; samples: number; source?: string };
  /** Targets asked for and whether they were met (exit code 1 when one is not). */
  targets?: { name: string; wanted: number; got: number; met: boolean }[];
  /** Transform-specific counts (quantized nodes, clamped fp16 values, ...). */
  details: Record<string, number | string | boolean>;
  warnings: string[];
  /** Per-node error overlay (accuracy-aware mode): node id → SNR dB of its output. */
  nodeSnrDb?: Record<string, number>;
  /** Pruning (issue 11, point 6): parameters counted as `inspect` counts them (initializer and Constant elements in all graphs). */
  parametersBefore?: number;
  parametersAfter?: number;
  /** The zero share over the weight tensors (biases excluded) of the layers actually pruned. */
  sparsity?: number;
  /** Pruning: method, per-layer table, skipped layers, recipe, sensitivity scan. */
  prune?: PruneReportPart;
}
