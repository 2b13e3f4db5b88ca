import type { InferenceResult } from '../infer/infer';
import type { Node } from '../model/graph';
import { typeToSchemaString } from '../model/value-type';
import { attributeTypeByName, attributeTypeName } from '../proto/types';
import { isKnownDomain, opVersions, resolveSchema } from '../schema/registry';
import type { OpSchema } from '../schema/types';
import { diagnostic, type Diagnostic, type RuleName } from './diagnostics';


/** One node against the schema its model's opset import resolves to. */
export function checkNode(n: Node, opsets: Map<string, number>, inference: InferenceResult, out: Diagnostic[]): void {
  const report: Report = (rule, message, value) => out.push(diagnostic(rule, message, { nodeId: n.id, graphId: n.graph.id, value }));
  const label = nodeLabel(n);
  const version = opsets.get(n.domain);
  if (version === undefined) {
    report('missing-opset-import', `${label} uses domain '${n.domain || 'ai.onnx'}', which the model does not import`);
    return;
  }
  if (!isKnownDomain(n.domain)) return;
  const schema = resolveSchema(n.domain, n.opType, version);
  if (!schema) {
    const first = opVersions(n.domain, n.opType)?.[0]?.since;
    const why = first ? `introduced in opset ${first}` : 'no such operator';
    report('unknown-op', `${label}: not in opset ${version} of '${n.domain || 'ai.onnx'}' (${why})`);
    return;
  }
  if (schema.deprecated) report('deprecated-op', `${label}: deprecated in opset ${version} (since ${schema.since})`);
  checkArity(n, schema, label, report);
  checkAttributes(n, schema, label, report);
  checkTypes(n, schema, inference, label, report);
}

/** Adds a finding about the node being checked (built only when there is one). */
type Report = (rule: RuleName, message: string, value?: string) => void;
type Label = { toString(): string };

/** `Conv 'name'` for messages; a lazy string so that valid nodes cost nothing. */
function nodeLabel(n: Node): { toString(): string } {
  return { toString: () => `${n.opType || '(empty op_type)'} '${n.name || n.id}'` };
}

function checkArity(n: Node, s: OpSchema, label: Label, report: Report): void {
  const nIn = n.inputs.length;
  if (nIn < s.minInputs || (s.maxInputs >= 0 && nIn > s.maxInputs)) {
    report('input-arity', `${label} has ${nIn} inputs; ${range(s.minInputs, s.maxInputs)} expected`);
  }
  s.inputs.forEach((f, i) => {
    if (!f.optional && !f.variadic && i < nIn && !n.inputs[i]) report('input-arity', `${label}: required input '${f.name}' (#${i}) is empty`);
  });
  const nOut = n.outputs.length;
  if (nOut < s.minOutputs || (s.maxOutputs >= 0 && nOut > s.maxOutputs)) {
    report('output-arity', `${label} has ${nOut} outputs; ${range(s.minOutputs, s.maxOutputs)} expected`);
  }
}

const range = (min: number, max: number): string => (max < 0 ? `at least ${min}` : min === max ? `${min}` : `${min} to ${max}`);

function checkAttributes(n: Node, s: OpSchema, label: Label, report: Report): void {
  for (const a of n.attributes) {
    const spec = s.attributes.find((x) => x.name === a.name);
    if (!spec) {
      report('unknown-attribute', `${label}: attribute '${a.name}' is not defined for ${n.opType}-${s.since}`);
      continue;
    }
    const want = attributeTypeByName(spec.type);
    if (!a.isRef && a.type !== want) {
      report('attribute-type', `${label}: attribute '${a.name}' is ${attributeTypeName(a.type)}, expected ${spec.type}`);
    }
  }
  for (const spec of s.attributes) {
    if (spec.required && !n.attributes.some((a) => a.name === spec.name)) report('missing-attribute', `${label}: required attribute '${spec.name}' (${spec.type}) is missing`);
  }
  // Constant needs exactly one value attribute (its schema marks none as required).
  if (n.opType === 'Constant' && n.domain === '' && n.attributes.length !== 1) {
    report('missing-attribute', `${label}: Constant needs exactly one value attribute, has ${n.attributes.length}`);
  }
}

/**
 * Each typed input against its formal's allowed types; inputs sharing a type variable must
 * agree. Outputs are not judged, as in ONNX: their types come from inference, and exporters
 * rely on that (PyTorch writes int64 Constant-1 nodes).
 */
function checkTypes(n: Node, s: OpSchema, inference: InferenceResult, label: Label, report: Report): void {
  let bound: Map<string, { type: string; name: string }> | undefined;
  const check = (names: string[], formals: OpSchema['inputs'], side: 'input'): void => {
    names.forEach((name, i) => {
      if (!name || formals.length === 0) return;
      const formal = formals[Math.min(i, formals.length - 1)]!;
      if (i >= formals.length && !formal.variadic) return;
      const read = n.inputValue(i);
      const v = read && n.graph.definitionOf(read);
      const t = v ? inference.typeOf(v) : null;
      if (!t || (t.kind === 'tensor' && !t.elemType)) return;
      const actual = typeToSchemaString(t);
      if (actual.includes('?') || actual.includes('undefined')) return;
      const allowed = s.typeConstraints[formal.type] ?? [formal.type];
      if (!allowed.includes(actual)) {
        report('type-constraint', `${label}: ${side} '${formal.name}' ('${name}') is ${actual}; ${formal.type} allows ${allowed.join(', ')}`, name);
        return;
      }
      if (formal.heterogeneous || !s.typeConstraints[formal.type]) return;
      const prior = bound?.get(formal.type);
      if (prior && prior.type !== actual) {
        report('type-constraint', `${label}: '${name}' is ${actual} but '${prior.name}' is ${prior.type}; both are bound to ${formal.type}`, name);
      } else (bound ??= new Map()).set(formal.type, { type: actual, name });
    });
  };
  check(n.inputs, s.inputs, 'input');
}
