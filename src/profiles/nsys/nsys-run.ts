import type { Model } from '../../onnx/model/graph';
import { ProfileFormatError } from '../errors';
import { finishProfile, type LayerProfile, type ProfiledLayer } from '../layer-profile';
import type { EngineLayer } from '../trtexec/layer-info';
import { nsysLayerMapper, withoutDomain } from './layer-names';

// What the nsys readers (stats CSV/JSON, SQLite export) agree on before mapping: GPU (or CPU)
// time per NVTX range name, summed over the capture, and how many inferences it covers.

/** One NVTX range name (a TensorRT layer, or a pseudo-range for time outside the layers). */
export interface RangeTotals {
  name: string;
  totalMs: number;
  /** Range instances (a layer runs once per inference); kernel launches for time outside every range. */
  instances: number;
  /** Median over the instances of the time charged to each, where known. */
  medianMs?: number;
  /** Kernel name → ms charged to this range: the slowest is shown as the layer's kernel. */
  kernels: Map<string, number>;
  /** Time outside every layer range: never mapped to nodes, whatever the name. */
  outsideLayers?: boolean;
}

export interface NsysRun {
  files: string[];
  /** What the times measure and where they came from (source.settings.measure). */
  measure: string;
  version?: string;
  device?: string;
  ranges: RangeTotals[];
  /** Instances of TensorRT's per-inference range (ExecutionContext::enqueue…), where seen. */
  inferences?: number;
  warnings: string[];
}

/** Pseudo-range names, written so no ONNX node can be mistaken for them. */
export const OUTSIDE_ANY_RANGE = '(kernels outside every layer range)';

/** `layers`: the engine's `--exportLayerInfo`, when given beside the nsys files (Metadata maps Myelin layers; precision, type, tactic). */
export function nsysProfile(run: NsysRun, model: Model, layers: readonly EngineLayer[] = []): LayerProfile {
  const total = run.ranges.reduce((s, r) => s + r.totalMs, 0);
  const where = run.files.join(', ');
  if (run.ranges.length === 0) throw new ProfileFormatError(`${where}: no kernels or NVTX ranges in this nsys report`, run.files[0]!);
  if (!(total > 0)) throw new ProfileFormatError(`${where}: every kernel and range in this nsys report takes zero time: nothing to profile`, run.files[0]!);
  const target = nsysLayerMapper(model, run.ranges.map((r) => r.name), layers);
  const info = new Map(layers.map((l) => [l.name, l]));
  const infoOf = (name: string): EngineLayer | undefined => info.get(name) ?? info.get(withoutDomain(name) ?? '');
  const targets = run.ranges.map((r) => (r.outsideLayers ? { nodes: [], overhead: false } : target(r.name)));
  const inferences = run.inferences ?? commonInstanceCount(run.ranges.filter((_, i) => targets[i]!.nodes.length > 0)) ?? 1;
  const warnings = [...run.warnings];
  if (run.inferences === undefined) {
    warnings.push(`no TensorRT inference range (ExecutionContext::enqueue…) in the capture: ${inferences} inference(s) assumed, the count most layer ranges ran`);
  }
  const profiled: ProfiledLayer[] = run.ranges.map((r, i) => {
    const target = targets[i]!;
    const engine = r.outsideLayers ? undefined : infoOf(r.name);
    const tactic = engine?.tactic ?? slowestKernel(r);
    return {
      name: r.name,
      ...(engine?.type ? { kind: engine.type } : {}),
      totalMs: r.totalMs,
      avgMs: r.totalMs / inferences,
      ...(r.medianMs !== undefined ? { medianMs: r.medianMs } : {}),
      count: r.instances,
      share: 0,
      onnxNodes: target.nodes.map((n) => n.id),
      ...(target.overhead ? { overhead: true } : {}),
      ...(engine?.precision ? { precision: engine.precision } : {}),
      ...(tactic ? { tactic } : {}),
    };
  });
  const unmapped = profiled.filter((l, i) => l.onnxNodes.length === 0 && l.totalMs > 0 && !run.ranges[i]!.outsideLayers);
  if (unmapped.length > 0) {
    const shown = [...unmapped].sort((a, b) => b.totalMs - a.totalMs).slice(0, 5).map((l) => `"${l.name}"`);
    warnings.push(`${unmapped.length} range(s) name no node of the model, their time is kept as unmapped: ${shown.join(', ')}${unmapped.length > shown.length ? ', …' : ''}`);
  }
  const outsideMs = run.ranges.filter((r) => r.outsideLayers).reduce((s, r) => s + r.totalMs, 0);
  if (outsideMs > 0.1 * total && run.ranges.some((r) => !r.outsideLayers)) {
    warnings.push(
      `${((100 * outsideMs) / total).toFixed(1)} % of the kernel time ran outside every TensorRT layer range (an engine build or the application's own work?): ` +
        'profile a run of a built engine (trtexec --loadEngine) or limit the capture (nsys profile --capture-range)',
    );
  }
  return finishProfile({
    source: { tool: 'nsys', ...(run.version ? { version: run.version } : {}), files: run.files, ...(run.device ? { device: run.device } : {}), settings: { measure: run.measure } },
    inferences,
    layers: profiled,
    warnings,
  });
}

function slowestKernel(r: RangeTotals): string | undefined {
  let best: string | undefined;
  let bestMs = -1;
  for (const [k, ms] of r.kernels) {
    if (ms > bestMs) {
      best = k;
      bestMs = ms;
    }
  }
  return best;
}

/** The instance count most ranges share (a layer runs once per inference); ties go to the larger. */
export function commonInstanceCount(ranges: readonly RangeTotals[]): number | undefined {
  const votes = new Map<number, number>();
  for (const r of ranges) if (r.instances > 0) votes.set(r.instances, (votes.get(r.instances) ?? 0) + 1);
  let best: number | undefined;
  let bestVotes = 0;
  for (const [count, v] of votes) {
    if (v > bestVotes || (v === bestVotes && count > best!)) {
      best = count;
      bestVotes = v;
    }
  }
  return best;
}
