import { AttributeType } from '../onnx/proto/types';
import type { Graph, Model, Node, Value } from '../onnx/model/graph';
import { typeToString, type Shape, type ValueType } from '../onnx/model/value-type';
import { dataTypeName } from '../onnx/dtypes';
import { Tensor } from '../onnx/tensor';

export interface ValueSummary {
  name: string;
  /** Lower-case element type for tensors (`float`, `int4`); text-syntax type otherwise (`seq(float)`). */
  dtype: string;
  /** null: rank unknown; a dim is a number, a symbolic name, or null. */
  shape: Shape;
}

/** The facts `onnx-studio inspect` prints, computed over every graph of the model. */
export interface ModelSummary {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  opsetImports: Record<string, number>;
  inputs: ValueSummary[];
  outputs: ValueSummary[];
  nodeCount: number;
  totalNodeCount: number;
  subgraphCount: number;
  functionCount: number;
  opTypes: Record<string, number>;
  initializerCount: number;
  parameterCount: number;
  weightBytes: number;
  externalDataFiles: string[];
  metadataProps: Record<string, string>;
}

function summarizeValue(v: Value): ValueSummary {
  return { name: v.name, ...describeType(v.type) };
}

function describeType(t: ValueType | null): { dtype: string; shape: Shape } {
  if (!t) return { dtype: 'undefined', shape: null };
  if (t.kind === 'tensor') return { dtype: dataTypeName(t.elemType), shape: t.shape };
  if (t.kind === 'sparse_tensor') return { dtype: typeToString(t, false), shape: t.shape };
  return { dtype: typeToString(t, false), shape: null };
}

/** `Op` for the default domain, `domain::Op` otherwise. */
export function opKey(domain: string, opType: string): string {
  return domain ? `${domain}::${opType}` : opType;
}

export function summarizeModel(model: Model): ModelSummary {
  const p = model.proto;
  const opTypes: Record<string, number> = {};
  let totalNodeCount = 0;
  let subgraphCount = -1;
  let parameterCount = 0;
  let weightBytes = 0;
  const external = new Set<string>();
  const countTensor = (t: Tensor): void => {
    parameterCount += t.elementCount;
    weightBytes += t.storedBytes;
    if (t.isExternal) {
      const loc = t.proto.external_data.find((e) => e.key === 'location')?.value;
      if (loc) external.add(loc);
    }
  };
  for (const g of model.graphs()) {
    subgraphCount++;
    totalNodeCount += g.nodes.length;
    g.initializers.forEach(countTensor);
    for (const s of g.proto.sparse_initializer) parameterCount += s.dims.reduce<number>((a, d) => a * Number(d), 1);
    for (const n of g.nodes) {
      const key = opKey(n.domain, n.opType);
      opTypes[key] = (opTypes[key] ?? 0) + 1;
      if (n.opType === 'Constant' && n.domain === '') {
        const scalars = constantElements(n, countTensor); // counts its tensor through countTensor
        parameterCount += scalars;
      }
    }
  }
  const opsetImports: Record<string, number> = {};
  for (const [d, v] of model.opsetImports) opsetImports[d] = v;
  return {
    irVersion: model.irVersion,
    producerName: p.producer_name ?? '',
    producerVersion: p.producer_version ?? '',
    domain: p.domain ?? '',
    modelVersion: Number(p.model_version ?? 0),
    opsetImports,
    inputs: graphInputs(model.graph).map(summarizeValue),
    outputs: model.graph.outputs.map(summarizeValue),
    nodeCount: model.graph.nodes.length,
    totalNodeCount,
    subgraphCount,
    functionCount: model.functions.length,
    opTypes: Object.fromEntries(Object.entries(opTypes).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))),
    initializerCount: model.graph.initializers.length,
    parameterCount,
    weightBytes,
    externalDataFiles: [...external].sort(),
    metadataProps: model.metadata,
  };
}

/** Graph inputs that are not initializers (IR < 4 lists initializers as inputs too). */
function graphInputs(g: Graph): Value[] {
  return g.inputs.filter((v) => !v.initializer);
}

/** Elements a Constant node holds; its tensor (if any) goes to `onTensor` (which counts them). */
function constantElements(node: Node, onTensor: (t: Tensor) => void): number {
  let n = 0;
  for (const a of node.attributes) {
    if (a.name === 'value' && a.type === AttributeType.TENSOR) {
      const t = a.tensor();
      if (t) onTensor(t);
    } else if (a.name === 'value_float' || a.name === 'value_int') n += 1;
    else if (a.name === 'value_floats') n += a.proto.floats.length;
    else if (a.name === 'value_ints') n += a.proto.ints.length;
    else if (a.name === 'sparse_value' && a.proto.sparse_tensor) n += a.proto.sparse_tensor.dims.reduce<number>((x, d) => x * Number(d), 1);
  }
  return n;
}
