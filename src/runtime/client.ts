import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { OutputAccuracy } from './types';
import { fromWire, RuntimeCrashError } from './errors';
import { DEFAULT_RUNS, DEFAULT_WARMUP, type LatencyOptions } from './latency';
import type { ActivationStatsJSON } from './activation-stats';
import type { CalibrationStatsSpec, ChildMessage, IntermediatesResult, JobSpec, LatencyResult, OpenResult, ParentMessage, ProfileRunResult, Progress, Request, ResultOf, ValueMetadata } from './protocol';
import { makeTempFolder } from '../onnx/io/temp-folder';
import type { FeedTensor, Feeds, Sample, SessionSettings } from './types';

/** dist/runtime-worker.js, for code bundled into dist/ (the CLI, the extension): it sits beside them. */
export const bundledWorkerScript = (): string => join(__dirname, 'runtime-worker.js');

export interface RuntimeStartOptions {
  /** The bundled child, dist/runtime-worker.js (bundledWorkerScript() from dist/cli.js or dist/extension.js). */
  workerScript: string;
  /** Bound on the child's start (loading onnxruntime's native library); default 60 s. */
  startTimeoutMs?: number;
}

export interface IntermediatesOptions {
  job: JobSpec;
  settings?: SessionSettings;
  /** Value names exposed per session; default 256. */
  perPass?: number;
  /** Bytes of exposed values per session for one sample (sized by shape inference); default 256 MiB. */
  maxBytesPerPass?: number;
  onProgress?: (p: Progress) => void;
}

export interface ProfileOptions {
  settings?: SessionSettings;
  warmup: number;
  runs: number;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onProgress?: (p: Progress) => void;
}

/** How long close() waits for the child to exit before killing it, and then for the kill. */
const EXIT_WAIT_MS = 5000;
const STDERR_TAIL = 4000;

/**
 * The child copies every calibrated activation out of onnxruntime (PP-OCR det: 155 MB a sample)
 * and frees it a sample later. By default glibc maps buffers of a few MB afresh and hands them
 * back on free, so each sample faults in and zeroes new pages: a fifth of det's Entropy
 * calibration. The child lives for one command, so it keeps freed memory for reuse (up to its
 * peak, which it reaches anyway). Other C libraries ignore the variable; a user's own setting wins.
 */
const KEEP_FREED_MEMORY = 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296';

/**
 * The typed client of the runtime child. Every request settles: with its result, with an
 * OrtError (ORT's message), a RuntimeRequestError, or a RuntimeCrashError when the child dies.
 */
export class RuntimeClient {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exited: RuntimeCrashError | undefined;
  private closing = false;
  private stderr = '';
  private readonly exit: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (s: string) => {
      this.stderr = (this.stderr + s).slice(-STDERR_TAIL);
    });
    child.on('message', (m: ChildMessage) => this.onMessage(m));
    this.exit = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = this.closing ? new RuntimeCrashError('the onnxruntime process was closed', code, signal) : crashError(code, signal, this.stderr);
        for (const p of this.pending.values()) p.reject(this.exited);
        this.pending.clear();
        resolve();
      });
    });
    // An IPC write to a dying child fails here; 'exit' settles the requests.
    child.on('error', () => {});
    // The CLI exits through process.exit on SIGTERM/SIGINT: the child would otherwise run on until its current job ends.
    const killOnExit = (): void => void child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
  }

  /** Forks the child (plain node for the CLI; VS Code's own binary run as node in the extension host) and waits until onnxruntime has loaded. */
  static async start(options: RuntimeStartOptions): Promise<RuntimeClient> {
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (process.versions.electron) env.ELECTRON_RUN_AS_NODE = '1';
    env.GLIBC_TUNABLES ??= KEEP_FREED_MEMORY;
    const child = fork(options.workerScript, [], {
      execPath: process.execPath,
      execArgv: [],
      env,
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const client = new RuntimeClient(child);
    await client.ready(options.startTimeoutMs ?? 60_000);
    return client;
  }

  private ready(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(new RuntimeCrashError(`the runtime process did not start within ${timeoutMs / 1000} s`, null, null));
      }, timeoutMs);
      const onReady = (m: ChildMessage): void => {
        if (!('ready' in m)) return;
        clearTimeout(timer);
        this.child.off('message', onReady);
        resolve();
      };
      this.child.on('message', onReady);
      void this.exit.then(() => {
        clearTimeout(timer);
        reject(this.exited);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Opens a session on a model file; external data is found beside the model. */
  async open(modelPath: string, settings: SessionSettings = {}): Promise<RuntimeSession> {
    const r = await this.request({ op: 'open', modelPath, settings });
    return new RuntimeSession(this, r);
  }

  /** Both models on every sample; per output the worst and mean sample figures (the report's `outputs`). */
  compareOutputs(reference: string, candidate: string, samples: Sample[], settings: SessionSettings = {}, onProgress?: (p: Progress) => void): Promise<OutputAccuracy[]> {
    return this.request({ op: 'compareOutputs', reference, candidate, samples, settings }, onProgress);
  }

  /** Latency of one model on one sample's feeds: a session with `settings`, warm-up, timed runs, released (use the same settings before and after a transform). */
  async latency(modelPath: string, feeds: Feeds, settings: SessionSettings = {}, options: LatencyOptions = {}): Promise<LatencyResult> {
    const s = await this.open(modelPath, settings);
    try {
      return await s.latency(feeds, options);
    } finally {
      await s.release().catch(() => null);
    }
  }

  /** Intermediate values fed to a job inside the child, in passes (one session each) bounded in names and bytes; only the job's result comes back. */
  intermediates<R = unknown>(modelPath: string, names: string[], samples: Sample[], options: IntermediatesOptions): Promise<IntermediatesResult<R>> {
    const request: Request = { op: 'intermediates', modelPath, names, samples, settings: options.settings ?? {}, limits: { maxNames: options.perPass, maxBytes: options.maxBytesPerPass }, job: options.job };
    return this.request(request, options.onProgress) as Promise<IntermediatesResult<R>>;
  }

  /**
   * Calibration statistics of `names` over the samples (ActivationStats' JSON): MinMax and
   * symmetric Percentile summarized inside onnxruntime's graph, the rest binned in the child.
   */
  calibrationStats(modelPath: string, names: string[], samples: Sample[], spec: CalibrationStatsSpec, options: Omit<IntermediatesOptions, 'job'> = {}): Promise<IntermediatesResult<ActivationStatsJSON>> {
    const request: Request = { op: 'calibrationStats', modelPath, names, samples, spec, settings: options.settings ?? {}, limits: { maxNames: options.perPass, maxBytes: options.maxBytesPerPass } };
    return this.request(request, options.onProgress) as Promise<IntermediatesResult<ActivationStatsJSON>>;
  }

  /**
   * A profiled session on `modelPath` (ORT's profiling JSON and its optimized graph), written
   * into a temp folder outside the user's folders; `remove()` deletes it (it also goes when
   * this process exits).
   */
  async profile(modelPath: string, samples: Sample[], options: ProfileOptions, onProgress?: (p: Progress) => void): Promise<ProfileRunResult & { remove: () => void }> {
    const folder = makeTempFolder('onnx-studio-profile');
    try {
      const r = await this.request({ op: 'profile', modelPath, samples, settings: options.settings ?? {}, warmup: options.warmup, runs: options.runs, folder: folder.path }, onProgress);
      return { ...r, remove: folder.remove };
    } catch (e) {
      folder.remove();
      throw e;
    }
  }

  /** @internal for RuntimeSession */
  request<K extends Request['op']>(request: Extract<Request, { op: K }>, onProgress?: (p: Progress) => void): Promise<ResultOf[K]> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise<ResultOf[K]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
      const message: ParentMessage = { id, request };
      try {
        this.child.send(message);
      } catch {
        // The channel is closed: the child is exiting, and 'exit' rejects this request.
      }
    });
  }

  private onMessage(m: ChildMessage): void {
    if ('ready' in m) return;
    const p = this.pending.get(m.id);
    if (!p) return;
    if ('progress' in m) return p.onProgress?.(m.progress);
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(fromWire(m.error));
  }

  /** Ends the child: asks it to exit, kills it if it has not within 5 s; open requests fail with RuntimeCrashError. */
  async close(): Promise<void> {
    if (this.exited) return;
    this.closing = true;
    if (this.child.connected) this.child.disconnect();
    if (await within(this.exit, EXIT_WAIT_MS)) return;
    this.child.kill('SIGKILL');
    await within(this.exit, EXIT_WAIT_MS);
  }

  /** Kills the child at once (cancel): open requests fail with RuntimeCrashError. */
  kill(): void {
    this.child.kill('SIGKILL');
  }
}

/** An open ORT session in the child. */
export class RuntimeSession {
  readonly id: number;
  readonly inputs: ValueMetadata[];
  readonly outputs: ValueMetadata[];
  constructor(
    private readonly client: RuntimeClient,
    r: OpenResult,
  ) {
    this.id = r.session;
    this.inputs = r.inputs;
    this.outputs = r.outputs;
  }
  get inputNames(): string[] {
    return this.inputs.map((v) => v.name);
  }
  get outputNames(): string[] {
    return this.outputs.map((v) => v.name);
  }
  run(feeds: Feeds, outputNames?: string[]): Promise<Record<string, FeedTensor>> {
    return this.client.request({ op: 'run', session: this.id, feeds, outputNames });
  }
  /** Warm-up runs, then `runs` timed runs of the same feeds; median and p90 in ms. */
  latency(feeds: Feeds, options: LatencyOptions = {}): Promise<LatencyResult> {
    return this.client.request({ op: 'latency', session: this.id, feeds, warmup: options.warmup ?? DEFAULT_WARMUP, runs: options.runs ?? DEFAULT_RUNS });
  }
  release(): Promise<null> {
    return this.client.request({ op: 'release', session: this.id });
  }
}

function crashError(code: number | null, signal: NodeJS.Signals | null, stderr: string): RuntimeCrashError {
  const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
  // Node prints the source line and a caret before the error; the error's own line says why.
  const lines = stderr.trim().split('\n');
  const tail = (lines.find((l) => /^\w*Error\b/.test(l)) ?? lines[lines.length - 1] ?? '').trim();
  return new RuntimeCrashError(`the onnxruntime process ${how}${tail ? `: ${tail}` : ''}`, code, signal);
}

async function within(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const done = await Promise.race([p.then(() => true), timeout]);
  clearTimeout(timer);
  return done;
}
