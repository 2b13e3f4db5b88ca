import type { Node, Value } from '../../onnx/model/graph';
import type { InferenceResult } from '../../onnx/infer/infer';
import type { Shape } from '../../onnx/model/value-type';
import { toNumbers, type Tensor } from '../../onnx/tensor';

/** Values read from a constant input at most (zero points, axes, K): more is a weight, not a parameter. */
const CONST_READ_LIMIT = 1 << 16;

/**
 * What the restriction checks ask of one node: its inputs' types, shapes and constant values,
 * through inference (declared types merged, small values folded) and the stored tensors.
 */
export class NodeFacts {
  constructor(
    readonly node: Node,
    private readonly inference: InferenceResult,
    /** The model's opset for the node's domain. */
    readonly opset: number,
  ) {}

  get op(): string {
    return this.node.opType;
  }
  /** Whether input i is given (optional inputs may be '' or missing). */
  has(i: number): boolean {
    return !!this.node.inputs[i];
  }
  hasOutput(i: number): boolean {
    return !!this.node.outputs[i];
  }
  /** The value input i names, resolved to its definition (outer graphs included). */
  input(i: number): Value | undefined {
    const v = this.node.inputValue(i);
    return v && (this.node.graph.definitionOf(v) ?? v);
  }
  output(i: number): Value | undefined {
    return this.node.outputValue(i);
  }
  elemOf(v: Value | undefined): number | undefined {
    const t = v && this.inference.typeOf(v);
    return t && (t.kind === 'tensor' || t.kind === 'sparse_tensor') && t.elemType ? t.elemType : undefined;
  }
  shapeOf(v: Value | undefined): Shape {
    const t = v && this.inference.typeOf(v);
    return t && (t.kind === 'tensor' || t.kind === 'sparse_tensor') ? t.shape : null;
  }
  elem(i: number): number | undefined {
    return this.elemOf(this.input(i));
  }
  shape(i: number): Shape {
    return this.shapeOf(this.input(i));
  }
  rank(i: number): number | undefined {
    return this.shape(i)?.length;
  }
  /** The stored tensor behind input i: an initializer or a Constant node's `value`. */
  storedTensor(i: number): Tensor | undefined {
    const v = this.input(i);
    if (!v) return undefined;
    if (v.initializer) return v.initializer;
    const p = v.producer;
    return p && p.opType === 'Constant' && p.domain === '' ? p.attribute('value')?.tensor() : undefined;
  }
  /** Input i is known before the build: an initializer, a Constant node's output, or a value inference folds. */
  isConstant(i: number): boolean {
    const v = this.input(i);
    if (!v) return false;
    if (v.initializer || v.sparseInitializer) return true;
    if (v.producer?.opType === 'Constant' && v.producer.domain === '') return true;
    const folded = this.inference.valueOf(v);
    return !!folded && folded.data.every((d) => typeof d === 'number');
  }
  /** The numbers of constant input i (capped read); undefined when not constant or unreadable. */
  numbers(i: number): number[] | undefined {
    const v = this.input(i);
    if (!v) return undefined;
    const folded = this.inference.valueOf(v);
    if (folded && folded.data.every((d) => typeof d === 'number')) return folded.data as number[];
    const stored = this.storedTensor(i) ?? constantScalar(v);
    if (stored instanceof Array) return stored;
    if (!stored) return undefined;
    try {
      const r = stored.read(CONST_READ_LIMIT);
      return r.truncated || Array.isArray(r.values) ? undefined : toNumbers(r.values);
    } catch {
      return undefined; // a malformed tensor: the checker reports it; here the value is unknown
    }
  }
  attrInt(name: string, fallback: number): number {
    const a = this.node.attribute(name);
    return a ? a.int() : fallback;
  }
  attrInts(name: string): number[] | undefined {
    return this.node.attribute(name)?.ints();
  }
  attrString(name: string, fallback: string): string {
    const a = this.node.attribute(name);
    return a ? a.string() : fallback;
  }
  attrStrings(name: string): string[] | undefined {
    return this.node.attribute(name)?.strings();
  }
  hasAttr(name: string): boolean {
    return !!this.node.attribute(name);
  }
}

/** A Constant written with value_int(s)/value_float(s) instead of a tensor. */
function constantScalar(v: Value): number[] | undefined {
  const p = v.producer;
  if (!p || p.opType !== 'Constant' || p.domain !== '') return undefined;
  for (const a of p.attributes) {
    if (a.name === 'value_int') return [a.int()];
    if (a.name === 'value_ints') return a.ints();
    if (a.name === 'value_float') return [a.float()];
    if (a.name === 'value_floats') return a.proto.floats.slice();
  }
  return undefined;
}
