import type { InferenceResult } from '../onnx/infer/infer';
import type { Attribute, Node } from '../onnx/model/graph';
import { typeToString } from '../onnx/model/value-type';
import { AttributeType, attributeTypeName } from '../onnx/proto/types';
import { resolveSchema } from '../onnx/schema/registry';
import type { OpSchema } from '../onnx/schema/types';
import type { Tensor } from '../onnx/tensor';
import { opsetNote } from './tensorrt/opset-notes';

/** What the properties panel shows of a node (shaped like protocol's NodeDetails). */
export interface NodeFacts {
  id: string;
  name: string;
  opType: string;
  domain: string;
  schema: { since: number; summary: string; deprecated: boolean } | null;
  attributes: { name: string; type: string; value: string }[];
  inputs: { formal: string; name: string; type: string }[];
  outputs: { formal: string; name: string; type: string }[];
  /** Opset annotation rows (label, text): op version, deprecation, later changes (registry lookup for this node only). */
  opset: [string, string][];
}

const MAX_LIST = 16;

export function nodeFacts(n: Node, opsets: Map<string, number>, inference: InferenceResult): NodeFacts {
  const schema = resolveSchema(n.domain, n.opType, opsets.get(n.domain) ?? 0);
  const formal = (list: OpSchema['inputs'] | undefined, i: number): string => {
    if (!list?.length) return `#${i}`;
    const f = list[Math.min(i, list.length - 1)]!;
    return f.variadic && i >= list.length - 1 ? `${f.name}[${i - list.length + 1}]` : f.name;
  };
  const typeOf = (name: string): string => {
    const v = n.graph.resolve(name) ?? n.graph.values.get(name);
    const t = v ? inference.typeOf(v) : null;
    return t ? typeToString(t) : '?';
  };
  return {
    id: n.id,
    name: n.name,
    opType: n.opType,
    domain: n.domain,
    schema: schema ? { since: schema.since, summary: schema.summary, deprecated: !!schema.deprecated } : null,
    attributes: n.attributes.map((a) => ({ name: a.name, type: attributeTypeName(a.type), value: attributeText(a) })),
    inputs: n.inputs.map((name, i) => ({ formal: formal(schema?.inputs, i), name, type: name ? typeOf(name) : '' })),
    outputs: n.outputs.map((name, i) => ({ formal: formal(schema?.outputs, i), name, type: name ? typeOf(name) : '' })),
    opset: opsetRows(n.domain, n.opType, opsets.get(n.domain) ?? 0),
  };
}

/** The node's opset note as panel rows, e.g. ['op version', 'Softmax-11 (model opset 11)']. */
export function opsetRows(domain: string, op: string, opset: number): [string, string][] {
  const note = opsetNote(domain, op, opset);
  const domainName = domain || 'ai.onnx';
  const rows: [string, string][] = [
    ['op version', note.since === null ? `unknown to the registry at ${domainName} opset ${opset}` : `${op}-${note.since} (model opset ${opset})`],
  ];
  if (note.deprecatedSince !== null) rows.push(['deprecated since', `opset ${note.deprecatedSince}`]);
  for (const c of note.laterChanges) rows.push(['later change', `${op}-${c.since}: ${c.change}`]);
  return rows;
}

/** An attribute's value as short text: lists capped, tensors summarized, graphs named. */
export function attributeText(a: Attribute): string {
  const list = (xs: unknown[]): string => `[${xs.slice(0, MAX_LIST).join(', ')}${xs.length > MAX_LIST ? `, … ${xs.length} in all` : ''}]`;
  if (a.isRef) return `@${a.proto.ref_attr_name}`;
  switch (a.type) {
    case AttributeType.FLOAT: return String(a.float());
    case AttributeType.INT: return String(a.int());
    case AttributeType.STRING: return JSON.stringify(a.string());
    case AttributeType.FLOATS: return list(a.proto.floats);
    case AttributeType.INTS: return list(a.ints());
    case AttributeType.STRINGS: return list(a.strings().map((s) => JSON.stringify(s)));
    case AttributeType.TENSOR: return tensorText(a.tensor()!);
    case AttributeType.TENSORS: return list(a.tensors().map(tensorText));
    case AttributeType.GRAPH: return `graph '${a.proto.g?.name ?? ''}' (${a.proto.g?.node.length ?? 0} nodes)`;
    case AttributeType.GRAPHS: return `${a.proto.graphs.length} graphs`;
    default: return '…';
  }
}

function tensorText(t: Tensor): string {
  const head = `${t.dtypeName}[${t.dims.join(',')}]`;
  if (t.elementCount > MAX_LIST) return head;
  try {
    return `${head} [${Array.from(t.read(MAX_LIST).values as ArrayLike<unknown>, (v) => (typeof v === 'string' ? JSON.stringify(v) : String(v))).join(', ')}]`;
  } catch (e) {
    return `${head} (${(e as Error).message})`;
  }
}
