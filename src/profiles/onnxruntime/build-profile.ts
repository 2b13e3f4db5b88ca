// ORT's node events of the measured runs summed into one layer per node that ran, each charged
// to the user's nodes by an EventPlacer. A control-flow node's layer holds only its own time
// (its subgraph's events are layers of their own), so nothing is counted twice.
import { ProfileFormatError } from '../errors';
import { finishProfile, type LayerProfile, type ProfiledLayer, type ProfileSource } from '../layer-profile';
import { median } from '../median';
import type { EventPlacer, Placement } from './placement';
import type { OrtNodeEvent, OrtRun, OrtTrace } from './trace';

export interface OrtProfileOptions {
  source: ProfileSource;
  /** Warm-up runs at the start of the trace; unknown for an imported file (then the first of ≥ 2 runs is dropped, and a warning says so). */
  warmup?: number;
}

const US_PER_MS = 1000;

export function buildOrtProfile(trace: OrtTrace, placer: EventPlacer, options: OrtProfileOptions): LayerProfile {
  const warnings: string[] = [];
  const measured = measuredRuns(trace, options.warmup, warnings);
  const file = options.source.files[0] ?? '';
  if (!measured.some((r) => r.events.some((e) => e.dur > 0))) throw new ProfileFormatError(`${file}: every node event of the measured runs lasts 0 µs; there is no time to show`, file);
  const layers = new Map<string, ProfiledLayer & { perRunUs: number[] }>();
  measured.forEach((run, r) => {
    const placed = run.events.map((e) => placer.place(e));
    let near: Neighbours | undefined;
    run.events.forEach((e, i) => {
      const p = placed[i]!;
      let layer = layers.get(p.key);
      if (!layer) {
        const charge = p.charge.overhead && p.charge.onnxNodes.length === 0 ? neighbourCharge(run.events[i]!, (near ??= nearestMapped(run.events, placed)), i) : p.charge.onnxNodes;
        layer = { name: e.node, kind: e.op || undefined, totalMs: 0, avgMs: 0, count: 0, share: 0, onnxNodes: charge, perRunUs: measured.map(() => 0) };
        if (p.charge.overhead) layer.overhead = true;
        layers.set(p.key, layer);
      }
      layer.count++;
      layer.perRunUs[r]! += e.selfUs;
      if (e.activationBytes !== undefined) layer.activationBytes = e.activationBytes;
      if (e.outputBytes !== undefined) layer.outputBytes = e.outputBytes;
    });
  });
  const n = measured.length;
  const out: ProfiledLayer[] = [...layers.values()].map(({ perRunUs, ...l }) => {
    const total = perRunUs.reduce((a, b) => a + b, 0) / US_PER_MS;
    return { ...l, totalMs: total, avgMs: total / n, ...(n > 1 ? { medianMs: median(perRunUs) / US_PER_MS } : {}) };
  });
  warnings.push(...placer.warnings());
  return finishProfile({ source: options.source, inferences: n, layers: out, warnings });
}

function measuredRuns(trace: OrtTrace, warmup: number | undefined, warnings: string[]): OrtRun[] {
  const runs = trace.runs;
  if (!trace.hasRunEvents) {
    warnings.push('the profile has no model_run events: all node events are taken as one run, warm-up included');
    return runs;
  }
  if (warmup === undefined) {
    if (runs.length < 2) return runs;
    warnings.push(`assumed the first of the profile's ${runs.length} runs was warm-up and left it out`);
    return runs.slice(1);
  }
  if (warmup >= runs.length) {
    warnings.push(`the profile has ${runs.length} run(s), not more than the ${warmup} warm-up run(s): every run is used`);
    return runs;
  }
  return runs.slice(warmup);
}

interface Neighbours {
  /** Per event: the charge of the nearest mapped event before it, and after it, under the same parent. */
  before: (string[] | undefined)[];
  after: (string[] | undefined)[];
}

/** One pass each way over a run (a scan per inserted node would cost the square of the run). */
function nearestMapped(events: OrtNodeEvent[], placed: Placement[]): Neighbours {
  const before: (string[] | undefined)[] = new Array(events.length);
  const after: (string[] | undefined)[] = new Array(events.length);
  let last = new Map<unknown, string[]>();
  for (let k = 0; k < events.length; k++) {
    before[k] = last.get(events[k]!.parent);
    if (placed[k]!.charge.onnxNodes.length > 0) last.set(events[k]!.parent, placed[k]!.charge.onnxNodes);
  }
  last = new Map();
  for (let k = events.length - 1; k >= 0; k--) {
    after[k] = last.get(events[k]!.parent);
    if (placed[k]!.charge.onnxNodes.length > 0) last.set(events[k]!.parent, placed[k]!.charge.onnxNodes);
  }
  return { before, after };
}

/** An inserted node's time goes to the node it serves: the one before it for ReorderOutput, else the next one that maps (then the one before). */
function neighbourCharge(event: OrtNodeEvent, near: Neighbours, i: number): string[] {
  const reorderOutput = event.op === 'ReorderOutput' || event.node.startsWith('ReorderOutput');
  return (reorderOutput ? near.before[i] ?? near.after[i] : near.after[i] ?? near.before[i]) ?? [];
}
