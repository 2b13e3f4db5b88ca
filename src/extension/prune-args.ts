// The command line of "Prune…" (issue 11, points 5–6): `onnx-studio prune MODEL --method …
// --json`, built from the settings (onnxStudio.prune.*) and the quick-pick answers; and what
// the picks offer for each method. Pure (no vscode), so the unit tests check it.
import { defaultOutput, recipePath, reportPath } from '../optimize/flow/output-names';
import type { PruneMethod } from '../optimize/prune/types';

export type { PruneMethod };

/** What the settings say (package.json contributes.configuration, onnxStudio.prune.*). */
export interface PruneSettings {
  /** Unstructured: rank each layer alone or all layers together. */
  scope: 'layer' | 'global';
  excludeOps: string[];
  excludeNodes: string[];
  /** The ratio the pick proposes first; null: the method's own (PROPOSED_RATIO). */
  ratio: number | null;
}

/** What the quick picks chose. */
export interface PruneChoices {
  method: PruneMethod;
  /** Absent for 2:4 (always half of each group of four). */
  ratio?: number;
  /** Sensitivity scan: per-layer ratios that keep the worst output cosine at or above this. */
  targetCosine?: number;
  /** Calibration inputs of the scan (and held-out ones of the validation); absent: synthesized inputs. */
  calib?: string;
}

export const PRUNE_METHODS: { method: PruneMethod; detail: string }[] = [
  { method: 'channels', detail: 'Remove Conv output channels and fix what reads them: a smaller, faster model (structured)' },
  { method: 'unstructured', detail: 'Zero the smallest weights (L1): no size or speed gain in dense ONNX Runtime; a step toward sparse kernels and fine-tuning' },
  { method: '2:4', detail: 'Keep the 2 largest of every 4 weights along the reduction axis: for TensorRT’s sparse tensor cores (--sparsity=enable)' },
];

/** 2:4 has its ratio in its name; the others ask for one. */
export const needsRatio = (method: PruneMethod): boolean => method !== '2:4';

/** The ratio proposed first when the setting names none: 30 % of channels (the acceptance figure), half of the weights. */
export const PROPOSED_RATIO: Record<Exclude<PruneMethod, '2:4'>, number> = { channels: 0.3, unstructured: 0.5 };

const RATIOS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
export const TARGET_COSINES = [0.99, 0.98, 0.95];

/** "30 %": how ratios are labelled in the picks (and typed by the tests). */
export const percentLabel = (ratio: number): string => `${+(ratio * 100).toFixed(2)} %`;

/** The ratio pick's rows for a method: the proposed ratio first (the setting's, else the method's own), then the rest in order. */
export function ratioItems(method: PruneMethod, settings: Pick<PruneSettings, 'ratio' | 'scope'>): { label: string; detail: string; value: number }[] {
  if (!needsRatio(method)) return [];
  const proposed = settings.ratio ?? PROPOSED_RATIO[method as keyof typeof PROPOSED_RATIO];
  const values = [proposed, ...RATIOS.filter((r) => r !== proposed)];
  return values.map((value) => ({ label: percentLabel(value), detail: ratioDetail(method, value, settings.scope), value }));
}

function ratioDetail(method: PruneMethod, ratio: number, scope: PruneSettings['scope']): string {
  const share = percentLabel(ratio);
  if (method === 'channels') return `Remove ${share} of the output channels of each prunable Conv (kept counts rounded up to a multiple of 8)`;
  return scope === 'global' ? `Zero ${share} of the weights of all pruned layers ranked together` : `Zero ${share} of the weights of each pruned layer`;
}

/** A ratio typed in the "Other…" box: a share in (0, 1), given as 0.35 or 35 %. Returns the number, or why not. */
export function parseRatio(text: string): number | string {
  const m = /^\s*(\d*\.?\d+)\s*(%?)\s*$/.exec(text);
  const value = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  return value > 0 && value < 1 ? value : 'A share between 0 and 1, exclusive: 0.35 or 35 %';
}

/** A target cosine typed in the "Other…" box: in (0, 1]. Returns the number, or why not. */
export function parseTargetCosine(text: string): number | string {
  const value = /^\s*\d*\.?\d+\s*$/.test(text) ? Number(text) : NaN;
  return value > 0 && value <= 1 ? value : 'A cosine above 0, at most 1: e.g. 0.95';
}

/** Choices passed to the command by code (tests, other commands); the explorer passes the selection there, which must not skip the picks. */
export const isPruneChoices = (v: unknown): v is PruneChoices =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && PRUNE_METHODS.some((m) => m.method === (v as PruneChoices).method);

/**
 * argv after `dist/cli.js`: always --json, so stdout is the one report document (and the CLI
 * validates: size, accuracy and latency before and after, as for quantize).
 */
export function pruneArgv(model: string, settings: PruneSettings, choices: PruneChoices): string[] {
  const argv = ['prune', model, '--method', choices.method];
  if (needsRatio(choices.method) && choices.ratio !== undefined) argv.push('--ratio', String(choices.ratio));
  // A target chooses a ratio per layer: the global scope does not apply then.
  if (choices.method === 'unstructured' && settings.scope !== 'layer' && choices.targetCosine === undefined) argv.push('--scope', settings.scope);
  if (choices.targetCosine !== undefined) argv.push('--target-cosine', String(choices.targetCosine));
  if (choices.calib) argv.push('--calib', choices.calib);
  if (settings.excludeOps.length) argv.push('--exclude-ops', settings.excludeOps.join(','));
  if (settings.excludeNodes.length) argv.push('--exclude-nodes', settings.excludeNodes.join(','));
  return [...argv, '--json'];
}

/** What the CLI writes for a run: MODEL.pruned.onnx beside the input, its report, and for channels the recipe (MODEL.pruned.recipe.json). */
export function pruneProducts(model: string, method: PruneMethod): string[] {
  const output = defaultOutput(model, 'prune');
  return method === 'channels' ? [output, reportPath(output), recipePath(output)] : [output, reportPath(output)];
}

/** The progress notification's title: "Pruning (channels, 30 %)". */
export function pruneTitle(c: PruneChoices): string {
  const what = [c.method, needsRatio(c.method) && c.ratio !== undefined ? percentLabel(c.ratio) : '', c.targetCosine !== undefined ? `target cosine ${c.targetCosine}` : ''];
  return `Pruning (${what.filter(Boolean).join(', ')})`;
}
