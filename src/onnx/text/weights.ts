import type { ModelFiles } from '../io/model-files';
import type { GraphProto, ModelProto, SparseTensorProto, TensorProto } from '../proto/types';
import { Tensor } from '../tensor';

/**
 * Every tensor of a model: initializers, sparse initializers' values and indices, and
 * attribute tensors, in every graph (subgraphs of model-local functions included) and function.
 */
export function* allTensors(m: ModelProto): Iterable<TensorProto> {
  const graphs: GraphProto[] = m.graph ? [m.graph] : [];
  const nodes = [...m.functions.flatMap((f) => f.node)];
  const sparse = (s: SparseTensorProto): TensorProto[] => [...(s.values ? [s.values] : []), ...(s.indices ? [s.indices] : [])];
  for (let gi = 0, ni = 0; gi < graphs.length || ni < nodes.length; ) {
    if (gi < graphs.length) {
      const g = graphs[gi++]!;
      yield* g.initializer;
      yield* g.sparse_initializer.flatMap(sparse);
      nodes.push(...g.node);
      continue;
    }
    for (const a of nodes[ni++]!.attribute) {
      graphs.push(...(a.g ? [a.g] : []), ...a.graphs);
      yield* [...(a.t ? [a.t] : []), ...a.tensors, ...(a.sparse_tensor ? sparse(a.sparse_tensor) : []), ...a.sparse_tensors.flatMap(sparse)];
    }
  }
}

/**
 * Reads every external-data reference of a parsed text model back into the tensors (raw_data),
 * through `files`, whose folder the references are relative to (the text file's). Throws
 * ModelFileError for a reference that is missing, too short or refused.
 */
export function inlineExternalData(m: ModelProto, files: ModelFiles): number {
  let count = 0;
  for (const t of allTensors(m)) {
    if (t.data_location !== 1) continue;
    // Exactly the bytes dtype and shape need, however long the referenced range is.
    t.raw_data = Buffer.concat([...new Tensor(t, files).rawChunks()]);
    t.data_location = undefined;
    t.external_data = [];
    count++;
  }
  return count;
}
