/**
 * Test-side calibration: onnxruntime-node in the test process runs the float model with the
 * wanted activations added as graph outputs and feeds them to ActivationStats; also a small
 * .npy reader for the prepared calibration samples (float32, C order).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { decodeModelProto, encodeModelBytes } from '../../src/onnx/open';
import { BufferSource } from '../../src/onnx/io/byte-source';
import { ActivationStats } from '../../src/runtime/activation-stats';
import { readNpy } from '../../src/runtime/input-files/npy';

/** A float32 or int64 .npy sample (the runtime's reader) as an ORT tensor. */
export function readNpyTensor(path: string): ort.Tensor {
  const t = readNpy(new BufferSource(readFileSync(path), path));
  if (t.dtype === 1) return new ort.Tensor('float32', t.data as Float32Array, t.dims);
  if (t.dtype === 7) return new ort.Tensor('int64', t.data as BigInt64Array, t.dims);
  throw new Error(`${path}: dtype ${t.dtype} is neither float32 nor int64`);
}

export function npySamples(dir: string, limit = Infinity): { name: string; tensor: ort.Tensor }[] {
  return readdirSync(dir).filter((f) => f.endsWith('.npy')).sort().slice(0, limit).map((f) => ({ name: f, tensor: readNpyTensor(join(dir, f)) }));
}

/** Samples of a several-input model: one folder per sample holding `<input>.npy`. */
export function npyFolderSamples(dir: string, limit = Infinity): Record<string, ort.Tensor>[] {
  return readdirSync(dir).sort().slice(0, limit).map((sample) =>
    Object.fromEntries(readdirSync(join(dir, sample)).filter((f) => f.endsWith('.npy')).map((f) => [f.slice(0, -4), readNpyTensor(join(dir, sample, f))])),
  );
}

export async function runFeeds(modelBytes: Uint8Array, samples: Record<string, ort.Tensor>[]): Promise<Float32Array[][]> {
  const session = await ort.InferenceSession.create(modelBytes);
  const results: Float32Array[][] = [];
  for (const feeds of samples) {
    const out = await session.run(feeds);
    results.push(session.outputNames.map((n) => out[n]!.data as Float32Array));
  }
  await session.release();
  return results;
}

/** The model's bytes with `names` added as float outputs (no shapes: ORT infers them). */
export function withOutputs(modelBytes: Uint8Array, names: string[]): Uint8Array {
  const proto = decodeModelProto(new BufferSource(modelBytes, 'model.onnx'));
  const graph = proto.graph!;
  const have = new Set(graph.output.map((o) => o.name));
  graph.output = [...graph.output, ...names.filter((n) => !have.has(n)).map((name) => ({ name, type: { tensor_type: { elem_type: 1 } }, metadata_props: [] }))];
  return encodeModelBytes(proto);
}

/** Each sample's values of `names` (the model run with them as extra outputs). */
export async function intermediates(modelBytes: Uint8Array, names: string[], inputName: string, samples: ort.Tensor[]): Promise<Record<string, Float32Array>[]> {
  const session = await ort.InferenceSession.create(withOutputs(modelBytes, names), { graphOptimizationLevel: 'disabled' });
  const all: Record<string, Float32Array>[] = [];
  for (const s of samples) {
    const out = await session.run({ [inputName]: s }, names);
    all.push(Object.fromEntries(names.map((n) => [n, out[n]!.data as Float32Array])));
  }
  await session.release();
  return all;
}

export async function collectStats(modelBytes: Uint8Array, names: string[], inputName: string, samples: ort.Tensor[], histograms = true): Promise<ActivationStats> {
  const stats = new ActivationStats({ histograms });
  // One sample at a time, as the runtime child streams them.
  for (const s of samples) {
    const [values] = await intermediates(modelBytes, names, inputName, [s]);
    for (const n of names) stats.add(n, values![n]!);
  }
  return stats;
}

export async function runModel(modelBytes: Uint8Array, inputName: string, samples: ort.Tensor[]): Promise<Float32Array[][]> {
  const session = await ort.InferenceSession.create(modelBytes);
  const results: Float32Array[][] = [];
  for (const s of samples) {
    const out = await session.run({ [inputName]: s });
    results.push(session.outputNames.map((n) => out[n]!.data as Float32Array));
  }
  await session.release();
  return results;
}

export { cosine } from './fp16-inputs';

/** Deterministic normal samples (a fixed LCG + Box-Muller): the test needs reproducible, not random, data. */
export function normals(n: number, seed: number, scale: number, shift = 0): Float32Array {
  let s = seed >>> 0;
  const u = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 1) / 4294967297;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = shift + scale * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return out;
}
