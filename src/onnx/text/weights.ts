import { rawByteLength } from '../dtypes';
import type { ModelFiles } from '../io/model-files';
import type { GraphProto, ModelProto, NodeProto, TensorProto } from '../proto/types';
import { Tensor } from '../tensor';

/** Every tensor of a model: initializers and attribute tensors in every graph and function, subgraphs of function bodies included. */
export function* allTensors(m: ModelProto): Iterable<TensorProto> {
  const graphs: GraphProto[] = m.graph ? [m.graph] : [];
  const nodes: NodeProto[] = m.functions.flatMap((f) => f.node);
  const subgraphsOf = (n: NodeProto): GraphProto[] => n.attribute.flatMap((a) => [...(a.g ? [a.g] : []), ...a.graphs]);
  for (const n of nodes) graphs.push(...subgraphsOf(n));
  for (let i = 0; i < graphs.length; i++) {
    const g = graphs[i]!;
    yield* g.initializer;
    nodes.push(...g.node);
    for (const n of g.node) graphs.push(...subgraphsOf(n));
  }
  for (const n of nodes) for (const a of n.attribute) yield* [...(a.t ? [a.t] : []), ...a.tensors];
}

/** The tensors whose bytes are in external files. */
export function externalTensors(m: ModelProto): TensorProto[] {
  return [...allTensors(m)].filter((t) => t.data_location === 1);
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
    const src = files.openExternal(tensor.externalRef());
    const need = info.bits ? Math.min(src.size, rawByteLength(info, tensor.elementCount)) : src.size;
    t.raw_data = src.read(0, need).slice();
    t.data_location = undefined;
    t.external_data = [];
    read.tensors++;
    read.bytes += need;
  }
  return read;
}
