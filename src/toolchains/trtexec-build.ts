// Builds a TensorRT engine with trtexec, for the CLI (`onnx-studio build`) and the editor's
// "Build TensorRT Engine…": learn the version and the flags from the installed trtexec's own
// `--help`, check the user's options against them, run the build through runTool, and put the
// engine (and the profiling exports) beside the model only when the build succeeded.
import { closeSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { openRegularFile } from '../onnx/io/regular-file';
import { checkWritable } from '../onnx/io/write-file';
import { runTool } from './run-tool';
import { commitOutput, discardOutput, openLogWriter, pendingOutput, wasWritten, type PendingOutput } from './run-outputs';
import { checkTrtexecOptions, parseTrtexecHelp, parseTrtexecVersion, type OptionProblem, type TrtexecSchema } from './trtexec-flags';
import { TRTEXEC_HELP_10_16 } from './trtexec-help-10.16';
import { TrtexecLogReader, type PerformanceSummary } from './trtexec-log';

/**
 * `fp32`: TensorRT 10 without a precision flag; `fp16`/`int8`/`best`: TensorRT 10's
 * `--fp16`/`--int8`/`--best`; `typed`: a strongly typed network, where the precision comes from
 * the model (`--stronglyTyped` on 10; always on 11, which removed the precision flags, so `typed`
 * is the only precision 11 takes).
 */
export type EnginePrecision = 'fp32' | 'fp16' | 'int8' | 'best' | 'typed';
export const ENGINE_PRECISIONS: readonly EnginePrecision[] = ['fp32', 'fp16', 'int8', 'best', 'typed'];

/** The precisions a trtexec with this schema takes: all of them on 10, `typed` only on 11. */
export function enginePrecisions(schema: TrtexecSchema): EnginePrecision[] {
  return schema.flags.has('--fp16') ? [...ENGINE_PRECISIONS] : ['typed'];
}

/** Bad options for this trtexec: the CLI exits 64 with the problems, the editor shows them. */
export class TrtexecUsageError extends Error {
  override name = 'TrtexecUsageError';
  constructor(readonly problems: OptionProblem[]) {
    super(problems.map((p) => p.message).join('\n'));
  }
}

export interface TrtexecProbe {
  /** `10.16.1`; undefined when the first line had no `[TensorRT vMMmmpp]`. */
  version?: string;
  schema: TrtexecSchema;
  /** Where the flags come from: the tool's own help, or the help of TensorRT 10.16 kept here. */
  schemaSource: 'tool-help' | 'builtin-10.16';
  warnings: string[];
}

/**
 * TensorRT 11 removed the precision flags and --calib (all networks are strongly typed):
 * https://docs.nvidia.com/deeplearning/tensorrt/latest/api/migration/tensorrt-10x-to-11x-trtexec.html
 * ("Removed --fp16 (and --bf16, --fp8, --int4, --best)"; "removes the --int8 and --calib flags").
 */
const REMOVED_IN_11 = ['--fp16', '--bf16', '--int8', '--fp8', '--int4', '--best', '--calib'];

/** Help texts kept here, newest last: used when the installed tool's help cannot be read. */
const BUILTIN_HELP = [{ major: 10, text: TRTEXEC_HELP_10_16, source: 'builtin-10.16' as const }];

/** The probe could not tell what the program takes: it hung, or it is not trtexec at all. */
export class TrtexecProbeError extends Error {
  override name = 'TrtexecProbeError';
}

/** Flags every trtexec lists: a help naming none of them (and no version) is another program's. */
const CORE_FLAGS = ['--onnx', '--saveEngine', '--loadEngine'];

export interface ProbeOptions {
  /** Resolves when the probe should stop (its process group is ended); the result is then of no use. */
  cancel?: Promise<void>;
  /** How long `--help` may take before the probe gives up with a TrtexecProbeError (default: no limit). */
  timeoutMs?: number;
}

/**
 * Runs `trtexec --help` (quick, no GPU work): trtexec has no --version; every run's first line
 * carries `[TensorRT vMMmmpp]`. The flags come from that same help when it lists them.
 */
export async function probeTrtexec(trtexec: string, opts: ProbeOptions = {}): Promise<TrtexecProbe> {
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = opts.timeoutMs === undefined ? undefined : new Promise<void>((resolve) => (timer = setTimeout(() => ((timedOut = true), resolve()), opts.timeoutMs)));
  const cancel = timeout && opts.cancel ? Promise.race([timeout, opts.cancel]) : (timeout ?? opts.cancel);
  let run;
  try {
    // --help writes nothing to clean up: a program that ignores SIGTERM is killed after 1 s.
    run = await runTool(trtexec, ['--help'], { cancel, killAfterMs: 1000 });
  } finally {
    clearTimeout(timer);
  }
  if (timedOut) throw new TrtexecProbeError(`${trtexec} --help did not finish within ${opts.timeoutMs! / 1000} s (is it trtexec, and does it start?)`);
  const text = run.stdout + (run.stdout.endsWith('\n') || !run.stdout ? '' : '\n') + run.stderr;
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const version = parseTrtexecVersion(firstLine);
  const own = parseTrtexecHelp(text);
  if (own.flags.has('--onnx') && own.flags.has('--saveEngine')) return { version, schema: { ...own, version }, schemaSource: 'tool-help', warnings: [] };
  if (!run.cancelled && !version && !CORE_FLAGS.some((f) => own.flags.has(f))) {
    throw new TrtexecProbeError(`${trtexec} does not look like trtexec: its --help printed no TensorRT version line and none of trtexec's flags (${CORE_FLAGS.join(', ')})`);
  }
  const warnings: string[] = [];
  const major = version ? Number(version.split('.')[0]) : undefined;
  let builtin = BUILTIN_HELP.find((h) => h.major === major);
  if (!builtin) {
    builtin = BUILTIN_HELP[BUILTIN_HELP.length - 1]!;
    const less = major !== undefined && major >= 11 ? ' less the precision flags TensorRT 11 removed' : '';
    warnings.push(`${version ? `TensorRT ${version}` : 'the TensorRT version'} is not known here and its --help could not be read: options are checked against TensorRT 10.16's flags${less}`);
  }
  const schema = parseTrtexecHelp(builtin.text);
  if (major !== undefined && major >= 11) for (const flag of REMOVED_IN_11) schema.flags.delete(flag);
  return { version, schema: { ...schema, version: version ?? schema.version }, schemaSource: builtin.source, warnings };
}

export interface EngineBuildRequest {
  model: string;
  precision?: EnginePrecision;
  /** Export per-layer information, profile and times (`--profilingVerbosity=detailed`). */
  profile?: boolean;
  /** Options passed to trtexec as given, checked against the schema first. */
  extraArgs?: readonly string[];
}

export interface EngineOutputs {
  engine: string;
  layers?: string;
  profile?: string;
  times?: string;
  log: string;
}

export interface EngineBuildPlan {
  model: string;
  precision: EnginePrecision;
  /** The argv for trtexec, with the final output paths (the run swaps in temp names); the user's options last. */
  args: string[];
  /** How many of `args` are the user's options (after `--`). */
  extraCount: number;
  outputs: EngineOutputs;
}

/** Flags the build sets itself; given after `--` they would fight it. */
const OWNED = new Set(['--onnx', '--loadEngine', '--saveEngine', '--exportLayerInfo', '--exportProfile', '--exportTimes', '--help', '-h']);
const PRECISION_FLAGS = new Set(['--fp16', '--bf16', '--int8', '--fp8', '--int4', '--best', '--stronglyTyped']);
/** Options that write a file when the help does not say so (besides those whose help says so): none may name the input model. */
const WRITES_FILE = /^--(save|export|dump\w*ToFile|timingCacheFile)/;

/**
 * The outputs and the argv of a build; throws TrtexecUsageError for options this trtexec does
 * not take or that would fight the build, WriteTargetError for an output that cannot be written
 * (it would replace the model, its folder is missing), ModelFileError for a model that is no
 * regular file (a FIFO, a folder).
 */
export function planEngineBuild(req: EngineBuildRequest, schema: TrtexecSchema): EngineBuildPlan {
  const model = resolve(req.model);
  closeSync(openRegularFile(model));
  const hasPrecisionFlags = schema.flags.has('--fp16');
  const precision = req.precision ?? (hasPrecisionFlags ? 'fp32' : 'typed');
  const problems: OptionProblem[] = [];
  const version = schema.version ? `TensorRT ${schema.version}` : 'this trtexec';
  if (!hasPrecisionFlags && precision !== 'typed') {
    // https://docs.nvidia.com/deeplearning/tensorrt/latest/api/migration/tensorrt-10x-to-11x-trtexec.html
    // fp32 would be the same build as typed under another name (an FP32 model builds FP32 typed).
    problems.push({ option: `--precision ${precision}`, message: `${version} builds strongly typed networks only (no --fp16/--int8/--best): the precision comes from the model; use --precision typed, or convert the model first (onnx-studio fp16, onnx-studio quantize --preset tensorrt)` });
  }
  const extra = req.extraArgs ?? [];
  for (const arg of extra) {
    const name = arg.split('=', 1)[0]!;
    const value = arg.slice(name.length + 1);
    const writes = schema.flags.get(name)?.writesFile || WRITES_FILE.test(name);
    if (writes && value && writtenPaths(value).some((p) => sameFile(resolve(dirname(model), p), model))) {
      problems.push({ option: arg, message: `${name} names the input model: refusing to write over ${model}` });
    } else if (OWNED.has(name)) problems.push({ option: arg, message: `${name} is set by the build itself (outputs go beside the model); leave it out` });
    else if (PRECISION_FLAGS.has(name)) problems.push({ option: arg, message: `${name}: give the precision with --precision (${ENGINE_PRECISIONS.join('|')}), not after --` });
    else if (req.profile && name === '--profilingVerbosity') problems.push({ option: arg, message: '--profilingVerbosity is set to detailed by --profile; trtexec takes it once' });
  }
  problems.push(...checkTrtexecOptions(extra, schema).filter((p) => !problems.some((q) => q.option === p.option)));
  if (problems.length) throw new TrtexecUsageError(problems);

  const stem = join(dirname(model), basename(model).replace(/\.onnx$/i, ''));
  const outputs: EngineOutputs = { engine: `${stem}.${precision}.plan`, log: `${stem}.${precision}.build.log` };
  const args = [`--onnx=${model}`, `--saveEngine=${outputs.engine}`];
  const precisionFlag = precision === 'typed' ? (hasPrecisionFlags ? '--stronglyTyped' : undefined) : precision === 'fp32' ? undefined : `--${precision}`;
  if (precisionFlag) args.push(precisionFlag);
  if (req.profile) {
    Object.assign(outputs, { layers: `${stem}.${precision}.layers.json`, profile: `${stem}.${precision}.profile.json`, times: `${stem}.${precision}.times.json` });
    args.push('--profilingVerbosity=detailed', `--exportLayerInfo=${outputs.layers}`, `--exportProfile=${outputs.profile}`, `--exportTimes=${outputs.times}`);
  }
  args.push(...extra);
  for (const target of Object.values(outputs) as string[]) checkWritable(target, [{ path: model, why: 'it is the model being built' }]);
  return { model, precision, args, extraCount: extra.length, outputs };
}

export interface EngineBuildResult {
  status: 'built' | 'failed' | 'cancelled';
  precision: EnginePrecision;
  tensorrtVersion?: string;
  /** The files now on disk: the engine and exports only when built; the log when built or failed. */
  outputs: Partial<EngineOutputs>;
  performance?: PerformanceSummary;
  /** The `[E]` lines, without their time stamp and level. */
  errors: string[];
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The argv trtexec ran with (temp output names in it). */
  args: string[];
}

export interface EngineRunOptions {
  /** Every log line as it comes (the CLI's stderr, the editor's output channel). */
  onLine?: (line: string) => void;
  cancel?: Promise<void>;
  /** How long trtexec may take to end after SIGTERM before its group is killed. */
  killAfterMs?: number;
}

/** Runs a planned build; output files are written under temp names and renamed only on success. */
export async function runEngineBuild(trtexec: string, plan: EngineBuildPlan, opts: EngineRunOptions = {}): Promise<EngineBuildResult> {
  const pending = new Map<keyof EngineOutputs, PendingOutput>();
  for (const [key, target] of Object.entries(plan.outputs) as [keyof EngineOutputs, string][]) pending.set(key, pendingOutput(target));
  const own = plan.args.length - plan.extraCount;
  const args = plan.args.map((arg, i) => {
    if (i >= own) return arg;
    for (const out of pending.values()) if (arg.endsWith(`=${out.target}`)) return arg.slice(0, arg.length - out.target.length) + out.temp;
    return arg;
  });
  const discardAll = (): void => {
    for (const out of pending.values()) discardOutput(out);
  };
  let log: ReturnType<typeof openLogWriter>;
  try {
    log = openLogWriter(pending.get('log')!);
  } catch (e) {
    discardAll();
    throw e;
  }
  const reader = new TrtexecLogReader();
  const onLine = (line: string): void => {
    log.write(line);
    reader.push(line);
    opts.onLine?.(line);
  };
  const protect = [{ path: plan.model, why: 'it is the model being built' }];
  let run;
  try {
    run = await runTool(trtexec, args, { cwd: dirname(plan.model), onStdoutLine: onLine, onStderrLine: onLine, cancel: opts.cancel, killAfterMs: opts.killAfterMs, keepOutput: false });
  } catch (e) {
    log.close();
    discardAll();
    throw e;
  }
  log.close();
  const engine = pending.get('engine')!;
  const built = !run.cancelled && run.code === 0 && wasWritten(engine);
  if (!built && !run.cancelled && run.code === 0) reader.errors.push('trtexec exited 0 but wrote no engine');
  const status = run.cancelled ? 'cancelled' : built ? 'built' : 'failed';
  const outputs: Partial<EngineOutputs> = {};
  try {
    for (const [key, out] of pending) {
      const keep = status === 'built' ? key === 'log' || wasWritten(out) : status === 'failed' && key === 'log';
      if (keep) {
        commitOutput(out, protect);
        outputs[key] = out.target;
      } else discardOutput(out);
    }
  } finally {
    discardAll(); // what was not committed (all of it when a commit failed)
  }
  return {
    status,
    precision: plan.precision,
    tensorrtVersion: reader.version,
    outputs,
    performance: reader.performance,
    errors: reader.errors,
    exitCode: run.code,
    signal: run.signal,
    args,
  };
}

/**
 * The paths an option's value may name: the value itself and, as in `name:file[,name:file]`
 * (`--saveDebugTensors=y:m.onnx`, a quoted `'in:0':file`), each part after a colon, so that no
 * spelling of the model slips through (a path that merely holds a colon is checked whole too).
 */
function writtenPaths(value: string): string[] {
  const paths = new Set([value]);
  for (const part of value.split(',')) {
    paths.add(part);
    for (let colon = part.indexOf(':'); colon >= 0; colon = part.indexOf(':', colon + 1)) paths.add(part.slice(colon + 1));
  }
  return [...paths].filter(Boolean);
}

function sameFile(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    const x = statSync(a);
    const y = statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}
