import { resolveToolPath } from '../toolchains/tool-path';
import { ENGINE_PRECISIONS, enginePrecisions, TrtexecProbeError, TrtexecUsageError, planEngineBuild, probeTrtexec, runEngineBuild, type EngineBuildResult, type EnginePrecision, type TrtexecProbe } from '../toolchains/trtexec-build';
import { removeTempFiles } from '../onnx/io/write-file';
import { twoFourSparseLayers, withSparsity } from '../analysis/tensorrt/two-four-sparse';
import { parseArgs, UsageError } from './args';
import { loadModel, withFile } from './load';
import { cancelOnSignals, SIGNAL_EXIT } from './signals';
import { exitUnusable } from './unusable';

export const buildUsage = `onnx-studio build MODEL [--trtexec PATH] [--profile] [--precision ${ENGINE_PRECISIONS.join('|')}] [--json] [-- TRTEXEC-OPTIONS]   build a TensorRT engine beside the model
  onnx-studio build --probe [--trtexec PATH] [--json]   the TensorRT version and the precisions and memory pools that trtexec takes`;

const OPTIONS = {
  trtexec: { type: 'string' },
  profile: { type: 'boolean' },
  precision: { type: 'string' },
  json: { type: 'boolean' },
  probe: { type: 'boolean' },
} as const;

/** The one JSON document of `build --probe --json`: what the editor's quick picks offer. */
export interface BuildProbeJson {
  trtexec: string;
  tensorrtVersion: string | null;
  /** The --precision values this trtexec takes (TensorRT 11: typed only, strongly typed). */
  precisions: EnginePrecision[];
  stronglyTypedOnly: boolean;
  /** The pools --memPoolSize takes (`workspace`, `dlaSRAM`, ...). */
  memoryPools: string[];
  /** Whether --useDLACore is among the flags. */
  dla: boolean;
  schemaSource: TrtexecProbe['schemaSource'];
  warnings: string[];
}

/** The one JSON document of `build --json`. */
export interface BuildJson {
  engine: string | null;
  precision: EnginePrecision;
  tensorrtVersion: string | null;
  status: EngineBuildResult['status'];
  performance: EngineBuildResult['performance'] | null;
  outputs: EngineBuildResult['outputs'];
  errors: string[];
  /** Layers whose weights hold the 2:4 pattern (the build then passes --sparsity=enable unless told otherwise). */
  sparseLayers?: number;
}

/**
 * Exit 0 built, 1 the build failed (its `[E]` lines on stderr), 2 a file cannot be used (the
 * model, trtexec, an output), 64 bad usage (an option this trtexec does not take), 130/143/129 on
 * SIGINT/SIGTERM/SIGHUP: trtexec's process group is killed and no partial file stays.
 */
export async function runBuild(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const dashes = argv.indexOf('--');
  const extraArgs = dashes < 0 ? [] : argv.slice(dashes + 1);
  const own = dashes < 0 ? argv : argv.slice(0, dashes);
  if (own.includes('--probe')) return runProbe(parseArgs(own, OPTIONS, buildUsage, 0).values, out, err);
  const { values: v, positionals } = parseArgs(own, OPTIONS, buildUsage);
  if (v.precision !== undefined && !ENGINE_PRECISIONS.includes(v.precision as EnginePrecision)) throw new UsageError(`--precision must be one of ${ENGINE_PRECISIONS.join(', ')}\nusage: ${buildUsage}`);
  const model = positionals[0]!;
  // A file that is no ONNX model exits 2 here, before trtexec starts; of the model only its 2:4-sparse layers matter.
  const loaded = loadModel(model);
  let sparseLayers: number;
  try {
    sparseLayers = twoFourSparseLayers(loaded).length;
  } finally {
    loaded.close();
  }
  const trtexec = exitUnusable(() => resolveToolPath('trtexec', v.trtexec));

  // trtexec runs in a process group of its own: a Ctrl+C (or a closed terminal) reaches only us, and we end its group.
  const { cancelled, signalled, dispose } = cancelOnSignals();
  try {
    const probe = await exitUnusable(() => probeTrtexec(trtexec, { cancel: cancelled, timeoutMs: probeTimeoutMs() }), [TrtexecProbeError]);
    const stopped = signalled();
    if (stopped) return SIGNAL_EXIT[stopped];
    for (const w of probe.warnings) err(`onnx-studio build: warning: ${w}`);
    const sparsity = withSparsity(extraArgs, sparseLayers, probe.schema.flags.has('--sparsity'));
    if (sparsity.note) err(sparsity.note);
    let plan;
    try {
      plan = withFile(model, () => planEngineBuild({ model, precision: v.precision as EnginePrecision | undefined, profile: !!v.profile, extraArgs: sparsity.args }, probe.schema));
    } catch (e) {
      if (e instanceof TrtexecUsageError) throw new UsageError(`options that ${probe.version ? `TensorRT ${probe.version}` : 'this trtexec'} does not take:\n${e.problems.map((p) => `  ${p.message}`).join('\n')}`);
      throw e;
    }
    err(`building ${plan.outputs.engine} with ${probe.version ? `TensorRT ${probe.version}` : 'trtexec'} (${trtexec})`);
    const result = await exitUnusable(() => runEngineBuild(trtexec, plan, { onLine: err, cancel: cancelled }));
    if (result.status === 'cancelled' || signalled()) {
      removeTempFiles();
      return SIGNAL_EXIT[signalled() ?? 'SIGTERM'];
    }
    if (v.json) out(JSON.stringify({ ...toJson(result), ...(sparseLayers ? { sparseLayers } : {}) }, null, 2));
    if (result.status === 'built') {
      err(`written ${result.outputs.engine}`);
      return 0;
    }
    const how = result.signal ? `ended by ${result.signal}` : `exit code ${result.exitCode}`;
    err(`onnx-studio build: the build failed (trtexec ${how}); log: ${result.outputs.log ?? 'not written'}`);
    for (const e of result.errors) err(`[E] ${e}`);
    return 1;
  } finally {
    dispose();
  }
}

/** How long `trtexec --help` may take (it does no GPU work): 60 s, or ONNX_STUDIO_PROBE_TIMEOUT_MS. */
function probeTimeoutMs(): number {
  const ms = Number(process.env.ONNX_STUDIO_PROBE_TIMEOUT_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : 60_000;
}

/** `build --probe`: runs `trtexec --help` only (no GPU work), for the editor's quick picks. */
async function runProbe(v: { trtexec?: string; json?: boolean }, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const trtexec = exitUnusable(() => resolveToolPath('trtexec', v.trtexec));
  const { cancelled, signalled, dispose } = cancelOnSignals();
  let probe: TrtexecProbe;
  try {
    probe = await exitUnusable(() => probeTrtexec(trtexec, { cancel: cancelled, timeoutMs: probeTimeoutMs() }), [TrtexecProbeError]);
  } finally {
    dispose();
  }
  const stopped = signalled();
  if (stopped) return SIGNAL_EXIT[stopped];
  const stronglyTypedOnly = !probe.schema.flags.has('--fp16');
  const pools = probe.schema.flags.get('--memPoolSize')?.value;
  const json: BuildProbeJson = {
    trtexec,
    tensorrtVersion: probe.version ?? null,
    precisions: enginePrecisions(probe.schema),
    stronglyTypedOnly,
    memoryPools: pools?.kind === 'pools' ? pools.pools : [],
    dla: probe.schema.flags.has('--useDLACore'),
    schemaSource: probe.schemaSource,
    warnings: probe.warnings,
  };
  for (const w of probe.warnings) err(`onnx-studio build: warning: ${w}`);
  out(v.json ? JSON.stringify(json, null, 2) : `${trtexec}: TensorRT ${json.tensorrtVersion ?? 'version unknown'}; precisions ${json.precisions.join(', ')}${stronglyTypedOnly ? ' (strongly typed only)' : ''}`);
  return 0;
}

function toJson(r: EngineBuildResult): BuildJson {
  return {
    engine: r.outputs.engine ?? null,
    precision: r.precision,
    tensorrtVersion: r.tensorrtVersion ?? null,
    status: r.status,
    performance: r.performance ?? null,
    outputs: r.outputs,
    errors: r.errors,
  };
}
