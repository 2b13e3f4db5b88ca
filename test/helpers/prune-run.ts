import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelEdit } from '../../src/onnx/edit/model-edit';
import { DiskModelFiles } from '../../src/onnx/io/model-files';
import { writeModel } from '../../src/onnx/io/write-model';
import { buildModel } from '../../src/onnx/model/build';
import { decodeModelProto } from '../../src/onnx/open';
import type { NodeProto } from '../../src/onnx/proto/types';
import type { Pruner, PruneOptions, PruneResult } from '../../src/optimize/prune/types';
import { after, before } from 'node:test';
import { RuntimeClient } from '../../src/runtime/client';
import type { Feeds } from '../../src/runtime/types';
import type { ValueMetadata } from '../../src/runtime/protocol';
import { ROOT } from './corpus';
import { RUNTIME_WORKER } from './runtime';

export const PYTHON = '/usr/bin/python3';
export const MODELS = join(ROOT, '.cache', 'models');

const made: string[] = [];
export function tempFolder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
export function removeTempFolders(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** One runtime child for a test file, closed after it together with the file's temp folders; call the result inside tests. */
export function runtimeForFile(): () => RuntimeClient {
  let client: RuntimeClient | undefined;
  before(async () => {
    client = await RuntimeClient.start({ workerScript: RUNTIME_WORKER });
  });
  after(async () => {
    await client?.close();
    removeTempFolders();
  });
  return () => client!;
}

/** The synthetic models of test/helpers/prune_models.py (`cases.onnx`, `ir3.onnx`), written into a new temp folder. */
export function casesModel(name = 'cases.onnx'): string {
  const dir = tempFolder('prune-cases-');
  execFileSync(PYTHON, [join(ROOT, 'test/helpers/prune_models.py'), dir]);
  return join(dir, name);
}

export interface Opened {
  edit: ModelEdit;
  files: DiskModelFiles;
  ids: Map<NodeProto, string>;
}

export function openForPruning(path: string): Opened {
  const files = new DiskModelFiles(path);
  const proto = decodeModelProto(files.model);
  const ids = new Map<NodeProto, string>();
  for (const g of buildModel(proto, files).graphs()) for (const n of g.nodes) ids.set(n.proto, n.id);
  return { edit: new ModelEdit(proto), files, ids };
}

/** Prunes `input` with `pruner` and writes the result to `output`. */
export function pruneFile(pruner: Pruner, input: string, output: string, options: PruneOptions): PruneResult {
  const { edit, files, ids } = openForPruning(input);
  try {
    const result = pruner.prune(edit, files, options, ids);
    edit.sortTopologically();
    writeModel(edit.proto, files, output, { protect: [input] });
    return result;
  } finally {
    files.close();
  }
}

/** Runs a python script file of test/helpers with args; its stdout parsed as JSON. */
export function pythonJson<T>(script: string, args: string[]): T {
  return JSON.parse(execFileSync(PYTHON, [join(ROOT, 'test/helpers', script), ...args], { encoding: 'utf8', maxBuffer: 1 << 28 })) as T;
}

export interface CheckSpec {
  mode: 'layer' | 'global' | '2:4';
  ratio: number;
  /** Node names (not ids) with their own ratio, or null for `ratio`. */
  layers: { node: string; ratio: number | null }[];
  untouched?: string[];
}

export interface CheckFacts {
  layers: Record<string, { weight: string; elements: number; zeros: number; equal: boolean; referenceZeros: number; pattern?: boolean }>;
  untouched: Record<string, { name: string; same: boolean }>;
  sparsity: number;
  /** The original model with numpy's pruned weights (each pruned node reads its own). */
  reference: string;
}

/** prune_check.py: numpy's pruning of `original` against `pruned`, and a reference model beside `pruned`. */
export function checkAgainstNumpy(original: string, pruned: string, spec: CheckSpec): CheckFacts {
  const dir = tempFolder('prune-check-');
  const specPath = join(dir, 'spec.json');
  writeFileSync(specPath, JSON.stringify(spec));
  const reference = join(dir, 'reference.onnx');
  return { ...pythonJson<Omit<CheckFacts, 'reference'>>('prune_check.py', [original, pruned, specPath, reference]), reference };
}

/** A node id (DESIGN.md §2) of the main graph back to the node's name. */
export const nameOfId = (id: string): string => id.replace(/%2F/g, '/').replace(/%25/g, '%');

/** Deterministic feeds for a session's inputs: float waves, bools false, symbolic dims as given. */
export function feedsFor(inputs: readonly ValueMetadata[], symbolic: Record<string, number> = {}): Feeds {
  const feeds: Feeds = {};
  for (const i of inputs) {
    const dims = (i.dims ?? []).map((d) => (typeof d === 'number' ? d : (symbolic[d] ?? 1)));
    const n = dims.reduce((a, b) => a * b, 1);
    feeds[i.name] = i.type === 'bool' ? { dtype: 9, dims, data: new Uint8Array(n) } : { dtype: 1, dims, data: Float32Array.from({ length: n }, (_, k) => Math.sin(k * 0.37)) };
  }
  return feeds;
}

/** Runs both models on the same feeds in the runtime child: every output, flattened, in order. */
export async function runBoth(client: RuntimeClient, a: string, b: string, symbolic: Record<string, number> = {}): Promise<[Float32Array[], Float32Array[]]> {
  const results: Float32Array[][] = [];
  let feeds: Feeds | undefined;
  for (const path of [a, b]) {
    const s = await client.open(path, { threads: 1, optimization: 'disabled' });
    feeds ??= feedsFor(s.inputs, symbolic);
    const out = await s.run(feeds);
    results.push(s.outputNames.map((n) => out[n]!.data as Float32Array));
    await s.release();
  }
  return [results[0]!, results[1]!];
}
