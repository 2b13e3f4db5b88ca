import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelEdit } from '../../src/onnx/edit/model-edit';
import { DiskModelFiles } from '../../src/onnx/io/model-files';
import { writeModel } from '../../src/onnx/io/write-model';
import { buildModel } from '../../src/onnx/model/build';
import { decodeModelProto } from '../../src/onnx/open';
import type { NodeProto } from '../../src/onnx/proto/types';
import type { Pruner, PruneOptions, PruneResult } from '../../src/optimize/prune/types';
import { ROOT } from './corpus';

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

/** The synthetic model of test/helpers/prune_models.py, written into a new temp folder. */
export function casesModel(): string {
  const dir = tempFolder('prune-cases-');
  execFileSync(PYTHON, [join(ROOT, 'test/helpers/prune_models.py'), dir]);
  return join(dir, 'cases.onnx');
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
