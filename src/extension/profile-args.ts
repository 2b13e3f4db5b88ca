// The command lines "Profile with ONNX Runtime" and "Load Profile…" run: our CLI's `profile`
// (issue 10, point 5). Pure (no vscode), so the unit tests check them.

export const OPT_LEVELS = ['all', 'extended', 'basic', 'disabled'] as const;
export type OptLevel = (typeof OPT_LEVELS)[number];

export interface OrtProfileChoices {
  /** A folder of inputs (as the quantize command takes); absent: synthesized inputs. */
  inputs?: string;
  optLevel: OptLevel;
  /** Intra-op threads (0: ONNX Runtime's choice); absent: the CLI's default (1). */
  threads?: number;
  warmup: number;
  runs: number;
}

export const DEFAULT_ORT_CHOICES: OrtProfileChoices = { optLevel: 'all', warmup: 3, runs: 20 };

export function ortProfileArgv(model: string, c: OrtProfileChoices): string[] {
  return [
    'profile', model,
    '--runs', String(c.runs),
    '--warmup', String(c.warmup),
    '--opt-level', c.optLevel,
    ...(c.threads !== undefined ? ['--threads', String(c.threads)] : []),
    ...(c.inputs ? ['--inputs', c.inputs] : []),
    '--json',
  ];
}

export function importProfileArgv(model: string, files: readonly string[]): string[] {
  return ['profile', '--import', ...files, '--model', model, '--json'];
}

/** trtexec's exports of one engine, by the names trtexec examples and our build give them: read together. */
const TRTEXEC_EXPORTS = ['.graph.json', '.layers.json', '.profile.json', '.timing.json', '.times.json'];
/** `nsys stats -o BASE` writes BASE_<report>.csv|json per report (2023 names, then the older ones). */
const NSYS_REPORTS = ['nvtx_kern_sum', 'cuda_gpu_kern_sum', 'nvtx_sum', 'nvtx_gpu_proj_sum', 'nvtxkernsum', 'gpukernsum', 'nvtxsum', 'nvtxgpuproj'];

/** The name endings of the files that come with `file` (its own first), or undefined when it comes alone. */
function companionSuffixes(file: string): string[] | undefined {
  const trtexec = TRTEXEC_EXPORTS.find((s) => file.endsWith(s));
  if (trtexec) return [trtexec, ...TRTEXEC_EXPORTS.filter((s) => s !== trtexec)];
  const ext = file.endsWith('.csv') ? '.csv' : '.json';
  const report = NSYS_REPORTS.find((r) => file.endsWith(`_${r}${ext}`));
  if (!report) return undefined;
  return [`_${report}${ext}`, ...NSYS_REPORTS.filter((r) => r !== report).map((r) => `_${r}${ext}`)];
}

/**
 * The files to import when one was chosen: a trtexec export brings the other exports of the same
 * engine found beside it, an nsys stats report the other reports of the same run (a file dialog
 * may take one file only); other files come alone.
 */
export function withCompanions(chosen: readonly string[], siblings: readonly string[]): string[] {
  if (chosen.length !== 1) return [...chosen];
  const file = chosen[0]!;
  const suffixes = companionSuffixes(file);
  if (!suffixes) return [file];
  const stem = file.slice(0, -suffixes[0]!.length);
  const dir = stem.slice(0, Math.max(stem.lastIndexOf('/'), stem.lastIndexOf('\\')) + 1);
  const names = new Set(siblings);
  return [file, ...suffixes.slice(1).map((s) => stem + s).filter((p) => names.has(p.slice(dir.length)))];
}
