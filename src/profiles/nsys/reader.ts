import { readDataFile } from '../../onnx/io/data-files';
import type { Model } from '../../onnx/model/graph';
import { ProfileFormatError } from '../errors';
import type { LayerProfile } from '../layer-profile';
import { readFileHead, type FileHead, type ProfileReader } from '../reader';
import { trtexecFileKind } from '../trtexec/file-kind';
import { readProfileJson } from '../trtexec/files';
import { parseLayerInfo } from '../trtexec/layer-info';
import { csvRecords } from './csv';
import { readNsysSqlite } from './export-sqlite';
import { nsysProfile } from './nsys-run';
import { statsTables } from './stats-files';
import { statsRun } from './stats-run';
import { reportOf, type StatsTable } from './stats-tables';

// Nsight Systems: `nsys stats` CSV/JSON (cuda_gpu_kern_sum, nvtx_sum, nvtx_kern_sum,
// nvtx_gpu_proj_sum; the pre-2023 names gpukernsum, nvtxsum, nvtxkernsum write the same columns) and the
// `nsys export --type sqlite` database, mapped onto the model through TensorRT's layer ranges;
// the engine's trtexec `--exportLayerInfo` may come along (its Metadata maps Myelin layers).

const SQLITE_MAGIC = 'SQLite format 3\0';
/** sql.js holds the whole database in WebAssembly memory (4 GiB at most, with copies). */
const MAX_SQLITE_BYTES = 512 * 1024 * 1024;
const MAX_TEXT_BYTES = 256 * 1024 * 1024;
/** `nsys stats -o base` names its files base_<report>.csv|json; it writes an empty one for a skipped report. */
const STATS_FILE_NAME = /_(?:cuda_gpu_kern_sum|gpukernsum|nvtx_sum|nvtxsum|nvtx_pushpop_sum|nvtxppsum|nvtx_kern_sum|nvtxkernsum|nvtx_gpu_proj_sum|nvtxgpuproj)\.(?:csv|json)$/;

export const nsysReader: ProfileReader = {
  tool: 'nsys',
  claims(files: readonly FileHead[]): boolean {
    const kinds = files.map(kindOfHead);
    return kinds.every((k) => k !== undefined) && kinds.some((k) => k === 'sqlite' || k === 'stats' || k === 'console');
  },
  read: readNsys,
};

type HeadKind = 'sqlite' | 'stats' | 'empty' | 'layers' | 'console';

/** The heading nsys prints above a report on the console: ` ** NVTX Range Kernel Summary (nvtx_kern_sum):`. */
const CONSOLE_HEADING = /^ \*\* .+ \((?:cuda_gpu_kern_sum|gpukernsum|nvtx_sum|nvtxsum|nvtx_pushpop_sum|nvtxppsum|nvtx_kern_sum|nvtxkernsum|nvtx_gpu_proj_sum|nvtxgpuproj)\):\s*$/m;

function kindOfHead(file: FileHead): HeadKind | undefined {
  const head = file.head;
  if (trtexecFileKind(file) === 'layers') return 'layers';
  if (head.length >= 16 && new TextDecoder('latin1').decode(head.subarray(0, 16)) === SQLITE_MAGIC) return 'sqlite';
  if (file.size === 0) return STATS_FILE_NAME.test(file.path) ? 'empty' : undefined;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head);
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[') || /^Processing \[.*\n\s*\[/m.test(text)) {
    // JSON rows as nsys stats writes them: the first row's keys are a report's columns.
    const keys = [...text.slice(0, 8192).matchAll(/"([^"\n]{1,40})"\s*:/g)].map((m) => m[1]!);
    return reportOf(keys) ? 'stats' : undefined;
  }
  // A report's header anywhere in the head: the console form may print other reports first.
  if (csvRecords(text).some((r) => reportOf(r))) return 'stats';
  return CONSOLE_HEADING.test(text) ? 'console' : undefined;
}

async function readNsys(files: readonly string[], model: Model): Promise<LayerProfile> {
  const kinds = files.map((path) => {
    const head = readFileHead(path);
    const kind = kindOfHead(head);
    if (!kind) throw new ProfileFormatError(`${path}: not an nsys stats report (CSV/JSON of cuda_gpu_kern_sum, nvtx_sum, nvtx_kern_sum or nvtx_gpu_proj_sum) nor an nsys SQLite export`, path);
    return { path, kind, size: head.size };
  });
  const table = kinds.find((k) => k.kind === 'console');
  if (table) {
    throw new ProfileFormatError(
      `${table.path}: nsys stats' console table (-f column or table), which cuts names at 100 characters: run nsys stats with -f csv or -f json (nsys stats -r nvtx_kern_sum -f csv -o NAME report.nsys-rep)`,
      table.path,
    );
  }
  const layers = kinds.filter((k) => k.kind === 'layers').flatMap((k) => parseLayerInfo(readProfileJson(k.path, '--exportLayerInfo file'), k.path));
  const nsysFiles = kinds.filter((k) => k.kind !== 'layers');
  const sqlite = kinds.filter((k) => k.kind === 'sqlite');
  if (sqlite.length > 0) {
    if (nsysFiles.length > 1) {
      throw new ProfileFormatError(`${files.join(', ')}: give one nsys SQLite export alone, or with the engine's layer info (it holds every kernel and range; stats reports beside it add nothing)`, sqlite[0]!.path);
    }
    const { path, size } = sqlite[0]!;
    if (size > MAX_SQLITE_BYTES) {
      throw new ProfileFormatError(`${path}: ${mb(size)} MB, more than the ${mb(MAX_SQLITE_BYTES)} MB an nsys export may have here: capture fewer iterations (trtexec --iterations, nsys --capture-range=cudaProfilerApi) or give nvtx_kern_sum output`, path);
    }
    const run = await readNsysSqlite(path, readDataFile(path, MAX_SQLITE_BYTES));
    return nsysProfile({ ...run, files: [...files] }, model, layers);
  }
  const warnings: string[] = [];
  const tables: StatsTable[] = [];
  for (const { path, kind, size } of nsysFiles) {
    if (kind === 'empty') {
      warnings.push(`${path} is empty: nsys writes an empty file for a report it skipped (no NVTX data in the capture?)`);
      continue;
    }
    if (size > MAX_TEXT_BYTES) throw new ProfileFormatError(`${path}: ${mb(size)} MB, more than the ${mb(MAX_TEXT_BYTES)} MB an nsys stats report may have here`, path);
    const text = decodeText(readDataFile(path, MAX_TEXT_BYTES), path);
    // nsys ends every report with a line break: without one, the last row may be cut inside its last cell.
    if (!/\n\s*$/.test(text)) warnings.push(`${path} does not end with a line break as nsys writes it: its last row may be cut short`);
    const found = statsTables(text, path);
    if (found.length === 0) throw new ProfileFormatError(`${path}: no nsys stats report table in it`, path);
    if (found.every((t) => t.rows.length === 0)) warnings.push(`${path}: the report has a header but no rows`);
    tables.push(...found);
  }
  return nsysProfile(statsRun([...files], tables, warnings), model, layers);
}

function decodeText(bytes: Uint8Array, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    throw new ProfileFormatError(`${path}: not UTF-8 text, so not an nsys stats CSV/JSON report`, path, { cause: e });
  }
}

function mb(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(0);
}
