import type { Dim } from '../../onnx/model/value-type';
import type { NodeFacts } from './node-facts';
import { unknown, violated, type Verdict } from './verdict';

/** Which input holds `axes` (or `axis`) for the ops whose matrix row restricts it. */
function axesInput(op: string): number {
  if (op === 'Slice' || op === 'Pad') return 3;
  return 1; // Squeeze, Unsqueeze, Reduce*, CumSum
}

/**
 * Input `index` must be known before the build. `strict` ("must be an initializer"): a value
 * computed at run time is a violation; otherwise ("resolvable to / build-time constant") TensorRT
 * may still resolve it, so a value we cannot fold is a condition. A graph input never is constant.
 */
export function constantInput(f: NodeFacts, index: number, name: string, strict: boolean): Verdict {
  if (!f.has(index) || f.isConstant(index)) return undefined;
  const v = f.input(index);
  if (v?.isGraphInput) return violated(`\`${name}\` is the graph input '${v.name}', not a constant`);
  const detail = `\`${name}\` is ${runtimeSource(f, index)}: fold constants first (e.g. polygraphy surgeon sanitize --fold-constants)`;
  return strict ? violated(detail) : unknown(detail);
}

/** Where a value that is not constant comes from: a graph input, or the node that computes it. */
function runtimeSource(f: NodeFacts, index: number): string {
  const v = f.input(index);
  if (v?.isGraphInput) return `the graph input '${v.name}'`;
  return `computed at run time${v?.producer ? ` (by ${v.producer.opType} '${v.producer.name || v.producer.id}')` : ''}`;
}

/**
 * A restriction on the value of input `index` (not on its being constant): a value that is not
 * constant may still meet it, so the node is conditional, not unsupported. undefined when the
 * input is absent or constant (the caller reads the value then).
 */
export function valueUnknown(f: NodeFacts, index: number, name: string): Verdict {
  if (!f.has(index)) return undefined;
  if (f.isConstant(index)) return unknown(`\`${name}\` could not be read`);
  return unknown(`\`${name}\` is not known before the build (${runtimeSource(f, index)})`);
}

export const axesConstant = (strict: boolean) => (f: NodeFacts): Verdict => constantInput(f, axesInput(f.op), f.op === 'CumSum' ? 'axis' : 'axes', strict);

/** The zero point (input 2 of Q/DQ) must hold only zeros; an absent one is zero. */
export function zeroPointZero(f: NodeFacts): Verdict {
  if (!f.has(2)) return undefined;
  const values = f.numbers(2);
  if (!values) return valueUnknown(f, 2, f.op === 'QuantizeLinear' ? 'y_zero_point' : 'x_zero_point');
  const nonZero = values.filter((x) => x !== 0).length;
  return nonZero ? violated(`the zero point has ${nonZero} non-zero value(s): asymmetric quantization`) : undefined;
}

/** Inputs `indices` (when given) must have rank `rank`; an unknown rank is a condition. */
export const ranksAre = (rank: number, indices: number[], names: string[]) => (f: NodeFacts): Verdict => {
  for (const [k, i] of indices.entries()) {
    if (!f.has(i)) continue;
    const r = f.rank(i);
    if (r === undefined) return unknown(`the rank of \`${names[k]}\` is unknown; it must be ${rank}D`);
    if (r !== rank) return violated(`\`${names[k]}\` is ${r}D, not ${rank}D`);
  }
  return undefined;
};

/** Inputs that must be absent (optional inputs TensorRT does not implement). */
export const inputsAbsent = (indices: number[], names: string[]) => (f: NodeFacts): Verdict => {
  const given = indices.filter((i) => f.has(i)).map((i) => names[indices.indexOf(i)]);
  return given.length ? violated(`input(s) ${given.map((n) => `\`${n}\``).join(', ')} given`) : undefined;
};

/** Outputs that must be absent. */
export const outputsAbsent = (indices: number[], names: string[]) => (f: NodeFacts): Verdict => {
  const used = indices.filter((i) => f.hasOutput(i)).map((i) => names[indices.indexOf(i)]);
  return used.length ? violated(`output(s) ${used.map((n) => `\`${n}\``).join(', ')} used`) : undefined;
};

/**
 * Whether a dim of input `index` is fixed before the build: a number is; a symbolic dim, or an
 * unset one of a graph input, is dynamic; an unset one of a computed value is only unknown to
 * our inference (TensorRT's own shape propagation may fix it).
 */
export function dimKind(f: NodeFacts, index: number, d: Dim | undefined): 'static' | 'dynamic' | 'unknown' {
  if (typeof d === 'number') return 'static';
  if (typeof d === 'string' || f.input(index)?.isGraphInput) return 'dynamic';
  return 'unknown';
}

/** Every dim of input `index` must be a number. */
export function staticShape(f: NodeFacts, index: number, name: string): Verdict {
  const s = f.shape(index);
  if (!s) return unknown(`the shape of \`${name}\` is unknown; it must be static`);
  const dynamic = s.filter((d) => dimKind(f, index, d) === 'dynamic');
  if (dynamic.length) return violated(`\`${name}\` has dynamic dims (${dynamic.map((d) => d ?? 'unset').join(', ')})`);
  return s.some((d) => dimKind(f, index, d) === 'unknown') ? unknown(`shape inference leaves dims of \`${name}\` unknown; they must be static`) : undefined;
}
