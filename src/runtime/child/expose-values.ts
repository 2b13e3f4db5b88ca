import { inferModel } from '../../onnx/infer/infer';
import type { ModelFiles } from '../../onnx/io/model-files';
import { buildModel } from '../../onnx/model/build';
import type { Graph, Model, Value } from '../../onnx/model/graph';
import type { AttributeProto, ModelProto, NodeProto, TensorProto, ValueInfoProto } from '../../onnx/proto/types';
import { AttributeType } from '../../onnx/proto/types';

/** Why a requested value cannot be fetched. */
export interface Unavailable {
  name: string;
  why: string;
}

export interface Exposure {
  /** Requested name → the main-graph output that carries it. */
  fetch: Map<string, string>;
  unavailable: Unavailable[];
}

/**
 * Makes `names` outputs of the main graph. A main-graph value becomes an output as it is
 * (untyped when the model states no type: ORT infers it). A value inside an If, Loop or Scan
 * body is passed out level by level: a new body output and a new output of the node that
 * holds the body, named afresh (a subgraph name may not be reused outside). An If branch that
 * does not compute the value outputs an empty tensor of its type instead, so a sample that
 * takes that branch fetches nothing; Loop and Scan stack the value of every iteration.
 */
export function exposeValues(proto: ModelProto, files: ModelFiles | undefined, names: readonly string[]): Exposure {
  const model = buildModel(proto, files);
  const main = model.graph;
  const fetch = new Map<string, string>();
  const unavailable: Unavailable[] = [];
  const outputs = new Set(main.outputs.map((v) => v.name));
  const added: ValueInfoProto[] = [];
  const inner = lazy(() => innerValues(model));
  const types = lazy(() => inferModel(model));
  const fresh = lazy(() => new FreshNames(model));
  const typeOf = (v: Value): number => {
    const t = types().typeOf(v);
    return t?.kind === 'tensor' ? t.elemType : 0;
  };
  for (const name of names) {
    const v = main.values.get(name);
    let top: string | undefined;
    if (v?.producer) top = name;
    else if (v?.initializer) unavailable.push({ name, why: 'an initializer, not a computed value' });
    else {
      const sub = inner().get(name);
      if (!sub) unavailable.push({ name, why: 'no node of the model produces it' });
      else {
        const r = passOut(sub, typeOf(sub), fresh());
        if (typeof r === 'string') top = r;
        else unavailable.push({ name, why: r.why });
      }
    }
    if (top === undefined) continue;
    fetch.set(name, top);
    if (!outputs.has(top)) {
      outputs.add(top);
      const declared = main.proto.value_info.find((vi) => vi.name === top && vi.type);
      added.push({ name: top, type: declared?.type, metadata_props: [] });
    }
  }
  if (added.length) main.proto.output = [...main.proto.output, ...added];
  return { fetch, unavailable };
}

/** Values produced inside subgraphs, by name (names are unique across a model's scopes). */
function innerValues(model: Model): Map<string, Value> {
  const out = new Map<string, Value>();
  for (const g of model.graphs()) {
    if (g === model.graph) continue;
    for (const v of g.values.values()) if (v.producer && v.producer.graph === g) out.set(v.name, v);
  }
  return out;
}

/** Passes a subgraph value out to the main graph; returns the main-graph name, or why not. */
function passOut(v: Value, elemType: number, fresh: FreshNames): string | { why: string } {
  if (!elemType) return { why: 'inside a subgraph, and its type is unknown' };
  let name = v.name;
  let g: Graph = v.producer!.graph;
  while (g.owner) {
    const node = g.owner.node.proto;
    const op = g.owner.node.opType;
    if (g.owner.node.domain !== '' || !['If', 'Loop', 'Scan'].includes(op)) return { why: `inside a subgraph of ${op}, which cannot pass it out` };
    const outer = fresh.take(`${v.name}__out`);
    // Through an Identity of its own: a value that already is a body output (a Scan state)
    // listed twice as an output makes ORT alias the two buffers.
    const copy = fresh.take(`${v.name}__copy`);
    g.proto.node = [...g.proto.node, identity(name, copy)];
    g.proto.output = [...g.proto.output, typedInfo(copy, elemType)];
    if (op === 'If') {
      const other = node.attribute.find((a) => a.name === (g.owner!.attribute === 'then_branch' ? 'else_branch' : 'then_branch'))?.g;
      if (!other) return { why: 'inside an If with one branch' };
      const empty = fresh.take(`${v.name}__empty`);
      other.node = [...other.node, emptyConstant(empty, elemType)];
      other.output = [...other.output, typedInfo(empty, elemType)];
    }
    if (op === 'Scan') appendScanOutputAxis(node);
    node.output = [...node.output, outer];
    name = outer;
    g = g.owner.node.graph;
  }
  return name;
}

function typedInfo(name: string, elemType: number): ValueInfoProto {
  return { name, type: { tensor_type: { elem_type: elemType } }, metadata_props: [] };
}

function identity(input: string, output: string): NodeProto {
  return { op_type: 'Identity', name: output, input: [input], output: [output], attribute: [], metadata_props: [], device_configurations: [] };
}

function emptyConstant(output: string, elemType: number): NodeProto {
  const value: TensorProto = {
    dims: [0], data_type: elemType, raw_data: new Uint8Array(0),
    float_data: [], int32_data: [], string_data: [], int64_data: [], double_data: [], uint64_data: [], external_data: [], metadata_props: [],
  };
  const attr: AttributeProto = { name: 'value', type: AttributeType.TENSOR, t: value, floats: [], ints: [], strings: [], tensors: [], graphs: [], type_protos: [], sparse_tensors: [] };
  return { op_type: 'Constant', name: output, input: [], output: [output], attribute: [attr], metadata_props: [], device_configurations: [] };
}

/** A Scan that lists its scan outputs' axes or directions must list one more for the new output. */
function appendScanOutputAxis(node: NodeProto): void {
  node.attribute = node.attribute.map((a) => (a.name === 'scan_output_axes' || a.name === 'scan_output_directions' ? { ...a, ints: [...a.ints, 0] } : a));
}

/** Names not used anywhere in the model. */
class FreshNames {
  private readonly taken = new Set<string>();
  constructor(model: Model) {
    for (const g of model.graphs()) for (const name of g.values.keys()) this.taken.add(name);
  }
  take(base: string): string {
    let name = base;
    for (let k = 1; this.taken.has(name); k++) name = `${base}${k}`;
    this.taken.add(name);
    return name;
  }
}

function lazy<T>(make: () => T): () => T {
  let v: T | undefined;
  let made = false;
  return () => {
    if (!made) {
      v = make();
      made = true;
    }
    return v as T;
  };
}
