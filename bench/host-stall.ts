// The extension host's longest event-loop stall while a 1M-node model opens: the document
// loader as the graph editor runs it (GraphDocument + its model worker, up to the first graph
// message), beside the old synchronous path (open + infer + payload on the host's thread).
// Each path runs in a fresh child process; the stall is perf_hooks' event-loop delay maximum.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { GraphDocument } from '../src/extension/graph-document';
import { graphPayload, modelInfo } from '../src/extension/graph-payload';
import { inferModel } from '../src/onnx/infer/infer';
import { openModel } from '../src/onnx/open';

const ROOT = join(__dirname, '..', '..');
const RESOLUTION_MS = 10;

interface StallSample {
  /** From starting the open to the first graph message being ready. */
  openMs: number;
  stallMs: number;
}

/** Child-process side: opens `path` the chosen way under an event-loop delay monitor, prints {openMs, stallMs}. */
export async function hostStallChild(kind: string, path: string): Promise<void> {
  const monitor = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  monitor.enable();
  await tick();
  const start = performance.now();
  if (kind === 'worker') {
    const doc = new GraphDocument({ fsPath: path } as ConstructorParameters<typeof GraphDocument>[0], { workerScript: join(ROOT, 'dist', 'model-worker.js') });
    await doc.graph(''); // what the editor sends first
    doc.dispose();
  } else {
    const model = openModel(path);
    modelInfo(path, model);
    graphPayload(model.graph, inferModel(model));
    model.close();
  }
  const openMs = performance.now() - start;
  await tick();
  monitor.disable();
  process.stdout.write(JSON.stringify({ openMs, stallMs: monitor.max / 1e6 } satisfies StallSample));
}

/** A few monitor periods, so a stall at the end is recorded. */
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 3 * RESOLUTION_MS));

function measure(script: string, kind: string, path: string): StallSample | undefined {
  const r = spawnSync(process.execPath, [script, '--host-stall', kind, path], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(r.stderr.trim().split('\n').pop());
    return undefined;
  }
  return JSON.parse(r.stdout) as StallSample;
}

/** Table rows for `npm run bench`: the worker path and the old synchronous one. */
export function hostStallRows(script: string): string[][] {
  const path = join(ROOT, '.cache', 'bench', 'net-flat-1m.onnx');
  const rows = [['path (net-flat-1m.onnx, 1M nodes)', 'open to first graph message ms', 'longest event-loop stall ms']];
  if (!existsSync(path)) return [...rows, ['missing: node scripts/gen-networks.mjs', '', '']];
  const fmt = (x: number | undefined): string => (x === undefined ? 'n/a' : x.toFixed(0));
  for (const [label, kind] of [['model worker (GraphDocument)', 'worker'], ['synchronous on the host (before)', 'sync']] as const) {
    const s = measure(script, kind, path);
    rows.push([label, fmt(s?.openMs), fmt(s?.stallMs)]);
  }
  return rows;
}
