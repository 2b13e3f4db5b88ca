import { dirname } from 'node:path';
import { rawByteLength } from '../dtypes';
import { TooLargeToPrint } from '../errors';
import { externalPath, type ModelFiles } from '../io/model-files';
import type { ProtectedFile } from '../io/write-file';
import type { GraphProto, ModelProto, NodeProto, SparseTensorProto, TensorProto } from '../proto/types';
import { Tensor } from '../tensor';

/**
 * Every tensor of a model: initializers, sparse initializers' values and indices, and
 * attribute tensors, in every graph (subgraphs of model-local functions included) and function.
 * Walks with a work list, never recursion or push(...spread): depth and node counts are the model's.
 */
export function* allTensors(m: ModelProto): Iterable<TensorProto> {
  const graphs: GraphProto[] = m.graph ? [m.graph] : [];
  const nodeLists: NodeProto[][] = m.functions.map((f) => f.node);
  const sparse = (s: SparseTensorProto): TensorProto[] => [...(s.values ? [s.values] : []), ...(s.indices ? [s.indices] : [])];
  for (let gi = 0, li = 0; gi < graphs.length || li < nodeLists.length; ) {
    if (gi < graphs.length) {
      const g = graphs[gi++]!;
      yield* g.initializer;
      for (const s of g.sparse_initializer) yield* sparse(s);
      nodeLists.push(g.node);
      continue;
    }
    for (const n of nodeLists[li++]!) {
      for (const a of n.attribute) {
        if (a.g) graphs.push(a.g);
        for (const sub of a.graphs) graphs.push(sub);
        yield* [...(a.t ? [a.t] : []), ...a.tensors, ...(a.sparse_tensor ? sparse(a.sparse_tensor) : []), ...a.sparse_tensors.flatMap(sparse)];
      }
    }
  }
}

/** The tensors whose bytes are in external files. */
export function externalTensors(m: ModelProto): TensorProto[] {
  return [...allTensors(m)].filter((t) => t.data_location === 1);
}

/** What protobuf can hold in one message (a model file): weights read in beyond it could not be written or read back. */
const MAX_INLINE_BYTES = 2 ** 31 - 1;

/**
 * The files a model's external-data references name, resolved against `folder` (the model's):
 * what a write beside the model must not replace. A location the reader refuses (absolute,
 * `..`) names no file here; reading the tensor reports it.
 */
export function externalDataFiles(m: ModelProto, folder: string): string[] {
  const files = new Set<string>();
  for (const t of externalTensors(m)) {
    for (const e of t.external_data) {
      if (e.key !== 'location' || e.value === undefined) continue;
      try {
        files.add(externalPath(folder, e.value));
      } catch {
        // refused when the tensor is read
      }
    }
  }
  return [...files];
}

/** A model file and the data files it refers to, as files no write may replace. */
export function modelAndDataFiles(m: ModelProto, modelPath: string, why = 'it is the model'): ProtectedFile[] {
  return [{ path: modelPath, why }, ...externalDataFiles(m, dirname(modelPath)).map((path) => ({ path, why: 'the model refers to it' }))];
}

/**
 * Reads every external-data reference of a parsed text model back into the tensors (raw_data),
 * through `files`, whose folder the references are relative to (the text file's). Reads exactly
 * the bytes each tensor needs, also when a reference gives no length. Throws ModelFileError or
 * OnnxFormatError for a reference that is missing, too short, refused or inconsistent.
 * `only` limits it to some tensors. Returns how many tensors and bytes were read.
 */
export function inlineExternalData(m: ModelProto, files: ModelFiles, only: (t: TensorProto) => boolean = () => true): { tensors: number; bytes: number } {
  const read = { tensors: 0, bytes: 0 };
  for (const t of externalTensors(m).filter(only)) {
    const tensor = new Tensor(t, files);
    const info = tensor.validate();
    const ref = tensor.externalRef();
    const src = files.openExternal(ref);
    const need = info.bits ? Math.min(src.size, rawByteLength(info, tensor.elementCount)) : src.size;
    if (read.bytes + need > MAX_INLINE_BYTES) {
      throw new TooLargeToPrint(
        `reading tensor '${tensor.name}' (${need.toLocaleString('en-US')} bytes of '${ref.location}') into the model would take it over 2 GiB, the most one ONNX file holds; keep them in their file (compile --keep-external, or a text written beside the model)`,
      );
    }
    t.raw_data = src.read(0, need).slice();
    t.data_location = undefined;
    t.external_data = [];
    read.tensors++;
    read.bytes += need;
  }
  return read;
}
