/** Checker findings: a stable code and rule name per kind, a severity, and where. */

export type Severity = 'error' | 'warning' | 'info';

export const RULES = {
  'invalid-model': { code: 'E001', severity: 'error', summary: 'model-level field missing or invalid (ir_version, graph)' },
  'unknown-op': { code: 'E101', severity: 'error', summary: 'operator not defined in the imported opset of its domain' },
  'missing-opset-import': { code: 'E102', severity: 'error', summary: "node's domain has no opset import" },
  'input-arity': { code: 'E103', severity: 'error', summary: 'wrong number of inputs, or a required input left empty' },
  'output-arity': { code: 'E104', severity: 'error', summary: 'wrong number of outputs' },
  'missing-attribute': { code: 'E105', severity: 'error', summary: 'required attribute missing' },
  'attribute-type': { code: 'E106', severity: 'error', summary: 'attribute has the wrong type' },
  'unknown-attribute': { code: 'E107', severity: 'error', summary: 'attribute not in the operator schema' },
  'undefined-value': { code: 'E201', severity: 'error', summary: 'input or graph output names a value nothing defines' },
  'duplicate-definition': { code: 'E202', severity: 'error', summary: 'a value is defined more than once' },
  'not-topologically-sorted': { code: 'E203', severity: 'error', summary: 'a node reads a value produced later in the graph' },
  'cycle': { code: 'E204', severity: 'error', summary: 'the graph has a cycle' },
  'type-constraint': { code: 'E301', severity: 'error', summary: "a value's type breaks the operator's type constraints" },
  'tensor-data': { code: 'E302', severity: 'error', summary: "a tensor's data does not match its type and shape" },
  'external-data': { code: 'E303', severity: 'error', summary: 'external data missing, too short or refused' },
  'inference-failed': { code: 'E401', severity: 'error', summary: "a node's shape inference failed on what the model gives it" },
  'deprecated-op': { code: 'W101', severity: 'warning', summary: 'operator deprecated at the imported opset' },
  'inferred-type-conflict': { code: 'W301', severity: 'warning', summary: 'declared type contradicts the inferred one' },
  'not-checked': { code: 'I101', severity: 'info', summary: 'operators of a domain without schemas here are not checked' },
} as const satisfies Record<string, { code: string; severity: Severity; summary: string }>;

export type RuleName = keyof typeof RULES;

export interface Diagnostic {
  rule: RuleName;
  code: string;
  severity: Severity;
  message: string;
  /** Stable node id (DESIGN.md §2) when the finding is about a node. */
  nodeId?: string;
  /** Graph id prefix ('' for the main graph). */
  graphId?: string;
  value?: string;
}

export function diagnostic(rule: RuleName, message: string, where: Pick<Diagnostic, 'nodeId' | 'graphId' | 'value'> = {}): Diagnostic {
  const r = RULES[rule];
  return { rule, code: r.code, severity: r.severity, message, ...where };
}
