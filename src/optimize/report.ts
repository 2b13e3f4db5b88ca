/**
 * The one report shape every transform returns (DESIGN.md §2b): the CLI prints it with
 * --json and saves it next to the output, the report view draws it, tests compare both.
 * Field names are the contract (issue 8, point 10); add fields, never rename.
 */
export interface OutputAccuracy {
  name: string;
  /** Worst sample's cosine similarity (what targets are compared with). */
  cosine: number;
  meanCosine: number;
  /** Worst sample's signal-to-noise ratio in dB (Infinity when identical). */
  snrDb: number;
  meanSnrDb: number;
  maxAbsError: number;
  /** Share of samples whose arg-max agrees, for classifier-like outputs (last dim > 1). */
  top1Agreement?: number;
}

export interface LatencyFigures {
  median: number;
  p90: number;
}

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
}
