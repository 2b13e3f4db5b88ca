import { DataFileError } from '../../onnx/io/data-files';
import type { FeedTensor, TensorData } from '../types';
import type { InputSpec } from './input-spec';
import { DT, describeTensor } from './typed-data';

/** Warnings said once per data set (float64 converted, batch dim added), not once per file. */
export type Warn = (key: string, message: string) => void;

/**
 * Matches a tensor read from `path` to the model input `spec` and returns the samples it
 * makes: one, or, when `split` and the model's batch is fixed at B, one per B rows of a
 * leading dim that is a larger multiple of B. float64 data for a float32 input is converted
 * (rounded to nearest, as numpy's astype) with a warning; a tensor lacking only the batch
 * dim of a batch-1 (or symbolic-batch) input gets it, with a warning. Anything else that
 * differs is refused, naming the file, the input, the expected and the found type.
 */
export function fitToInput(path: string, spec: InputSpec, t: FeedTensor, split: boolean, warn: Warn): FeedTensor[] {
  const mismatch = (): DataFileError => new DataFileError(`${path}: input '${spec.name}' expects ${describeTensor(spec.dtype, spec.dims)}, found ${describeTensor(t.dtype, t.dims)}`, path);
  let tensor = t;
  if (spec.dtype && t.dtype !== spec.dtype) {
    if (!(t.dtype === DT.double && spec.dtype === DT.float)) throw mismatch();
    warn('float64', `float64 data converted to float32 for input '${spec.name}' (first: ${path})`);
    tensor = { dtype: DT.float, dims: t.dims, data: Float32Array.from(t.data as Float64Array) };
  }
  const want = spec.dims;
  if (!want) return [tensor];
  const fixedMatch = (have: number[], from: number): boolean => have.every((d, i) => i < from || typeof want[i] !== 'number' || want[i] === d);
  if (tensor.dims.length === want.length) {
    if (fixedMatch(tensor.dims, 0)) return [tensor];
    const batch = want[0];
    const rows = tensor.dims[0]!;
    if (split && typeof batch === 'number' && batch > 0 && rows > batch && rows % batch === 0 && fixedMatch(tensor.dims, 1)) return splitRows(tensor, batch);
    throw mismatch();
  }
  if (tensor.dims.length === want.length - 1 && (want[0] === 1 || typeof want[0] !== 'number')) {
    const dims = [1, ...tensor.dims];
    if (fixedMatch(dims, 0)) {
      warn('batch', `input '${spec.name}': files without the batch dim taken as a batch of 1 (first: ${path}, ${describeTensor(t.dtype, t.dims)})`);
      return [{ ...tensor, dims }];
    }
  }
  throw mismatch();
}

/** Consecutive slices of `batch` rows, each a copy of its own (a view would carry the whole buffer across IPC). */
function splitRows(t: FeedTensor, batch: number): FeedTensor[] {
  const pieces = t.dims[0]! / batch;
  const per = t.data.length / pieces;
  const out: FeedTensor[] = [];
  for (let i = 0; i < pieces; i++) {
    out.push({ dtype: t.dtype, dims: [batch, ...t.dims.slice(1)], data: t.data.slice(i * per, (i + 1) * per) as TensorData });
  }
  return out;
}
