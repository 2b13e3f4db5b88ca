import type { Database, SqlValue } from 'sql.js';
import { ProfileFormatError } from '../errors';
import { median } from '../median';
import { attribute, type KernelLaunch, type RangeEvent } from './attribute';
import { INFERENCE_RANGE, TENSORRT_DOMAIN } from './layer-names';
import { OUTSIDE_ANY_RANGE, type NsysRun, type RangeTotals } from './nsys-run';
import { openSqlite } from './sqlite-engine';
import { NO_NVTX } from './stats-run';

// `nsys export --type sqlite`: kernels (CUPTI_ACTIVITY_KIND_KERNEL) joined to the CUDA API call
// that launched them (CUPTI_ACTIVITY_KIND_RUNTIME, same correlationId in the same process),
// placed in the NVTX range (NVTX_EVENTS) open around that call on its thread; names in
// StringIds. Table and column names as in the Nsight Systems export schema reference.

const NSYS_TABLES = ['CUPTI_ACTIVITY_KIND_KERNEL', 'CUPTI_ACTIVITY_KIND_RUNTIME', 'NVTX_EVENTS', 'StringIds', 'META_DATA_EXPORT', 'TARGET_INFO_GPU'];
/** NvtxPushPopRange, NvtxStartEndRange and their NVTXT forms (ENUM_NSYS_EVENT_TYPE). */
const RANGE_TYPES = '59, 60, 70, 71';
/** The process part of a serialized GlobalId (0xFFFFFFFFFF000000 as SQLite's signed 64-bit integer). */
const PID_MASK = -16777216;
const GRAPH_LAUNCH = /^cu(?:da)?Graph(?:Exec)?Launch/;
/** ENUM_NSYS_EVENT_TYPE NvtxDomainCreate: its row names a domain (text) for a domainId. */
const DOMAIN_CREATE = 75;

export async function readNsysSqlite(path: string, bytes: Uint8Array): Promise<NsysRun> {
  let db: Database;
  try {
    db = await openSqlite(bytes);
  } catch (e) {
    throw new ProfileFormatError(`${path}: not a readable SQLite database (${(e as Error).message})`, path, { cause: e });
  }
  try {
    return read(db, path);
  } catch (e) {
    if (e instanceof ProfileFormatError) throw e;
    // sql.js reports a damaged file on the first query: "database disk image is malformed", "file is not a database".
    throw new ProfileFormatError(`${path}: the SQLite database cannot be read (${(e as Error).message}); a truncated or damaged nsys export?`, path, { cause: e });
  } finally {
    db.close();
  }
}

function read(db: Database, path: string): NsysRun {
  const tables = new Set(rows(db, "SELECT name FROM sqlite_master WHERE type = 'table'").map((r) => String(r[0])));
  if (!NSYS_TABLES.some((t) => tables.has(t))) {
    throw new ProfileFormatError(`${path}: an SQLite database, but not an Nsight Systems export (none of its tables: ${NSYS_TABLES.slice(0, 4).join(', ')}, …)`, path);
  }
  if (!tables.has('CUPTI_ACTIVITY_KIND_KERNEL')) {
    throw new ProfileFormatError(`${path}: an Nsight Systems export without CUDA kernels (no CUPTI_ACTIVITY_KIND_KERNEL table): profile with \`nsys profile -t cuda,nvtx\``, path);
  }
  if (!tables.has('StringIds')) throw new ProfileFormatError(`${path}: an Nsight Systems export without its StringIds table (kernel names)`, path);
  const kernelName = pickColumn(db, 'CUPTI_ACTIVITY_KIND_KERNEL', ['demangledName', 'shortName'], path);
  requireColumns(db, 'CUPTI_ACTIVITY_KIND_KERNEL', ['start', 'end', 'correlationId'], path);
  const warnings: string[] = [];
  const run: NsysRun = { files: [path], measure: 'GPU kernel time per NVTX range (nsys export SQLite)', ranges: [], warnings };
  const version = metadata(db, tables, 'EXPORT_PRODUCT_VERSION');
  if (version) run.version = version;
  const device = tables.has('TARGET_INFO_GPU') ? rows(db, 'SELECT name FROM TARGET_INFO_GPU WHERE name IS NOT NULL ORDER BY id LIMIT 1')[0]?.[0] : undefined;
  if (device) run.device = String(device);
  const kernels = Number(rows(db, 'SELECT count(*) FROM CUPTI_ACTIVITY_KIND_KERNEL')[0]![0]);
  if (kernels === 0) throw new ProfileFormatError(`${path}: the Nsight Systems export has no kernels (CUPTI_ACTIVITY_KIND_KERNEL is empty)`, path);

  const hasRanges = tables.has('NVTX_EVENTS') && Number(rows(db, `SELECT count(*) FROM NVTX_EVENTS WHERE eventType IN (${RANGE_TYPES}) AND end IS NOT NULL`)[0]![0]) > 0;
  if (!hasRanges || !tables.has('CUPTI_ACTIVITY_KIND_RUNTIME')) {
    warnings.push(
      hasRanges
        ? 'the export has no CUDA API calls (CUPTI_ACTIVITY_KIND_RUNTIME) to tie kernels to the NVTX ranges they were launched in: the kernels are kept as unmapped time'
        : `the export has no NVTX ranges (captured without -t nvtx?): ${NO_NVTX}`,
    );
    warnings.push('the times are totals over the whole capture (the number of inferences is unknown)');
    run.inferences = 1;
    run.measure = 'GPU kernel time, no NVTX ranges (nsys export SQLite)';
    run.ranges = kernelOnly(db, kernelName);
    return run;
  }
  requireColumns(db, 'NVTX_EVENTS', ['start', 'end', 'eventType', 'globalTid', 'text', 'textId'], path);
  requireColumns(db, 'CUPTI_ACTIVITY_KIND_RUNTIME', ['start', 'end', 'globalTid', 'correlationId', 'nameId'], path);

  const names = new Map<number, string>();
  const hasDomains = columnsOf(db, 'NVTX_EVENTS').has('domainId');
  const tensorRTDomains = hasDomains
    ? new Set(rows(db, `SELECT DISTINCT domainId FROM NVTX_EVENTS WHERE eventType = ${DOMAIN_CREATE} AND text = '${TENSORRT_DOMAIN}'`).map((r) => Number(r[0])))
    : new Set<number>();
  let ranges: RangeEvent[] = [];
  const outsideTensorRT: RangeEvent[] = [];
  for (const r of rows(
    db,
    `SELECT e.rowid, e.start, e.end, CAST(e.globalTid AS TEXT), coalesce(e.text, s.value, ''), ${hasDomains ? 'e.domainId' : 'NULL'} FROM NVTX_EVENTS AS e
     LEFT JOIN StringIds AS s ON s.id = e.textId
     WHERE e.eventType IN (${RANGE_TYPES}) AND e.end IS NOT NULL AND e.end >= e.start`,
  )) {
    names.set(Number(r[0]), String(r[4]));
    const range = { id: Number(r[0]), start: Number(r[1]), end: Number(r[2]), thread: String(r[3]) };
    // With TensorRT's domain in the capture, only its ranges are layers: Myelin's, cuBLAS's or the
    // application's ranges inside or around them must not take their kernels.
    if (tensorRTDomains.size > 0 && !tensorRTDomains.has(Number(r[5]))) outsideTensorRT.push(range);
    else ranges.push(range);
  }
  if (ranges.length === 0) ranges = outsideTensorRT.splice(0);
  if (outsideTensorRT.length > 0) {
    const left = [...new Set(outsideTensorRT.map((r) => names.get(r.id)!))];
    warnings.push(`${left.length} range name(s) outside TensorRT's NVTX domain not used as layers: ${left.slice(0, 3).map((n) => `"${n}"`).join(', ')}${left.length > 3 ? ', …' : ''}`);
  }
  let graphLaunched = 0;
  const launches: KernelLaunch[] = rows(
    db,
    `SELECT r.start, r.end, CAST(r.globalTid AS TEXT), k.end - k.start, coalesce(kn.value, ''), coalesce(api.value, '')
     FROM CUPTI_ACTIVITY_KIND_KERNEL AS k
     LEFT JOIN CUPTI_ACTIVITY_KIND_RUNTIME AS r ON r.rowid = ${launchingCall(db)}
     LEFT JOIN StringIds AS kn ON kn.id = k.${kernelName}
     LEFT JOIN StringIds AS api ON api.id = r.nameId`,
  ).map((r) => {
    if (GRAPH_LAUNCH.test(String(r[5]))) graphLaunched++;
    return { callStart: Number(r[0]), callEnd: Number(r[1]), thread: r[2] === null ? null : String(r[2]), gpuNs: Math.max(0, Number(r[3])), kernel: String(r[4]) };
  });
  if (graphLaunched > 0) {
    warnings.push(`${graphLaunched} kernel(s) ran from CUDA graphs (cudaGraphLaunch), whose layer ranges were recorded at capture time, not around the launch: profile without --useCudaGraph to map them`);
  }

  const result = attribute(ranges, launches);
  const perName = new Map<string, { total: number; perInstance: number[]; kernels: Map<string, number>; outsideLayers: boolean }>();
  let inferenceRanges = 0;
  for (const r of ranges) {
    const name = names.get(r.id)!;
    if (INFERENCE_RANGE.test(name)) inferenceRanges++;
    const charged = result.charged.get(r.id);
    const container = result.containers.has(r.id) || INFERENCE_RANGE.test(name);
    if (container && !charged) continue;
    // Time a container holds directly ran in it but outside every layer range inside it.
    const key = container ? `${name} (outside layer ranges)` : name;
    let agg = perName.get(key);
    if (!agg) perName.set(key, (agg = { total: 0, perInstance: [], kernels: new Map(), outsideLayers: container }));
    let ns = 0;
    for (const [k, v] of charged ?? []) {
      ns += v;
      agg.kernels.set(k, (agg.kernels.get(k) ?? 0) + v / 1e6);
    }
    agg.total += ns / 1e6;
    agg.perInstance.push(ns / 1e6);
  }
  run.ranges = [...perName].map(([name, a]): RangeTotals => ({
    name,
    totalMs: a.total,
    instances: a.perInstance.length,
    ...(a.perInstance.length ? { medianMs: median(a.perInstance) } : {}),
    kernels: a.kernels,
    ...(a.outsideLayers ? { outsideLayers: true } : {}),
  }));
  if (result.outside.size > 0) {
    const kernelsMs = new Map([...result.outside].map(([k, v]) => [k, v / 1e6]));
    run.ranges.push({ name: OUTSIDE_ANY_RANGE, totalMs: [...kernelsMs.values()].reduce((s, v) => s + v, 0), instances: result.outsideLaunches, kernels: kernelsMs, outsideLayers: true });
  }
  if (inferenceRanges > 0) run.inferences = inferenceRanges;
  return run;
}

/**
 * The SQL for the rowid of the one CUDA API call that launched kernel `k`: same correlation id,
 * in the kernel's process (correlation ids are per process; older exports lack globalPid). One
 * call at most, looked up through an index made on the in-memory copy, so a file whose calls
 * share correlation ids (nsys never writes that) costs no more than one that does not: a join
 * would pair every such kernel with every such call.
 */
function launchingCall(db: Database): string {
  db.run('CREATE INDEX onnx_studio_launching_call ON CUPTI_ACTIVITY_KIND_RUNTIME (correlationId, globalTid)');
  const byId = 'SELECT rowid FROM CUPTI_ACTIVITY_KIND_RUNTIME WHERE correlationId = k.correlationId';
  if (!columnsOf(db, 'CUPTI_ACTIVITY_KIND_KERNEL').has('globalPid')) return `(${byId} LIMIT 1)`;
  // The process's threads as a range of globalTid, so the index finds them (an index on the masked expression is not used).
  const inProcess = `globalTid BETWEEN k.globalPid AND k.globalPid + ${-PID_MASK - 1} AND (globalTid & ${PID_MASK}) = k.globalPid`;
  return `CASE WHEN k.globalPid IS NULL THEN (${byId} LIMIT 1) ELSE (${byId} AND ${inProcess} LIMIT 1) END`;
}

function kernelOnly(db: Database, kernelName: string): RangeTotals[] {
  return rows(
    db,
    `SELECT coalesce(s.value, ''), sum(k.end - k.start), count(*) FROM CUPTI_ACTIVITY_KIND_KERNEL AS k
     LEFT JOIN StringIds AS s ON s.id = k.${kernelName} GROUP BY 1`,
  ).map((r) => {
    const ms = Math.max(0, Number(r[1])) / 1e6;
    return { name: String(r[0]), totalMs: ms, instances: Number(r[2]), kernels: new Map([[String(r[0]), ms]]), outsideLayers: true };
  });
}

function rows(db: Database, sql: string): SqlValue[][] {
  const stmt = db.prepare(sql);
  try {
    const out: SqlValue[][] = [];
    while (stmt.step()) out.push(stmt.get());
    return out;
  } finally {
    stmt.free();
  }
}

function columnsOf(db: Database, table: string): Set<string> {
  return new Set(rows(db, `PRAGMA table_info(${table})`).map((r) => String(r[1])));
}

function requireColumns(db: Database, table: string, wanted: string[], path: string): void {
  const have = columnsOf(db, table);
  const missing = wanted.filter((c) => !have.has(c));
  if (missing.length > 0) throw new ProfileFormatError(`${path}: ${table} lacks column(s) ${missing.join(', ')}: an nsys export schema this reader does not know`, path);
}

function pickColumn(db: Database, table: string, choices: string[], path: string): string {
  const have = columnsOf(db, table);
  const found = choices.find((c) => have.has(c));
  if (!found) throw new ProfileFormatError(`${path}: ${table} has none of the kernel name columns ${choices.join(', ')}`, path);
  return found;
}

function metadata(db: Database, tables: Set<string>, name: string): string | undefined {
  if (!tables.has('META_DATA_EXPORT')) return undefined;
  const v = rows(db, `SELECT value FROM META_DATA_EXPORT WHERE name = '${name}'`)[0]?.[0];
  return v === undefined || v === null ? undefined : String(v);
}
