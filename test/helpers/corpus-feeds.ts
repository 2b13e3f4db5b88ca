import { basename } from 'node:path';
import * as ort from 'onnxruntime-node';

/** Deterministic inputs per corpus model (their symbolic dims need sizes the networks accept). */
export function feeds(model: string): Record<string, ort.Tensor> {
  const floats = (dims: number[]): ort.Tensor => {
    const n = dims.reduce((a, b) => a * b, 1);
    return new ort.Tensor('float32', Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37)), dims);
  };
  const name = basename(model);
  if (name.includes('det_infer')) return { x: floats([1, 3, 64, 64]) };
  if (name.includes('rec_infer')) return { x: floats([1, 3, 48, 64]) };
  if (name.includes('cls_infer')) return { x: floats([1, 3, 48, 192]) };
  const sr = new ort.Tensor('int64', BigInt64Array.from([16000n]), []);
  if (name.includes('vad_v5')) return { input: floats([1, 512]), state: floats([2, 1, 128]), sr };
  return { input: floats([1, 512]), sr, h: floats([2, 1, 64]), c: floats([2, 1, 64]) };
}

/** The shapes of those inputs, for inference. */
export const feedShapes = (model: string): Record<string, number[]> => Object.fromEntries(Object.entries(feeds(model)).map(([k, t]) => [k, t.dims.map(Number)]));
