import * as ort from 'onnxruntime-node';
import { DATA_TYPES, dataTypeByName } from '../../src/onnx/dtypes';
import type { AttributeProto, ModelProto, TypeProto } from '../../src/onnx/proto/types';
import { AttributeType } from '../../src/onnx/proto/types';
import type { AttributeTypeName, OpSchema } from '../../src/onnx/schema/types';
import { attr, bytesOf, graph, model, node, tensorProto, tensorType, valueInfo } from './models';

/**
 * Asks onnxruntime-node about an operator's schema: it validates every node against the
 * schema it registered (ONNX's OpSchema::Verify, then the type constraints) while creating a
 * session, and its messages name what it expected. Kernel lookup and shape inference come
 * after, so their failures mean the schema accepted the node.
 */
export async function ortVerdict(m: ModelProto): Promise<string> {
  try {
    const s = await ort.InferenceSession.create(bytesOf(m));
    await s.release();
    return 'ok';
  } catch (e) {
    return (e as Error).message;
  }
}

const STOP_OP = 'ProbeStop';

/** Whether ORT accepted the probed node and stopped at the node after it. */
export const acceptedUpToStop = (message: string): boolean => message.includes(`${STOP_OP}(-1) is not a registered`) || message.includes(`${STOP_OP} is not a registered`);

/** What a refusal says about the schema, or undefined when the schema accepted the node. */
export function schemaComplaint(message: string): string | undefined {
  const m =
    /has (input|output) size \d+ not in range \[min=\d+, max=\d+\]/.exec(message) ??
    /Unrecognized attribute: \w+/.exec(message) ??
    /Mismatched attribute type in '[^']*'/.exec(message) ??
    /Required attribute '\w+' is missing/.exec(message) ??
    /'s (?:input|output) \d+ is marked single but has an empty string/.exec(message) ??
    /Type Error: Type '[^']*' of (?:input parameter|output arg) \([^)]*\)/.exec(message) ??
    /Type parameter \(\w+\) of Optype \(\w+\) bound to different types/.exec(message) ??
    /is not a registered function\/op/.exec(message);
  return m?.[0];
}

/** ORT's [min, max] for inputs or outputs from its range message (-1: unbounded). */
export function rangeIn(message: string, kind: 'input' | 'output'): [number, number] | undefined {
  const m = new RegExp(`has ${kind} size \\d+ not in range \\[min=(\\d+), max=(\\d+)\\]`).exec(message);
  if (!m) return undefined;
  const max = Number(m[2]);
  return [Number(m[1]), max >= 2147483647 ? -1 : max];
}

/** A value of the attribute type (wrong: a value of another type). */
export function attributeOf(name: string, type: AttributeTypeName, wrong = false): AttributeProto {
  if (wrong) return type === 'string' ? attr(name, 1) : attr(name, 'x');
  const base = attr(name, 0);
  switch (type) {
    case 'int': return attr(name, 1);
    case 'float': return attr(name, 1, 'float');
    case 'string': return attr(name, 'x');
    case 'ints': return attr(name, [1]);
    case 'floats': return attr(name, [1], 'float');
    case 'strings': return { ...base, type: AttributeType.STRINGS, i: undefined, strings: [new TextEncoder().encode('x')] };
    case 'tensor': return attr(name, tensorProto({ name: '', dims: [1], data_type: 1, float_data: [1] }));
    case 'graph': return attr(name, graph({ name: 'sub' }));
    case 'tensors': return { ...base, type: AttributeType.TENSORS, i: undefined, tensors: [tensorProto({ dims: [1], data_type: 1, float_data: [1] })] };
    case 'graphs': return { ...base, type: AttributeType.GRAPHS, i: undefined, graphs: [graph({ name: 'sub' })] };
    default: throw new Error(`no probe value for attribute type ${type}`);
  }
}

/** A graph input's type for a schema type string: `tensor(float)`, `sparse_tensor(int64)`. */
export function typeOfSchemaString(t: string): TypeProto | undefined {
  const m = /^(tensor|sparse_tensor)\((\w+)\)$/.exec(t);
  const id = m && dataTypeByName(m[2]!)?.id;
  if (!id) return undefined;
  return m[1] === 'tensor' ? { tensor_type: { elem_type: id } } : { sparse_tensor_type: { elem_type: id } };
}

export interface ProbeNode {
  inputs: number;
  outputs: number;
  attributes: AttributeProto[];
  /** Schema type per type variable (else the first allowed type). */
  types?: Record<string, string>;
}

/** A one-node com.microsoft model whose graph inputs carry the types the schema allows. */
export function probeModel(op: string, s: OpSchema, p: ProbeNode): ModelProto {
  const inputs = Array.from({ length: p.inputs }, (_, i) => {
    const formal = s.inputs[Math.min(i, s.inputs.length - 1)];
    const allowed = formal ? (s.typeConstraints[formal.type] ?? [formal.type]) : [];
    const t = formal && p.types?.[formal.type] ? p.types[formal.type]! : allowed.find((x) => typeOfSchemaString(x));
    return valueInfo(`i${i}`, (t ? typeOfSchemaString(t) : undefined) ?? tensorType(1, null));
  });
  const outs = Array.from({ length: p.outputs }, (_, i) => `o${i}`);
  // An unregistered op after the probed node: resolving the graph verifies the probed node
  // first, then stops at this one, so no kernel is ever built from dummy inputs.
  const stop = outs.length ? [node(STOP_OP, ['o0'], ['end'], [], 'stop', 'com.microsoft')] : [];
  return model(
    graph({
      node: [node(op, inputs.map((v) => v.name!), outs, p.attributes, 'n', 'com.microsoft'), ...stop],
      // Without outputs the graph passes an input of its own through, so that it has one.
      input: outs.length ? inputs : [...inputs, valueInfo('through', tensorType(1, null))],
      output: [valueInfo(outs.length ? 'end' : 'through')],
    }),
    17,
    { opset_import: [{ domain: '', version: 17 }, { domain: 'com.microsoft', version: 1 }] },
  );
}

/** What onnxruntime-node's registered schema of one operator says, read from its refusals. */
export interface OrtSchemaView {
  registered: boolean;
  inputs: [number, number];
  outputs: [number, number];
  required: string[];
  /** Documented attributes ORT refuses: `name: unrecognized` or `name: mismatched type`. */
  refusedAttributes: string[];
  /** Per type variable (or literal type) of the inputs: the candidate types ORT accepts, sorted. */
  types: Record<string, string[]>;
}

const TENSOR_TYPES = DATA_TYPES.map((d) => `tensor(${d.name})`);

export async function readOrtSchema(op: string, s: OpSchema): Promise<OrtSchemaView> {
  let attributes = s.attributes.filter((a) => a.required).map((a) => attributeOf(a.name, a.type));
  const ask = (inputs: number, outputs: number, attrs = attributes, types?: Record<string, string>): Promise<string> =>
    ortVerdict(probeModel(op, s, { inputs, outputs, attributes: attrs, types }));
  const view: OrtSchemaView = { registered: true, inputs: [0, -1], outputs: [0, -1], required: [], refusedAttributes: [], types: {} };
  const first = await ask(0, Math.max(1, s.minOutputs));
  if (first.includes(`${op}(-1) is not a registered`)) return { ...view, registered: false };
  view.inputs = rangeIn(first, 'input') ?? rangeIn(await ask(1000, Math.max(1, s.minOutputs)), 'input') ?? [0, -1];
  // A node with neither inputs nor outputs is dropped before it is verified: give it an input.
  const nIn = view.inputs[0] > 0 || view.inputs[1] === 0 ? view.inputs[0] : 1;
  view.outputs = rangeIn(await ask(nIn, 0), 'output') ?? rangeIn(await ask(nIn, 1000), 'output') ?? [0, -1];
  const nOut = Math.max(1, view.outputs[0]);
  attributes = [];
  for (let m = await ask(nIn, nOut, attributes); ; m = await ask(nIn, nOut, attributes)) {
    const name = /Required attribute '(\w+)' is missing/.exec(m)?.[1];
    if (!name || view.required.includes(name)) break;
    view.required.push(name);
    attributes.push(attributeOf(name, s.attributes.find((a) => a.name === name)?.type ?? 'int'));
  }
  let all = s.attributes.map((a) => attributeOf(a.name, a.type));
  for (let m = await ask(nIn, nOut, all); ; m = await ask(nIn, nOut, all)) {
    const bad = /Unrecognized attribute: (\w+)|Mismatched attribute type in '[^:]*: (\w+)'/.exec(m);
    if (!bad) break;
    const name = (bad[1] ?? bad[2])!;
    view.refusedAttributes.push(`${name}: ${bad[1] ? 'unrecognized' : 'mismatched type'}`);
    all = all.filter((a) => a.name !== name);
  }
  // Types: every formal present (as far as ORT's range allows), one type variable varied at a time.
  const last = s.inputs[s.inputs.length - 1];
  const n = last?.variadic ? s.inputs.length : view.inputs[1] < 0 ? s.inputs.length : Math.max(view.inputs[0], Math.min(s.inputs.length, view.inputs[1]));
  const formals = s.inputs.slice(0, n);
  for (const v of new Set(formals.map((f) => f.type))) {
    const mine = new Set(formals.map((f, k) => (f.type === v ? `i${k}` : '')).filter(Boolean));
    const candidates = [...new Set([...TENSOR_TYPES, ...(s.typeConstraints[v] ?? [v]).filter((t) => typeOfSchemaString(t))])];
    const accepted: string[] = [];
    for (const t of candidates) {
      const m = await ask(n, nOut, attributes, { [v]: t });
      const refused = /Type Error: Type '[^']*' of input parameter \((\w+)\)/.exec(m)?.[1];
      if (refused && mine.has(refused)) continue;
      const other = schemaComplaint(m);
      if (other && !acceptedUpToStop(m)) {
        accepted.length = 0;
        accepted.push(`inconclusive: ${other}`);
        break;
      }
      accepted.push(t);
    }
    view.types[v] = accepted.sort();
  }
  return view;
}
