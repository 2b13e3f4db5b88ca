import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { float16ToNumber } from '../../src/onnx/float-formats';
import { BufferSource } from '../../src/onnx/io/byte-source';
import { decodeMessage } from '../../src/onnx/proto/decode';
import { toNumber } from '../../src/onnx/proto/byte-range';
import type { TensorProto } from '../../src/onnx/proto/types';
import { Tensor } from '../../src/onnx/tensor';

/** Running a model before and after a rewrite in onnxruntime-node on the same inputs, and comparing. */

const ORT_TYPES: Record<number, ort.Tensor.Type> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64',
};

/** An ORT tensor from a TensorProto file (the conformance suite's input_N.pb). */
export function pbTensor(path: string): { name: string; tensor: ort.Tensor } | undefined {
  let proto: TensorProto;
  try {
    proto = decodeMessage<TensorProto>(new BufferSource(readFileSync(path), path), 'TensorProto');
    new Tensor(proto).validate();
  } catch {
    return undefined; // a sequence or optional value, not a tensor
  }
  const type = ORT_TYPES[proto.data_type ?? 0];
  if (!type) return undefined;
  const t = new Tensor(proto);
  const { values } = t.read(t.elementCount);
  const dims = proto.dims.map(toNumber);
  if (type === 'bool') return { name: proto.name ?? '', tensor: new ort.Tensor('bool', Uint8Array.from(values as Uint8Array), dims) };
  if (type === 'float16') return { name: proto.name ?? '', tensor: new ort.Tensor('float16', Uint16Array.from(values as Uint16Array), dims) };
  return { name: proto.name ?? '', tensor: new ort.Tensor(type, values as never, dims) };
}

/** The inputs of test_data_set_0 of a suite-layout folder, named by the model's inputs in order; undefined when unreadable. */
export function dataSetFeeds(dir: string, inputNames: readonly string[]): Record<string, ort.Tensor> | undefined {
  const ds = join(dir, 'test_data_set_0');
  if (!existsSync(ds)) return undefined;
  const files = readdirSync(ds).filter((f) => /^input_\d+\.pb$/.test(f)).sort((a, b) => parseInt(a.slice(6)) - parseInt(b.slice(6)));
  if (files.length !== inputNames.length) return undefined;
  const feeds: Record<string, ort.Tensor> = {};
  for (let i = 0; i < files.length; i++) {
    const t = pbTensor(join(ds, files[i]!));
    if (!t) return undefined;
    feeds[inputNames[i]!] = t.tensor;
  }
  return feeds;
}

const asNumbers = (t: ort.Tensor): number[] => {
  if (t.type === 'float16') return Array.from(t.data as Uint16Array, float16ToNumber);
  return Array.from(t.data as ArrayLike<number | bigint | string>, (v) => Number(v));
};

/** '' when equal (floats within a tight tolerance, NaN equal to NaN), else what differs. */
export function outputDifference(before: ort.Tensor, after: ort.Tensor, tolerance = 1e-5): string {
  if (before.type !== after.type) return `type ${before.type} ≠ ${after.type}`;
  if (before.dims.join(',') !== after.dims.join(',')) return `dims [${before.dims.join(',')}] ≠ [${after.dims.join(',')}]`;
  if (before.type === 'string') return (before.data as string[]).every((s, i) => s === (after.data as string[])[i]) ? '' : 'strings differ';
  const a = asNumbers(before);
  const b = asNumbers(after);
  const exact = !/float/.test(before.type);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (x === y) continue;
    if (exact || !(Math.abs(x - y) <= tolerance * Math.max(1, Math.abs(x)))) return `element ${i}: ${x} ≠ ${y}`;
  }
  return '';
}

/** Errors only: old-opset models make onnxruntime warn at length. */
export const QUIET: ort.InferenceSession.SessionOptions = { logSeverityLevel: 3 };

/** Runs both models on the same feeds; '' when every output agrees, else the first difference. */
export async function compareRuns(before: Uint8Array, after: Uint8Array, feeds: Record<string, ort.Tensor>, tolerance?: number): Promise<string> {
  const a = await ort.InferenceSession.create(before, QUIET);
  const b = await ort.InferenceSession.create(after, QUIET);
  try {
    const [ra, rb] = [await a.run(feeds), await b.run(feeds)];
    for (const name of a.outputNames) {
      if (!rb[name]) return `output ${name} missing after`;
      const d = outputDifference(ra[name]!, rb[name]!, tolerance);
      if (d) return `output ${name}: ${d}`;
    }
    return '';
  } finally {
    await a.release();
    await b.release();
  }
}

/** Runs a model and compares its outputs, in order, with reference TensorProto files; '' when all agree. */
export async function compareWithReference(model: Uint8Array, feeds: Record<string, ort.Tensor>, references: string[], tolerance = 1e-5): Promise<string> {
  if (!references.length) return 'no reference outputs';
  const s = await ort.InferenceSession.create(model, QUIET);
  try {
    const r = await s.run(feeds);
    for (let i = 0; i < references.length; i++) {
      const name = s.outputNames[i]!;
      const d = outputDifference(pbTensor(references[i]!)!.tensor, r[name]!, tolerance);
      if (d) return `output ${name}: ${d}`;
    }
    return '';
  } finally {
    await s.release();
  }
}
