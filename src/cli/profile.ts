import { join, resolve } from 'node:path';
import { parseArgs as parseNodeArgs } from 'node:util';
import type { Model } from '../onnx/model/graph';
import { ProfileFormatError } from '../profiles/errors';
import { importProfile } from '../profiles/import';
import { likelyOtherModel, profileJson, type LayerProfile } from '../profiles/layer-profile';
import { MAX_ORT_PROFILE_BYTES } from '../profiles/onnxruntime/read-trace';
import { ortRunProfile } from '../profiles/onnxruntime/run-profile';
import { RuntimeClient } from '../runtime/client';
import { OrtError, RuntimeCrashError, RuntimeRequestError } from '../runtime/errors';
import { InputOptionsError, modelInputSpecs, openInputFolder } from '../runtime/input-files';
import { synthesizeInputs } from '../runtime/synthesize';
import type { Sample, SessionSettings } from '../runtime/types';
import { parseArgs, UsageError } from './args';
import { CliError, EXIT_UNREADABLE, loadModel, withFile } from './load';
import { printable } from './printable';
import { matchedLayers, profileTable, summary } from './profile-table';
import { numberOption, threadsOption } from './transform-command';

export const profileUsage =
  'onnx-studio profile MODEL [--runs N] [--warmup N] [--opt-level disabled|basic|extended|all] [--threads N] [--inputs DIR] [--json]   per-layer ONNX Runtime profile\n  onnx-studio profile --import FILE... --model MODEL [--json]   a profile from ONNX Runtime, trtexec or nsys mapped onto MODEL';

const OPTIONS = {
  runs: { type: 'string' },
  warmup: { type: 'string' },
  'opt-level': { type: 'string' },
  threads: { type: 'string' },
  inputs: { type: 'string' },
  json: { type: 'boolean' },
  import: { type: 'boolean' },
  model: { type: 'string' },
} as const;

const OPT_LEVELS = ['disabled', 'basic', 'extended', 'all'] as const;
const DEFAULT_RUNS = 10;
const DEFAULT_WARMUP = 1;
/** ORT records every node of every run: beyond this the trace outgrows what can be read back. */
const MAX_RUNS = 10_000;
/** Samples read from --inputs (the runs cycle through them): all are held in memory and sent to the runtime. */
const MAX_SAMPLES = 32;
const EXIT_FEW_MAPPED = 1;

/**
 * `profile`: runs the model in onnxruntime-node with profiling on (progress on stderr) or
 * imports profile files, and prints the per-layer table (or, with --json, profileJson's one
 * document). Exit 0 read, 1 under half the time maps to the model, 2 an unusable file or a
 * model ORT refuses, 64 bad usage.
 */
export async function runProfile(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const { values: v, positionals } = parseArgs(argv, OPTIONS, profileUsage, countPositionals(argv));
  const json = !!v.json;
  let modelPath: string;
  let profile: () => Promise<LayerProfile>;
  let model: Model;
  let subject: string;
  if (v.import) {
    for (const k of ['runs', 'warmup', 'opt-level', 'threads', 'inputs'] as const) if (v[k] !== undefined) throw new UsageError(`--${k} is for a profile run, not --import\nusage: ${profileUsage}`);
    if (!v.model) throw new UsageError(`--import needs --model MODEL (the model the profile is mapped onto)\nusage: ${profileUsage}`);
    if (positionals.length === 0) throw new UsageError(`--import needs the profile file(s)\nusage: ${profileUsage}`);
    modelPath = resolve(v.model);
    model = loadModel(modelPath);
    const files = positionals.map((f) => resolve(f));
    subject = files[0]!;
    profile = () => importProfile(files, model);
  } else {
    if (v.model !== undefined) throw new UsageError(`--model is for --import; a profile run takes the model as its argument\nusage: ${profileUsage}`);
    if (positionals.length !== 1) throw new UsageError(`usage: ${profileUsage}`);
    const runs = numberOption(v.runs, 'runs', { min: 1, max: MAX_RUNS, integer: true }) ?? DEFAULT_RUNS;
    const warmup = numberOption(v.warmup, 'warmup', { min: 0, max: MAX_RUNS, integer: true }) ?? DEFAULT_WARMUP;
    const level = v['opt-level'] ?? 'all';
    if (!(OPT_LEVELS as readonly string[]).includes(level)) throw new UsageError(`--opt-level must be one of ${OPT_LEVELS.join(', ')}, not '${level}'\nusage: ${profileUsage}`);
    const settings: SessionSettings = { optimization: level as SessionSettings['optimization'], threads: threadsOption(v.threads) };
    modelPath = resolve(positionals[0]!);
    model = loadModel(modelPath);
    const m = model;
    subject = modelPath;
    checkTraceSize(m, warmup + runs);
    profile = () => runOrtProfile(modelPath, m, { runs, warmup, settings, inputs: v.inputs }, err);
  }
  try {
    const p = await classify(subject, profile);
    for (const w of p.warnings) err(`warning: ${printable(w)}`);
    const label = (id: string): string => model.node(id)?.name || id;
    if (json) out(JSON.stringify(profileJson(p), null, 2));
    else out(profileTable(p, modelPath, label));
    if (!likelyOtherModel(p)) return 0;
    const matched = p.layers.filter((l) => l.onnxNodes.length > 0).length;
    // Prefixed like the CLI's errors, so the extension shows this message (cli-message.ts); the table already ends with the summary.
    if (json) err(summary(p, modelPath));
    err(`onnx-studio profile: only ${matched} of ${p.layers.length} layer(s), ${(p.mappedShare * 100).toFixed(1)} % of the time, matched nodes of ${printable(modelPath)}: is the profile of another model?${matched ? `\nmatched:\n${matchedLayers(p, label)}` : ''}`);
    return EXIT_FEW_MAPPED;
  } finally {
    model.close();
  }
}

/** What ORT writes per node and run into its trace, about (measured: ~640 bytes): the estimate below takes less, so it never refuses a run that fits. */
const TRACE_BYTES_PER_NODE_RUN = 500;

/** Refuses, before running, a run count whose trace could not be read (each node of every graph at least once a run). */
function checkTraceSize(model: Model, runs: number): void {
  let nodes = 0;
  for (const g of model.graphs()) nodes += g.nodes.length;
  const most = Math.floor(MAX_ORT_PROFILE_BYTES / (TRACE_BYTES_PER_NODE_RUN * Math.max(nodes, 1)));
  if (runs > most) throw new UsageError(`--warmup + --runs ${runs}: ONNX Runtime's trace of ${nodes} nodes would pass the ${MAX_ORT_PROFILE_BYTES / 2 ** 20} MiB read here; at most about ${most} runs for this model`);
}

interface RunOptions {
  runs: number;
  warmup: number;
  settings: SessionSettings;
  inputs?: string;
}

async function runOrtProfile(modelPath: string, model: Model, o: RunOptions, err: (s: string) => void): Promise<LayerProfile> {
  const samples = inputSamples(model, o.inputs, Math.min(o.warmup + o.runs, MAX_SAMPLES), err);
  err(`profile: starting onnxruntime (optimization ${o.settings.optimization}, ${o.settings.threads ?? 1} thread(s))`);
  const client = await RuntimeClient.start({ workerScript: join(__dirname, 'runtime-worker.js') });
  try {
    const run = await client.profile(modelPath, samples, o, (p) => err(`profile: ${p.what}`));
    try {
      const settings = { optimization: o.settings.optimization ?? 'all', threads: o.settings.threads ?? 1, warmup: o.warmup, runs: o.runs, inputs: o.inputs ? resolve(o.inputs) : 'synthesized', model: modelPath };
      return ortRunProfile({ ...run, warmup: o.warmup, settings }, model);
    } catch (e) {
      // The trace is a temp file the user never named: a trace too large to read is about --runs (Loop bodies run many times).
      if (e instanceof ProfileFormatError && e.path === run.profileFile) throw new CliError(`ONNX Runtime's trace of ${o.warmup + o.runs} runs cannot be read: ${e.message.slice(e.path.length + 2)}`, EXIT_UNREADABLE);
      throw e;
    } finally {
      run.remove();
    }
  } finally {
    await client.close();
  }
}

/** The samples the runs cycle through: read from --inputs (as many as there are runs, at most MAX_SAMPLES), or one synthesized sample. */
function inputSamples(model: Model, folder: string | undefined, wanted: number, err: (s: string) => void): Sample[] {
  const specs = modelInputSpecs(model);
  if (!folder) {
    const s = synthesizeInputs(specs, { count: 1 });
    err(`profile: synthesized inputs (${s.notes.join('; ') || 'shapes from the model'})`);
    return s.samples;
  }
  return withFile(folder, () => {
    const data = openInputFolder(folder, specs, { onWarning: (w) => err(`warning: ${w}`) });
    err(`profile: inputs: ${data.description}`);
    const samples: Sample[] = [];
    for (const s of data.samples()) {
      samples.push(s);
      if (samples.length >= wanted) break;
    }
    return samples;
  });
}

/** ORT's refusal of the model, a runtime that died, an unreadable profile: one line, exit 2. Input options ORT cannot be fed from: exit 64. */
async function classify(path: string, work: () => Promise<LayerProfile>): Promise<LayerProfile> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof InputOptionsError) throw new UsageError(e.message);
    if (e instanceof ProfileFormatError) throw new CliError(e.message, EXIT_UNREADABLE);
    if (e instanceof OrtError || e instanceof RuntimeRequestError || e instanceof RuntimeCrashError) throw new CliError(`${path}: ${e.message}`, EXIT_UNREADABLE);
    return withFile(path, () => {
      throw e;
    });
  }
}

/** Positionals as Node's parser sees them (a profile run takes one model; --import takes files). */
function countPositionals(argv: string[]): number {
  try {
    return parseNodeArgs({ args: argv, options: OPTIONS, strict: false, allowPositionals: true }).positionals.length;
  } catch {
    return 1;
  }
}
