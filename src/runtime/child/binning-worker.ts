// Histograms binned on a worker thread while onnxruntime computes the next sample: onnxruntime-node
// runs a session on the child's main thread (the event loop stands still meanwhile), and binning
// every activation in JavaScript costs about as much as the run itself (Entropy on ResNet-50,
// PP-OCR det). The activations move to the worker without a copy (their ArrayBuffers are
// transferred); at most two samples' values are alive at once: the one being binned and the one
// onnxruntime is producing.
import { availableParallelism, loadavg } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { ActivationStats, type ActivationStatsJSON, type ActivationStatsOptions, type Extremes } from '../activation-stats';
import type { IntermediateJob } from '../jobs/registry';

type ToWorker = { values: [string, Float32Array, Extremes | undefined][] } | { done: true };
type FromWorker = { binned: true } | { result: ActivationStatsJSON } | { error: string };

/** Set in the worker's workerData: the thread bins instead of serving requests. */
export const BINNING_WORKER = 'calibrationBinning';

let workerScript: string | undefined;

/**
 * Whether a binning thread pays: only with a core to spare beside onnxruntime's. Measured on 2
 * cores (Entropy, 1 onnxruntime thread): with the machine otherwise idle, ResNet-50 3.3× → 2.4×
 * of plain inference and PP-OCR det 4.8× → 4.3×; with 6–9 runnable processes on the 2 cores it
 * cost CPU instead (ResNet-50 3.3× → 3.6× in CPU time). So a thread where the last minute's load
 * average leaves a core free. ONNX_STUDIO_BINNING_THREAD=1 or 0 decides instead (the tests run both ways).
 */
function binningThreadPays(): boolean {
  const forced = process.env.ONNX_STUDIO_BINNING_THREAD;
  if (forced === '1' || forced === '0') return forced === '1';
  const cores = availableParallelism();
  return cores >= 2 && loadavg()[0]! < cores;
}

/** The runtime child's entry point names its script: binning threads run it (elsewhere, e.g. in-process, values are binned inline). */
export function allowBinningThreads(script: string): void {
  workerScript = script;
}

/** True on a thread started by binningJob; the child's entry point then runs `serveBinning` only. */
export function isBinningThread(): boolean {
  return !isMainThread && (workerData as Record<string, unknown> | undefined)?.[BINNING_WORKER] !== undefined;
}

/** The worker thread's loop: each message is one sample's values, answered when they are binned. */
export function serveBinning(): void {
  const port = parentPort!;
  const stats = new ActivationStats((workerData as Record<string, ActivationStatsOptions>)[BINNING_WORKER]);
  port.on('message', (m: ToWorker) => {
    try {
      if ('done' in m) port.postMessage({ result: stats.toJSON() } satisfies FromWorker);
      else {
        for (const [name, values, extremes] of m.values) stats.add(name, values, extremes);
        port.postMessage({ binned: true } satisfies FromWorker);
      }
    } catch (e) {
      port.postMessage({ error: e instanceof Error ? e.message : String(e) } satisfies FromWorker);
    }
  });
}

/**
 * collectStats' job with the binning on a worker thread running the runtime child's script
 * (undefined where allowBinningThreads was not called, or where the thread would not pay). `shared`: buffers the caller keeps
 * using (the samples' feeds), copied rather than transferred. Call `endSample` after each
 * sample's values and `finish` before `result`; `close` ends the thread in any case.
 */
export function binningJob(options: ActivationStatsOptions, shared: Set<ArrayBufferLike>): (Required<IntermediateJob> & { close(): Promise<void> }) | undefined {
  if (!workerScript || !binningThreadPays()) return undefined;
  const worker = new Worker(workerScript, { workerData: { [BINNING_WORKER]: options } });
  const replies: ((m: FromWorker) => void)[] = [];
  let failure: Error | undefined;
  const fail = (e: Error): void => {
    failure ??= e;
    for (const reply of replies.splice(0)) reply({ error: e.message });
  };
  worker.on('message', (m: FromWorker) => replies.shift()?.(m));
  worker.on('error', fail);
  worker.on('exit', () => fail(new Error('the binning thread exited')));
  const ask = (m: ToWorker, transfer: ArrayBuffer[] = []): Promise<FromWorker> => {
    // Never rejects: a failure comes back as an error reply, which `checked` throws where it is awaited.
    if (failure) return Promise.resolve({ error: failure.message });
    const reply = new Promise<FromWorker>((resolve) => replies.push(resolve));
    worker.postMessage(m, transfer);
    return reply;
  };
  const checked = async (reply: Promise<FromWorker>): Promise<FromWorker> => {
    const m = await reply;
    if ('error' in m) throw new Error(`binning calibration histograms: ${m.error}`);
    return m;
  };
  let pending: [string, Float32Array, Extremes | undefined][] = [];
  let binning: Promise<FromWorker> | undefined;
  let result: ActivationStatsJSON | undefined;
  return {
    consume: (_sample, name, values, _candidate, extremes) => {
      pending.push([name, shared.has(values.buffer) ? values.slice() : values, extremes]);
    },
    async endSample() {
      // The previous sample is binned before this one is handed over: two samples alive at most.
      if (binning) await checked(binning);
      const values = pending;
      pending = [];
      const buffers = [...new Set(values.map(([, v]) => v.buffer as ArrayBuffer))];
      binning = ask({ values }, buffers);
    },
    async finish() {
      if (pending.length) await this.endSample();
      if (binning) await checked(binning);
      const m = await checked(ask({ done: true }));
      if ('result' in m) result = m.result;
    },
    result: () => result,
    async close() {
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
  };
}
