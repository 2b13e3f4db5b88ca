// npm run bench, pruning (issue 11): channel pruning at 30 % (parameters, ORT CPU latency before
// and after, alternating), and the sensitivity scan at a target cosine against the best uniform
// ratio that meets the same target. Every figure from the CLI's --json report or onnxruntime.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openModel } from '../src/onnx/open';
import { RuntimeClient } from '../src/runtime/client';
import { modelInputSpecs } from '../src/runtime/input-files/input-spec';
import { synthesizeInputs } from '../src/runtime/synthesize';
import type { Feeds } from '../src/runtime/types';
import type { TransformReport } from '../src/optimize/report';

export interface PruneCase {
  label: string;
  model: string;
  /** Calibration and held-out folders for the scan and the cosine figures. */
  calib: string;
  eval: string;
}

/** Latency rounds (before, after, before, …), each the median of ROUND_RUNS runs; the figure is the median of the rounds. */
const ROUNDS = Number(process.env.BENCH_PRUNE_ROUNDS ?? 10);
const ROUND_RUNS = 5;
const UNIFORM_RATIOS = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7];
const TARGET = 0.95;

function cli(root: string, args: string[]): { report?: TransformReport; status: number | null; seconds: number; error?: string } {
  const t = performance.now();
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = (performance.now() - t) / 1000;
  if (r.status !== 0 && r.status !== 1) return { status: r.status, seconds, error: r.stderr.trim().split('\n').slice(-1)[0] };
  return { report: JSON.parse(r.stdout) as TransformReport, status: r.status, seconds };
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** ORT CPU latency of two models (1 thread, same session options), alternating rounds so that drift hits both alike. */
async function alternatingLatency(root: string, before: string, after: string): Promise<{ before: number; after: number }> {
  const model = openModel(before);
  const feeds: Feeds = synthesizeInputs(modelInputSpecs(model), { count: 1 }).samples[0]!.feeds;
  model.close();
  const client = await RuntimeClient.start({ workerScript: join(root, 'dist', 'runtime-worker.js') });
  try {
    const a = await client.open(before, { threads: 1 });
    const b = await client.open(after, { threads: 1 });
    const times: { before: number[]; after: number[] } = { before: [], after: [] };
    await a.latency(feeds, { warmup: 3, runs: 1 });
    await b.latency(feeds, { warmup: 3, runs: 1 });
    for (let i = 0; i < ROUNDS; i++) {
      times.before.push((await a.latency(feeds, { warmup: 0, runs: ROUND_RUNS })).median);
      times.after.push((await b.latency(feeds, { warmup: 0, runs: ROUND_RUNS })).median);
    }
    await a.release();
    await b.release();
    return { before: median(times.before), after: median(times.after) };
  } finally {
    await client.close();
  }
}

const worst = (r: TransformReport): number => Math.min(...r.outputs.map((o) => o.cosine));
const f = (x: number | undefined, d = 0): string => (x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(d));
const m = (n: number | undefined): string => (n === undefined ? 'n/a' : (n / 1e6).toFixed(3));

/** Channel pruning at 0.3: parameters, worst held-out cosine (before fine-tuning), ORT CPU latency median before/after. */
export async function channelRows(root: string, cases: PruneCase[]): Promise<string[][]> {
  const rows = [['model', 'params M before', 'after', 'fewer %', 'pruned layers', 'skipped', 'worst cosine (eval, no fine-tuning)', 'ORT CPU ms before', 'after', 'after/before', 'prune s']];
  const dir = mkdtempSync(join(tmpdir(), 'bench-prune-'));
  try {
    for (const c of cases) {
      if (!existsSync(c.model)) {
        rows.push([c.label, 'missing']);
        continue;
      }
      const out = join(dir, 'pruned.onnx');
      const r = cli(root, ['prune', c.model, '--method', 'channels', '--ratio', '0.3', '--eval', c.eval, '-o', out, '--json']);
      if (!r.report) {
        rows.push([c.label, `error: ${r.error}`]);
        continue;
      }
      const p = r.report;
      const lat = await alternatingLatency(root, c.model, out);
      rows.push([c.label, m(p.parametersBefore), m(p.parametersAfter), f(100 * (1 - p.parametersAfter! / p.parametersBefore!), 1), String(p.prune?.prunedLayers.length), String(p.prune?.skippedLayers.length), f(worst(p), 4), f(lat.before, 2), f(lat.after, 2), f(lat.after / lat.before, 3), f(r.seconds, 1)]);
      rmSync(out, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/** The sensitivity scan at TARGET against the largest uniform ratio whose held-out worst cosine meets TARGET. */
export function scanRows(root: string, cases: PruneCase[], method: 'channels' | 'unstructured' = 'channels'): string[][] {
  const rows = [['model', 'method', 'uniform ratio meeting 0.95', 'params after (nonzero for unstructured)', 'scan: params after', 'scan cosine (calib / eval)', 'scan variants', 'scan s', 'scan removes more']];
  const dir = mkdtempSync(join(tmpdir(), 'bench-prune-scan-'));
  const kept = (r: TransformReport): number => (method === 'channels' ? r.parametersAfter! : r.parametersAfter! - Math.round(r.sparsity! * r.prune!.prunedLayers.reduce((s, l) => s + l.elementsAfter, 0)));
  try {
    for (const c of cases) {
      if (!existsSync(c.model)) continue;
      let best: { ratio: number; report: TransformReport } | undefined;
      for (const ratio of UNIFORM_RATIOS) {
        const r = cli(root, ['prune', c.model, '--method', method, '--ratio', String(ratio), '--eval', c.eval, '-o', join(dir, 'u.onnx'), '--json']);
        if (!r.report || !(worst(r.report) >= TARGET)) break;
        best = { ratio, report: r.report };
      }
      const s = cli(root, ['prune', c.model, '--method', method, '--target-cosine', String(TARGET), '--calib', c.calib, '--eval', c.eval, '-o', join(dir, 's.onnx'), '--json']);
      const scan = s.report;
      rows.push([
        c.label,
        method,
        best ? String(best.ratio) : 'none',
        best ? m(kept(best.report)) : 'n/a',
        scan ? m(kept(scan)) : `error: ${s.error}`,
        scan ? `${f(scan.prune?.sensitivity?.cosineChosen, 4)} / ${f(worst(scan), 4)}` : '',
        scan ? String(scan.details.sensitivityVariants) : '',
        f(s.seconds, 0),
        scan && best ? String(kept(scan) < kept(best.report)) : scan ? 'true (no uniform ratio meets it)' : '',
      ]);
      for (const name of ['u.onnx', 's.onnx']) rmSync(join(dir, name), { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
