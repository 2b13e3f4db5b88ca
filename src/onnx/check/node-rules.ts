import type { InferenceResult } from '../infer/infer';
import type { Attribute, Node } from '../model/graph';
import { typeToSchemaString } from '../model/value-type';
import { AttributeType } from '../proto/types';
import { isKnownDomain, opVersions, resolveSchema } from '../schema/registry';
import type { AttributeTypeName, OpSchema } from '../schema/types';
import { diagnostic, type Diagnostic } from './diagnostics';

const ATTRIBUTE_TYPE_IDS: Record<AttributeTypeName, number> = {
  float: AttributeType.FLOAT, int: AttributeType.INT, string: AttributeType.STRING, tensor: AttributeType.TENSOR,
  graph: AttributeType.GRAPH, sparse_tensor: AttributeType.SPARSE_TENSOR, type_proto: AttributeType.TYPE_PROTO,
  floats: AttributeType.FLOATS, ints: AttributeType.INTS, strings: AttributeType.STRINGS, tensors: AttributeType.TENSORS,
  graphs: AttributeType.GRAPHS, sparse_tensors: AttributeType.SPARSE_TENSORS, type_protos: AttributeType.TYPE_PROTOS,
};
const ATTRIBUTE_TYPE_NAMES = Object.fromEntries(Object.entries(ATTRIBUTE_TYPE_IDS).map(([k, v]) => [v, k]));

/** One node against the schema its model's opset import resolves to. */
export function checkNode(n: Node, opsets: Map<string, number>, inference: InferenceResult, out: Diagnostic[]): void {
  const where = { nodeId: n.id, graphId: n.graph.id };
  const label = `${n.opType || '(empty op_type)'} '${n.name || n.id}'`;
  const version = opsets.get(n.domain);
  if (version === undefined) {
    out.push(diagnostic('missing-opset-import', `${label} uses domain '${n.domain || 'ai.onnx'}', which the model does not import`, where));
    return;
  }
  if (!isKnownDomain(n.domain)) return;
  const schema = resolveSchema(n.domain, n.opType, version);
  if (!schema) {
    const first = opVersions(n.domain, n.opType)?.[0]?.since;
    const why = first ? `introduced in opset ${first}` : 'no such operator';
    out.push(diagnostic('unknown-op', `${label}: not in opset ${version} of '${n.domain || 'ai.onnx'}' (${why})`, where));
    return;
  }
  if (schema.deprecated) out.push(diagnostic('deprecated-op', `${label}: deprecated in opset ${version} (since ${schema.since})`, where));
  checkArity(n, schema, label, where, out);
  checkAttributes(n, schema, label, where, out);
  checkTypes(n, schema, inference, label, where, out);
}

type Where = { nodeId: string; graphId: string };

function checkArity(n: Node, s: OpSchema, label: string, where: Where, out: Diagnostic[]): void {
  const nIn = n.inputs.length;
  if (nIn < s.minInputs || (s.maxInputs >= 0 && nIn > s.maxInputs)) {
    out.push(diagnostic('input-arity', `${label} has ${nIn} inputs; ${range(s.minInputs, s.maxInputs)} expected`, where));
  }
  s.inputs.forEach((f, i) => {
    if (!f.optional && !f.variadic && i < nIn && !n.inputs[i]) out.push(diagnostic('input-arity', `${label}: required input '${f.name}' (#${i}) is empty`, where));
  });
  const nOut = n.outputs.length;
  if (nOut < s.minOutputs || (s.maxOutputs >= 0 && nOut > s.maxOutputs)) {
    out.push(diagnostic('output-arity', `${label} has ${nOut} outputs; ${range(s.minOutputs, s.maxOutputs)} expected`, where));
  }
}

const range = (min: number, max: number): string => (max < 0 ? `at least ${min}` : min === max ? `${min}` : `${min} to ${max}`);

function checkAttributes(n: Node, s: OpSchema, label: string, where: Where, out: Diagnostic[]): void {
  const byName = new Map<string, Attribute>();
  for (const a of n.attributes) {
    const spec = s.attributes.find((x) => x.name === a.name);
    if (!spec) {
      out.push(diagnostic('unknown-attribute', `${label}: attribute '${a.name}' is not defined for ${n.opType}-${s.since}`, where));
      continue;
    }
    byName.set(a.name, a);
    const want = ATTRIBUTE_TYPE_IDS[spec.type];
    if (!a.isRef && a.type !== want) {
      out.push(diagnostic('attribute-type', `${label}: attribute '${a.name}' is ${ATTRIBUTE_TYPE_NAMES[a.type] ?? 'undefined'}, expected ${spec.type}`, where));
    }
  }
  for (const spec of s.attributes) {
    if (spec.required && !byName.has(spec.name)) out.push(diagnostic('missing-attribute', `${label}: required attribute '${spec.name}' (${spec.type}) is missing`, where));
  }
  // Constant needs exactly one value attribute (its schema marks none as required).
  if (n.opType === 'Constant' && n.domain === '' && n.attributes.length !== 1) {
    out.push(diagnostic('missing-attribute', `${label}: Constant needs exactly one value attribute, has ${n.attributes.length}`, where));
  }
}

/**
 * Each typed input against its formal's allowed types; inputs sharing a type variable must
 * agree. Outputs are not judged, as in ONNX: their types come from inference, and exporters
 * rely on that (PyTorch writes int64 Constant-1 nodes).
 */
function checkTypes(n: Node, s: OpSchema, inference: InferenceResult, label: string, where: Where, out: Diagnostic[]): void {
  const bound = new Map<string, { type: string; name: string }>();
  const check = (names: string[], formals: OpSchema['inputs'], side: 'input'): void => {
    names.forEach((name, i) => {
      if (!name || formals.length === 0) return;
      const formal = formals[Math.min(i, formals.length - 1)]!;
      if (i >= formals.length && !formal.variadic) return;
      const v = n.graph.resolve(name) ?? n.graph.values.get(name);
      const t = v ? inference.typeOf(v) : null;
      if (!t || (t.kind === 'tensor' && !t.elemType)) return;
      const actual = typeToSchemaString(t);
      if (actual.includes('?') || actual.includes('undefined')) return;
      const allowed = s.typeConstraints[formal.type] ?? [formal.type];
      if (!allowed.includes(actual)) {
        out.push(diagnostic('type-constraint', `${label}: ${side} '${formal.name}' ('${name}') is ${actual}; ${formal.type} allows ${allowed.join(', ')}`, { ...where, value: name }));
        return;
      }
      if (formal.heterogeneous || !s.typeConstraints[formal.type]) return;
      const prior = bound.get(formal.type);
      if (prior && prior.type !== actual) {
        out.push(diagnostic('type-constraint', `${label}: '${name}' is ${actual} but '${prior.name}' is ${prior.type}; both are bound to ${formal.type}`, { ...where, value: name }));
      } else bound.set(formal.type, { type: actual, name });
    });
  };
  check(n.inputs, s.inputs, 'input');
}
