import type { Node } from '../../onnx/model/graph';
import { toNumber } from '../../onnx/proto/byte-range';
import { resolveSchema } from '../../onnx/schema/registry';
import type { FormalParameter, OpSchema } from '../../onnx/schema/types';

/** Precision a float value has in the output model. */
export type Prec = 16 | 32;

export const FLOAT = 1;
export const FLOAT16 = 10;

const CONTROL_FLOW = new Set(['If', 'Loop', 'Scan']);

/**
 * Float shape arithmetic: operators that, when every float output they make feeds an input
 * that must stay float32 (Resize scales, a Cast to an integer), stay float32 themselves, so
 * sizes and scales are computed exactly instead of through float16 and back.
 */
const SHAPE_ARITHMETIC = new Set([
  'Cast', 'Mul', 'Div', 'Add', 'Sub', 'Floor', 'Ceil', 'Round', 'Neg', 'Abs', 'Sqrt', 'Reciprocal', 'Concat', 'Gather',
  'Slice', 'Squeeze', 'Unsqueeze', 'Reshape', 'Identity', 'ConstantOfShape', 'Min', 'Max', 'Range',
]);

export function schemaOf(node: Node, opsets: Map<string, number>): OpSchema | undefined {
  const version = opsets.get(node.domain) ?? (node.domain === '' ? 1 : 0);
  return resolveSchema(node.domain, node.opType, version);
}

/** Why a node keeps float32 whatever its neighbours do, or undefined when it may convert. */
export function staticKeepReason(node: Node, schema: OpSchema | undefined, blockOps: ReadonlySet<string>, blockNodes: ReadonlySet<string>): string | undefined {
  if (blockNodes.size && (blockNodes.has(node.name) || blockNodes.has(node.id))) return 'node block list';
  if (blockOps.has(node.opType)) return 'op block list';
  if (!schema) return `no schema known for ${node.domain ? `${node.domain}::` : ''}${node.opType}: its float16 support is unknown`;
  if (node.subgraphs.length && !(node.domain === '' && CONTROL_FLOW.has(node.opType))) return 'an operator with subgraphs other than If/Loop/Scan';
  if (node.opType === 'Constant' && node.domain === '' && node.attributes.some((a) => a.name === 'sparse_value')) return 'a sparse Constant';
  if (node.opType === 'Cast' && node.domain === '' && node.attribute('to')?.proto.s !== undefined) return "a Cast whose 'to' is a type name (opset < 6)";
  return undefined;
}

export const mayAutoKeep = (node: Node): boolean => node.domain === '' && SHAPE_ARITHMETIC.has(node.opType) && node.subgraphs.length === 0;

/** The formal parameter of position i (the last one repeats when variadic). */
function formalAt(params: readonly FormalParameter[], i: number): FormalParameter | undefined {
  if (i < params.length) return params[i];
  const last = params[params.length - 1];
  return last?.variadic ? last : undefined;
}

function allowsFloat16(schema: OpSchema, p: FormalParameter | undefined): boolean {
  if (!p) return false;
  return (schema.typeConstraints[p.type] ?? [p.type]).includes('tensor(float16)');
}

function castTarget(node: Node): number {
  return toNumber(node.attribute('to')?.proto.i ?? 0);
}

/**
 * The precision a converted node wants for float input i, from its type constraints; `hard`
 * when float16 is not allowed there at all (or would round integers on their way out of
 * float: a Cast to an integer type).
 */
export function inputWant(node: Node, schema: OpSchema, i: number, isFloatInput: (i: number) => boolean): { want: Prec; hard: boolean } {
  if (node.domain === '' && node.opType === 'Cast') {
    const to = castTarget(node);
    return to === FLOAT || to === FLOAT16 ? { want: 16, hard: false } : { want: 32, hard: true };
  }
  if (node.domain === '' && node.opType === 'CastLike' && i === 0) {
    return isFloatInput(1) ? { want: 16, hard: false } : { want: 32, hard: true };
  }
  return allowsFloat16(schema, formalAt(schema.inputs, i)) ? { want: 16, hard: false } : { want: 32, hard: true };
}

/** Whether a converted node's float output i may be float16. */
export const outputMayBeFloat16 = (schema: OpSchema, i: number): boolean => allowsFloat16(schema, formalAt(schema.outputs, i));

/** Ops whose float output type comes from an attribute, and that attribute. */
export const DTYPE_ATTRIBUTE: Record<string, { name: string; absentIsFloat: boolean }> = {
  EyeLike: { name: 'dtype', absentIsFloat: false },
  RandomNormalLike: { name: 'dtype', absentIsFloat: false },
  RandomUniformLike: { name: 'dtype', absentIsFloat: false },
  Bernoulli: { name: 'dtype', absentIsFloat: false },
  RandomNormal: { name: 'dtype', absentIsFloat: true },
  RandomUniform: { name: 'dtype', absentIsFloat: true },
  Cast: { name: 'to', absentIsFloat: false },
};

/**
 * Whether output i is float32 when inference left its type unknown: a literal tensor(float)
 * output, a dtype attribute (or its float default), or a type variable shared with a float32 input.
 */
export function outputIsFloatBySchema(node: Node, schema: OpSchema | undefined, i: number, inputElemType: (k: number) => number | undefined): boolean {
  const rule = node.domain === '' ? DTYPE_ATTRIBUTE[node.opType] : undefined;
  if (rule) {
    const a = node.attribute(rule.name);
    if (a) return a.proto.i !== undefined && toNumber(a.proto.i) === FLOAT;
    if (rule.absentIsFloat) return true;
  }
  const p = schema && formalAt(schema.outputs, i);
  if (!p) return false;
  if (p.type === 'tensor(float)') return true;
  return schema.inputs.some((f, k) => f.type === p.type && inputElemType(k) === FLOAT);
}
