import type { ModelFiles } from '../io/model-files';
import { rawByteLength } from '../dtypes';
import type { GraphProto, ModelProto, NodeProto, TensorProto } from '../proto/types';
import { Tensor } from '../tensor';

/** Every tensor of a model: initializers and attribute tensors in every graph and function. */
export function* allTensors(m: ModelProto): Iterable<TensorProto> {
  const graphs: GraphProto[] = m.graph ? [m.graph] : [];
  const nodeLists: NodeProto[][] = m.functions.map((f) => f.node);
  // Loops, not push(...spread): a graph may have more nodes than the stack has room for arguments.
  for (let i = 0; i < graphs.length; i++) {
    const g = graphs[i]!;
    yield* g.initializer;
    nodeLists.push(g.node);
    for (const n of g.node) for (const a of n.attribute) graphs.push(...(a.g ? [a.g] : []), ...a.graphs);
  }
  for (const nodes of nodeLists) for (const n of nodes) for (const a of n.attribute) yield* [...(a.t ? [a.t] : []), ...a.tensors];
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
    const tensor = new Tensor(t, files);
    const info = tensor.validate();
    // Exactly the tensor's bytes: a reference without a length must not pull in the rest of the file.
    const src = files.openExternal(tensor.externalRef());
    t.raw_data = src.read(0, rawByteLength(info, tensor.elementCount)).slice();
    t.data_location = undefined;
    t.external_data = [];
    count++;
  }
  return count;
}
