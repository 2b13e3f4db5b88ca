import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ModelEdit } from '../../src/onnx/edit/model-edit';
import { tensorValueInfo } from '../../src/onnx/edit/proto-factory';
import { DiskModelFiles } from '../../src/onnx/io/model-files';
import { writeModel } from '../../src/onnx/io/write-model';
import { decodeModelProto } from '../../src/onnx/open';
import { quantizeDynamic, type DynamicResult } from '../../src/optimize/dynamic/quantize-dynamic';
import type { DynamicOptions } from '../../src/optimize/dynamic/options';

export const PYTHON = '/usr/bin/python3';

export { cosine } from './fp16-inputs';

/** A float32 little-endian C-order .npy file (what .cache/data holds). */
export function readNpy(path: string): ort.Tensor {
  const bytes = readFileSync(path);
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  assert.match(header, /'descr': '<f4'/);
  assert.match(header, /'fortran_order': False/);
  const shape = /'shape': \(([^)]*)\)/.exec(header)![1]!.split(',').filter((s) => s.trim()).map(Number);
  const data = bytes.subarray(10 + headerLength);
  const values = new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length));
  return new ort.Tensor('float32', values, shape);
}

export const npyFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.npy')).sort().map((f) => join(dir, f));

/** Folders the helpers made (quantized models, float copies): removed by `removeOutputs` after a test file. */
const made: string[] = [];

export function outputFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dyn-int8-'));
  made.push(dir);
  return dir;
}

export function removeOutputs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function openForEdit(path: string): { edit: ModelEdit; files: DiskModelFiles } {
  const files = new DiskModelFiles(path);
  return { edit: new ModelEdit(decodeModelProto(files.model)), files };
}

/** A float32 value of the main graph to expose as an output too (an inner value to compare when the real output carries no signal). */
export interface ExtraOutput {
  name: string;
  rank: number;
}

function addOutputs(edit: ModelEdit, outputs: readonly ExtraOutput[]): void {
  for (const o of outputs) edit.main.proto.output.push(tensorValueInfo(o.name, 1, Array<undefined>(o.rank).fill(undefined)));
}

/** A copy of a model with more outputs, in a temporary folder. */
export function withOutputs(path: string, outputs: readonly ExtraOutput[]): string {
  const { edit, files } = openForEdit(path);
  try {
    addOutputs(edit, outputs);
    return writeModel(edit.proto, files, join(outputFolder(), 'float.onnx'), { protect: [path] }).path;
  } finally {
    files.close();
  }
}

/** Quantizes a model file into a temporary folder; returns the output path and the result. */
export function quantizeFile(path: string, options: DynamicOptions = {}, extraOutputs: readonly ExtraOutput[] = []): { out: string; result: DynamicResult; edit: ModelEdit } {
  const dir = outputFolder();
  const { edit, files } = openForEdit(path);
  try {
    const result = quantizeDynamic(edit, files, options);
    addOutputs(edit, extraOutputs);
    const out = join(dir, 'q.onnx');
    writeModel(edit.proto, files, out, { protect: [path] });
    return { out, result, edit };
  } finally {
    files.close();
  }
}

/** The model's outputs in onnxruntime; `optimization` 'disabled' keeps ORT's own fusions (BatchNormalization into Conv) out of a comparison. */
export async function runModel(path: string, feeds: Record<string, ort.Tensor>, optimization: 'disabled' | 'all' = 'all'): Promise<Float32Array[]> {
  const s = await ort.InferenceSession.create(path, { graphOptimizationLevel: optimization });
  try {
    const out = await s.run(feeds);
    return s.outputNames.map((n) => out[n]!.data as Float32Array);
  } finally {
    await s.release();
  }
}


export { assertValidModel } from './valid-model';
