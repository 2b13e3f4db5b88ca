import type { Graph } from '../../onnx/model/graph';
import type { Dim } from '../../onnx/model/value-type';
import { constantInput, dimKind, valueUnknown } from './input-checks';
import type { NodeFacts } from './node-facts';
import { unknown, violated, type Verdict } from './verdict';

const INT64 = 7;

/** Resize (opset 18+): when `scales` is given and `axes` is set, axes must be 0 … rank-1 in order. */
export function resizeAxesIota(f: NodeFacts): Verdict {
  const axes = f.attrInts('axes');
  if (!axes || !f.has(2)) return undefined;
  const rank = f.rank(0);
  if (rank === undefined) return unknown('the input rank is unknown, so `axes` cannot be compared with it');
  const normalized = axes.map((a) => (a < 0 ? a + rank : a));
  return normalized.length === rank && normalized.every((a, i) => a === i) ? undefined : violated(`\`axes\` [${axes.join(', ')}] is not 0…${rank - 1}`);
}

function einsumOperands(f: NodeFacts): string[] {
  return f.attrString('equation', '').replace(/\s/g, '').split('->')[0]!.split(',');
}

export function einsumNoEllipsisOrDiagonal(f: NodeFacts): Verdict {
  for (const term of einsumOperands(f)) {
    if (term.includes('...')) return violated(`the equation uses an ellipsis ('${term}')`);
    if (new Set(term).size !== term.length) return violated(`the equation takes a diagonal ('${term}')`);
  }
  return undefined;
}

/** Every letter names one size across the operands: a 1 against a larger size is broadcasting. */
export function einsumNoBroadcast(f: NodeFacts): Verdict {
  const sizes = new Map<string, number>();
  const terms = einsumOperands(f);
  for (const [i, term] of terms.entries()) {
    if (term.includes('.')) return unknown('the equation uses an ellipsis; broadcasting cannot be ruled out');
    const shape = f.shape(i);
    if (!shape || shape.length !== term.length) return unknown(`the shape of operand ${i} is unknown`);
    for (const [k, letter] of [...term].entries()) {
      const d = shape[k];
      if (typeof d !== 'number') return unknown(`operand ${i} has a dynamic dim for '${letter}'`);
      const seen = sizes.get(letter);
      if (seen !== undefined && seen !== d) return violated(`'${letter}' is ${seen} in one operand and ${d} in another (broadcasting)`);
      sizes.set(letter, d);
    }
  }
  return undefined;
}

/** If: the two branches' outputs have different names and, per output, the same rank or broadcastable shapes. */
export const ifBranches = (shapes: 'same-rank' | 'broadcastable') => (f: NodeFacts): Verdict => {
  const branch = (name: string): Graph | undefined => f.node.subgraphs.find((g) => g.owner?.attribute === name);
  const then = branch('then_branch');
  const other = branch('else_branch');
  if (!then || !other) return undefined; // the checker reports the missing branch
  let undecided: string | undefined;
  for (let i = 0; i < Math.min(then.outputs.length, other.outputs.length); i++) {
    const a = then.outputs[i]!;
    const b = other.outputs[i]!;
    if (a.name === b.name) return violated(`both branches name output ${i} '${a.name}'`);
    const sa = f.shapeOf(then.definitionOf(a) ?? a);
    const sb = f.shapeOf(other.definitionOf(b) ?? b);
    if (!sa || !sb) {
      undecided ??= `the shapes of output ${i} are unknown`;
      continue;
    }
    if (shapes === 'same-rank' && sa.length !== sb.length) return violated(`output ${i} is ${sa.length}D in then_branch and ${sb.length}D in else_branch`);
    if (shapes === 'broadcastable' && !broadcastable(sa, sb)) return violated(`output ${i} shapes [${sa.join(', ')}] and [${sb.join(', ')}] do not broadcast`);
  }
  return undecided ? unknown(undecided) : undefined;
};

function broadcastable(a: Dim[], b: Dim[]): boolean {
  for (let i = 1; i <= Math.min(a.length, b.length); i++) {
    const x = a[a.length - i];
    const y = b[b.length - i];
    if (typeof x === 'number' && typeof y === 'number' && x !== y && x !== 1 && y !== 1) return false;
  }
  return true;
}

/** Loop with scan outputs: the trip count must be known before the build. */
export function loopScanLength(f: NodeFacts): Verdict {
  const carried = Math.max(0, f.node.inputs.length - 2);
  const scanOutputs = f.node.outputs.length - carried;
  if (scanOutputs <= 0) return undefined;
  if (!f.has(0)) return violated('the Loop has scan outputs and no trip count `M`');
  return constantInput(f, 0, 'M', false);
}

export function dropoutNotTraining(f: NodeFacts): Verdict {
  if (!f.has(2)) return undefined;
  const values = f.numbers(2);
  if (!values) return constantInput(f, 2, 'training_mode', true) ?? unknown('`training_mode` could not be read');
  return values.some((x) => x !== 0) ? violated('`training_mode` is true') : undefined;
}

/** Hardmax: the dim at `axis` must be a number. */
export function hardmaxAxisStatic(f: NodeFacts): Verdict {
  const shape = f.shape(0);
  if (!shape) return unknown('the input shape is unknown');
  const axis = f.attrInt('axis', f.opset >= 13 ? -1 : 1);
  const d = shape[axis < 0 ? axis + shape.length : axis];
  if (d === undefined) return unknown(`axis ${axis} is outside the input's rank ${shape.length}`);
  const kind = dimKind(f, 0, d);
  if (kind === 'unknown') return unknown(`shape inference leaves the dim at axis ${axis} unknown; it must be static`);
  return kind === 'dynamic' ? violated(`the dim at axis ${axis} is dynamic (${d ?? 'unset'})`) : undefined;
}

export function topKBelow3840(f: NodeFacts): Verdict {
  const k = f.has(1) ? f.numbers(1)?.[0] : f.attrInt('k', 0);
  if (k === undefined) return valueUnknown(f, 1, 'K');
  return k < 3840 ? undefined : violated(`K is ${k}`);
}

export function rotaryPositionIdsInt64(f: NodeFacts): Verdict {
  if (!f.has(3)) return undefined;
  const e = f.elem(3);
  if (e === undefined) return unknown('the type of `position_ids` is unknown');
  return e === INT64 ? undefined : violated('`position_ids` is not INT64');
}

/** STFT: the signal's last dim is 1 for real input, 2 for complex. */
export function stftRealInput(f: NodeFacts): Verdict {
  const last = f.shape(0)?.at(-1);
  if (last === undefined || last === null || typeof last !== 'number') return unknown('the signal shape is unknown');
  return last === 1 ? undefined : violated('the signal is complex-valued (last dim 2)');
}

/** Attention: `q_num_heads`/`kv_num_heads`, when set, must match the second dim of 4D Q and K/V. */
export function attentionHeadsFromShape(f: NodeFacts): Verdict {
  for (const [attr, input] of [['q_num_heads', 0], ['kv_num_heads', 1]] as const) {
    if (!f.hasAttr(attr)) continue;
    const heads = f.attrInt(attr, 0);
    const shape = f.shape(input);
    if (!shape) return unknown(`the shape of input ${input} is unknown`);
    if (shape.length !== 4) return violated(`\`${attr}\` is set on a ${shape.length}D input: TensorRT reads heads from dim 1 of a 4D input`);
    if (typeof shape[1] === 'number' && shape[1] !== heads) return violated(`\`${attr}\` ${heads} differs from dim 1 (${shape[1]})`);
  }
  return undefined;
}

/** DeformConv: input rank 3 or 4 (1 or 2 spatial dims). */
export function deformSpatialRank(f: NodeFacts): Verdict {
  const rank = f.rank(0);
  if (rank === undefined) return unknown('the input rank is unknown; it must have 1 or 2 spatial dims');
  return rank === 3 || rank === 4 ? undefined : violated(`the input has ${rank - 2} spatial dims`);
}
