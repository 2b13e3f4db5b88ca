// The runtime child (dist/runtime-worker.js): onnxruntime-node lives here, so a native crash or
// its memory never reaches the CLI's transform or the VS Code extension host. It answers
// RuntimeClient's requests over the IPC channel and exits when the parent disconnects.
import type * as ort from 'onnxruntime-node';
import { toWire, RuntimeRequestError } from '../errors';
import { DEFAULT_RUNS, DEFAULT_WARMUP, latencyFigures } from '../latency';
import type { ChildMessage, LatencyResult, OpenResult, ParentMessage, Progress, Request } from '../protocol';
import { adaptFeeds } from './adapt-feeds';
import { allowBinningThreads, isBinningThread, serveBinning } from './binning-worker';
import { calibrationStats } from './calibration-stats';
import { compareOutputs } from './compare-outputs';
import { runIntermediates } from './intermediates';
import { feedsToOrt, fromOrt } from './ort-tensors';
import { profileRun } from './profile-run';
import { createSession, releaseSession, runSession } from './sessions';

const sessions = new Map<number, ort.InferenceSession>();
let nextSession = 1;

const send = (m: ChildMessage): void => {
  process.send?.(m);
};

function session(id: number): ort.InferenceSession {
  const s = sessions.get(id);
  if (!s) throw new RuntimeRequestError(`session ${id} is not open`);
  return s;
}

async function handle(r: Request, progress: (p: Progress) => void): Promise<unknown> {
  switch (r.op) {
    case 'open': {
      const s = await createSession(r.modelPath, r.settings);
      const id = nextSession++;
      sessions.set(id, s);
      const meta = (m: readonly ort.InferenceSession.ValueMetadata[]) =>
        m.map((v) => (v.isTensor ? { name: v.name, type: v.type, dims: [...v.shape] } : { name: v.name }));
      return { session: id, inputs: meta(s.inputMetadata), outputs: meta(s.outputMetadata) } satisfies OpenResult;
    }
    case 'run': {
      const out = await runSession(session(r.session), feedsToOrt(r.feeds), r.outputNames);
      return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, fromOrt(k, v)]));
    }
    case 'latency': {
      const s = session(r.session);
      // The float32 samples timed on an fp16 model whose IO types changed: fed as it declares (as compareOutputs does).
      const feeds = feedsToOrt(adaptFeeds(s, r.feeds));
      for (let i = 0; i < (r.warmup ?? DEFAULT_WARMUP); i++) await runSession(s, feeds);
      const timesMs: number[] = [];
      const runs = r.runs ?? DEFAULT_RUNS;
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        await runSession(s, feeds);
        timesMs.push(performance.now() - t0);
      }
      return { ...latencyFigures(timesMs), timesMs } satisfies LatencyResult;
    }
    case 'release': {
      const s = sessions.get(r.session);
      sessions.delete(r.session);
      if (s) await releaseSession(s);
      return null;
    }
    case 'compareOutputs':
      return compareOutputs(r.reference, r.candidate, r.samples, r.settings, progress);
    case 'intermediates':
      return runIntermediates(r, progress);
    case 'calibrationStats':
      return calibrationStats(r, progress);
    case 'profile':
      return profileRun(r, progress);
  }
}

function serveRequests(): void {
  allowBinningThreads(__filename);
  process.on('message', (m: ParentMessage) => {
    void handle(m.request, (progress) => send({ id: m.id, progress })).then(
      (result) => send({ id: m.id, ok: true, result }),
      (e: unknown) => send({ id: m.id, ok: false, error: toWire(e) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
  send({ ready: true });
}

// The same script starts calibration's binning thread (binning-worker.ts).
if (isBinningThread()) serveBinning();
else serveRequests();
