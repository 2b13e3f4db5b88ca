// Builds `nsys export --type sqlite` databases for the nsys tests, table by table after the
// documented export schema (Nsight Systems 2024.6.2, EXPORT_SCHEMA_VERSION 3.16.1: the
// `.schema` of a real export, and the "SQLite Export Schema Reference" of the Nsight Systems
// docs). Only the tables the reader and `nsys stats`' NVTX/kernel reports read are made, each
// with every column the schema lists. No real nsys capture of a TensorRT run exists here:
// this is a model of one, timed from the real trtexec profile of ResNet-18 on an RTX 3060.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'sql.js';
import { sqliteEngine } from '../src/profiles/nsys/sqlite-engine';
import { ROOT } from './helpers/corpus';

export const SHARED = process.env.ONNX_STUDIO_SHARED ?? join(ROOT, '..', 'shared');
export const RTX3060 = join(SHARED, 'fixtures', 'trtexec', 'fuzzylabs-resnet18-rtx3060-fp16');
export const RESNET18 = join(ROOT, '.cache', 'models', 'resnet18.onnx');

export interface FixtureLayer {
  /** The engine layer's name: TensorRT's NVTX range text. */
  name: string;
  /** The kernel it launches (empty: the layer launches none, a NoOp). */
  kernel: string;
  /** GPU time of that kernel in each inference, ns (before the jitter). */
  ns: number;
}

export interface NsysRunSpec {
  inferences: number;
  layers: FixtureLayer[];
  device?: string;
  /** NVTX domain of the layer ranges (TensorRT's); undefined: the default domain. */
  domain?: string;
  /** TensorRT's range around each inference; null: none. */
  inferenceRange?: string | null;
  /** Kernels launched inside the inference range but outside every layer range, each inference (ns). */
  outside?: { kernel: string; ns: number }[];
  /** Kernels launched after each inference, outside every range (ns). */
  unranged?: { kernel: string; ns: number }[];
  /** Leave the NVTX_EVENTS table out (a capture without -t nvtx). */
  noNvtx?: boolean;
  /** Launch every inference's kernels from one cudaGraphLaunch outside the layer ranges. */
  cudaGraph?: boolean;
  /**
   * Other libraries' ranges inside layer ranges, around the launch call: Myelin's StartEnd
   * `myelinGraphExecute` (domain myelin-exec) around the kernels of `_myl<N>_<k>` layers, as a
   * real nsys nvtx_sum of a TensorRT-LLM run shows, and a cuBLAS PushPop around this layer's.
   */
  foreignRanges?: { cublasLayer: string };
}

const PID = 4242;
const TID = 4243;
/** Serialized GlobalId: vm id 1 in bits 48.., pid in bits 24..47, tid below. */
export const GLOBAL_PID = 2 ** 48 + PID * 2 ** 24;
export const GLOBAL_TID = GLOBAL_PID + TID;
export const NVTX_PUSHPOP = 59;
const NVTX_DOMAIN_CREATE = 75;
const NVTX_STARTEND = 60;
const MYELIN_LAYER = /_myl\d+_\d+$/;

/** Per-inference jitter that sums to zero over every 3 inferences, so means stay exact. */
export function jitter(ns: number, inference: number): number {
  return ((inference % 3) - 1) * Math.round(ns * 0.02);
}

/** The layers of the real trtexec profile (RTX 3060, TensorRT 10, FP16): names, median times, tactics. */
export function rtx3060Layers(): FixtureLayer[] {
  const profile = JSON.parse(readFileSync(join(RTX3060, 'resnet18_fp16.profile.json'), 'utf8')) as { name?: string; medianMs?: number }[];
  const info = JSON.parse(readFileSync(join(RTX3060, 'resnet18_fp16.graph.json'), 'utf8')) as { Layers: { Name: string; TacticName?: string; LayerType?: string }[] };
  const tactic = new Map(info.Layers.map((l) => [l.Name, l.TacticName || (l.LayerType === 'Reformat' ? 'copyPackedKernel' : l.Name)]));
  return profile
    .filter((r) => r.name !== undefined)
    .map((r) => {
      const ns = Math.round(r.medianMs! * 1e6);
      return { name: r.name!, kernel: ns > 0 ? tactic.get(r.name!)! : '', ns };
    });
}

export async function nsysExport(spec: NsysRunSpec): Promise<Uint8Array> {
  const SQL = await sqliteEngine();
  const db = new SQL.Database();
  try {
    createTables(db, spec);
    fill(db, spec);
    return db.export();
  } finally {
    db.close();
  }
}

function createTables(db: Database, spec: NsysRunSpec): void {
  db.run(`
CREATE TABLE StringIds (id INTEGER NOT NULL PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE ThreadNames (nameId INTEGER NOT NULL, priority INTEGER, globalTid INTEGER);
CREATE TABLE PROCESSES (globalPid INTEGER, pid INTEGER, name TEXT);
CREATE TABLE META_DATA_EXPORT (name TEXT NOT NULL, value TEXT);
CREATE TABLE TARGET_INFO_GPU (vmId INTEGER NOT NULL, id INTEGER NOT NULL, name TEXT, busLocation TEXT, isDiscrete INTEGER,
  l2CacheSize INTEGER, totalMemory INTEGER, memoryBandwidth INTEGER, clockRate INTEGER, smCount INTEGER, pwGpuId INTEGER,
  uuid TEXT, luid INTEGER, chipName TEXT, cuDevice INTEGER, ctxswDevPath TEXT, ctrlDevPath TEXT, revision INTEGER,
  nodeMask INTEGER, constantMemory INTEGER, maxIPC INTEGER, maxRegistersPerBlock INTEGER, maxShmemPerBlock INTEGER,
  maxShmemPerBlockOptin INTEGER, maxShmemPerSm INTEGER, maxRegistersPerSm INTEGER, threadsPerWarp INTEGER,
  asyncEngines INTEGER, maxWarpsPerSm INTEGER, maxBlocksPerSm INTEGER, maxThreadsPerBlock INTEGER, maxBlockDimX INTEGER,
  maxBlockDimY INTEGER, maxBlockDimZ INTEGER, maxGridDimX INTEGER, maxGridDimY INTEGER, maxGridDimZ INTEGER,
  computeMajor INTEGER, computeMinor INTEGER, smMajor INTEGER, smMinor INTEGER);
CREATE TABLE CUPTI_ACTIVITY_KIND_KERNEL (start INTEGER NOT NULL, end INTEGER NOT NULL, deviceId INTEGER NOT NULL,
  contextId INTEGER NOT NULL, greenContextId INTEGER, streamId INTEGER NOT NULL, correlationId INTEGER, globalPid INTEGER,
  demangledName INTEGER NOT NULL, shortName INTEGER NOT NULL, mangledName INTEGER, launchType INTEGER, cacheConfig INTEGER,
  registersPerThread INTEGER NOT NULL, gridX INTEGER NOT NULL, gridY INTEGER NOT NULL, gridZ INTEGER NOT NULL,
  blockX INTEGER NOT NULL, blockY INTEGER NOT NULL, blockZ INTEGER NOT NULL, staticSharedMemory INTEGER NOT NULL,
  dynamicSharedMemory INTEGER NOT NULL, localMemoryPerThread INTEGER NOT NULL, localMemoryTotal INTEGER NOT NULL,
  gridId INTEGER NOT NULL, sharedMemoryExecuted INTEGER, graphNodeId INTEGER, sharedMemoryLimitConfig INTEGER);
CREATE TABLE CUPTI_ACTIVITY_KIND_RUNTIME (start INTEGER NOT NULL, end INTEGER NOT NULL, eventClass INTEGER NOT NULL,
  globalTid INTEGER, correlationId INTEGER, nameId INTEGER NOT NULL, returnValue INTEGER NOT NULL, callchainId INTEGER);
CREATE TABLE ENUM_NSYS_EVENT_TYPE (id INTEGER NOT NULL PRIMARY KEY, name TEXT, label TEXT);
INSERT INTO ENUM_NSYS_EVENT_TYPE VALUES (34, 'NvtxMark', 'NvtxMark'), (59, 'NvtxPushPopRange', 'NvtxPushPopRange'),
  (60, 'NvtxStartEndRange', 'NvtxStartEndRange');
INSERT INTO META_DATA_EXPORT VALUES ('EXPORT_PRODUCT_NAME', 'NVIDIA Nsight Systems'), ('EXPORT_PRODUCT_VERSION', '2024.6.2.225'),
  ('EXPORT_SCHEMA_VERSION', '3.16.1');
`);
  if (!spec.noNvtx) {
    db.run(`
CREATE TABLE NVTX_EVENTS (start INTEGER NOT NULL, end INTEGER, eventType INTEGER NOT NULL, rangeId INTEGER, category INTEGER,
  color INTEGER, text TEXT, globalTid INTEGER, endGlobalTid INTEGER, textId INTEGER, domainId INTEGER, uint64Value INTEGER,
  int64Value INTEGER, doubleValue REAL, uint32Value INTEGER, int32Value INTEGER, floatValue REAL, jsonTextId INTEGER,
  jsonText TEXT, binaryData TEXT);`);
  }
}

class Strings {
  private readonly ids = new Map<string, number>();
  constructor(private readonly db: Database) {}
  id(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.ids.size + 1;
      this.ids.set(value, id);
      this.db.run('INSERT INTO StringIds VALUES (?, ?)', [id, value]);
    }
    return id;
  }
}

function fill(db: Database, spec: NsysRunSpec): void {
  const strings = new Strings(db);
  db.run('INSERT INTO PROCESSES VALUES (?, ?, ?)', [GLOBAL_PID, PID, 'trtexec']);
  db.run('INSERT INTO ThreadNames VALUES (?, ?, ?)', [strings.id('trtexec'), 0, GLOBAL_TID]);
  db.run('INSERT INTO TARGET_INFO_GPU (vmId, id, name, chipName, computeMajor, computeMinor) VALUES (1, 0, ?, ?, 8, 6)', [
    spec.device ?? 'NVIDIA GeForce RTX 3060 Laptop GPU',
    'GA106',
  ]);
  const kernel = db.prepare(
    `INSERT INTO CUPTI_ACTIVITY_KIND_KERNEL (start, end, deviceId, contextId, streamId, correlationId, globalPid, demangledName,
      shortName, registersPerThread, gridX, gridY, gridZ, blockX, blockY, blockZ, staticSharedMemory, dynamicSharedMemory,
      localMemoryPerThread, localMemoryTotal, gridId) VALUES (?, ?, 0, 1, 7, ?, ?, ?, ?, 64, 56, 1, 1, 128, 1, 1, 0, 0, 0, 0, ?)`,
  );
  const runtime = db.prepare('INSERT INTO CUPTI_ACTIVITY_KIND_RUNTIME (start, end, eventClass, globalTid, correlationId, nameId, returnValue) VALUES (?, ?, 1, ?, ?, ?, 0)');
  const nvtx = spec.noNvtx
    ? undefined
    : db.prepare('INSERT INTO NVTX_EVENTS (start, end, eventType, text, globalTid, textId, domainId) VALUES (?, ?, ?, ?, ?, ?, ?)');
  let domainId: number | null = null;
  if (nvtx && spec.domain) {
    domainId = 1;
    nvtx.run([1_000_000, null, NVTX_DOMAIN_CREATE, spec.domain, GLOBAL_TID, null, domainId]);
  }
  if (nvtx && spec.foreignRanges) {
    nvtx.run([1_000_100, null, NVTX_DOMAIN_CREATE, 'myelin-exec', GLOBAL_TID, null, 2]);
    nvtx.run([1_000_200, null, NVTX_DOMAIN_CREATE, 'cuBLAS', GLOBAL_TID, null, 3]);
  }
  const launchApi = strings.id('cudaLaunchKernel_v7000');
  const graphApi = strings.id('cudaGraphLaunch_v10000');
  let correlation = 1000;
  let gridId = 1;
  let cpu = 2_000_000_000;
  let gpu = cpu;
  const inferenceRange = spec.inferenceRange === undefined ? 'ExecutionContext::enqueueV3' : spec.inferenceRange;
  const launch = (name: string, ns: number, correlationId: number): void => {
    const id = strings.id(name);
    const start = Math.max(gpu, cpu + 3_000);
    kernel.run([start, start + ns, correlationId, GLOBAL_PID, id, id, gridId++]);
    gpu = start + ns + 1_000;
  };
  /** A cudaLaunchKernel call at the current CPU time and the kernel it starts. */
  const call = (name: string, ns: number): void => {
    const id = correlation++;
    runtime.run([cpu, cpu + 4_000, GLOBAL_TID, id, launchApi]);
    launch(name, ns, id);
  };
  /** The launch of one layer's kernel, wrapped in another library's range where the spec asks. */
  const layerCall = (layer: FixtureLayer, ns: number): void => {
    const foreign = !nvtx || !spec.foreignRanges ? undefined : MYELIN_LAYER.test(layer.name) ? { type: NVTX_STARTEND, name: 'myelinGraphExecute', domain: 2 } : layer.name === spec.foreignRanges.cublasLayer ? { type: NVTX_PUSHPOP, name: 'cublasGemmEx', domain: 3 } : undefined;
    const start = cpu;
    if (foreign) cpu += 100;
    call(layer.kernel, ns);
    if (foreign) nvtx!.run([start, cpu + 4_200, foreign.type, foreign.name, GLOBAL_TID, null, foreign.domain]);
  };
  for (let i = 0; i < spec.inferences; i++) {
    const inferenceStart = cpu;
    cpu += 500;
    const graphCorrelation = correlation++;
    const inGraph: [string, number][] = [];
    for (const layer of spec.layers) {
      const rangeStart = cpu;
      cpu += 200;
      if (layer.kernel) {
        const ns = layer.ns + jitter(layer.ns, i);
        if (spec.cudaGraph) inGraph.push([layer.kernel, ns]);
        else layerCall(layer, ns);
      }
      cpu += 5_000;
      // A graph launch replays kernels captured once: no layer ranges around them at run time.
      if (nvtx && !spec.cudaGraph) nvtx.run([rangeStart, cpu, NVTX_PUSHPOP, layer.name, GLOBAL_TID, null, domainId]);
      cpu += 300;
    }
    for (const k of spec.outside ?? []) {
      call(k.kernel, k.ns);
      cpu += 5_000;
    }
    if (spec.cudaGraph) {
      runtime.run([cpu, cpu + 9_000, GLOBAL_TID, graphCorrelation, graphApi]);
      for (const [name, ns] of inGraph) launch(name, ns, graphCorrelation);
      cpu += 10_000;
    }
    if (nvtx && inferenceRange) {
      nvtx.run([inferenceStart, cpu + 100, NVTX_PUSHPOP, null, GLOBAL_TID, strings.id(inferenceRange), domainId]);
    }
    cpu += 1_000;
    for (const k of spec.unranged ?? []) {
      call(k.kernel, k.ns);
      cpu += 5_000;
    }
    cpu = Math.max(cpu, gpu) + 20_000;
  }
  kernel.free();
  runtime.free();
  nvtx?.free();
}

/**
 * The run behind test/fixtures/nsys/nsys-2022.4.2/: those CSV/JSON files are what the real
 * `nsys stats` (Nsight Systems 2022.4.2) printed for this database (see SOURCES.md there).
 */
export function statsFixtureRun(): NsysRunSpec {
  return {
    inferences: 6,
    layers: rtx3060Layers(),
    domain: 'TensorRT',
    outside: [{ kernel: 'generatedKernelOutsideLayerRanges', ns: 1_500 }],
    unranged: [{ kernel: 'generatedKernelOutsideAnyRange', ns: 2_500 }],
    foreignRanges: { cublasLayer: '/layer4/layer4.1/conv2/Conv + /layer4/layer4.1/Add + /layer4/layer4.1/relu_1/Relu' },
  };
}
