import type { Dim, Shape, ValueType } from '../../model/value-type';
import type { InferFn } from '../context';

/** If / Loop / Scan and the sequence and optional operators. */

const BOOL = 9;
const INT64 = 7;
const scalar = (elemType: number): ValueType => ({ kind: 'tensor', elemType, shape: [] });

/** Two branch types joined: equal parts kept, differing dims unknown. */
function joinTypes(a: ValueType | null, b: ValueType | null): ValueType | null {
  if (!a || !b) return a ?? b;
  if (a.kind !== 'tensor' || b.kind !== 'tensor') return JSON.stringify(a) === JSON.stringify(b) ? a : a.kind === b.kind ? a : null;
  if (a.elemType !== b.elemType) return null;
  const shape: Shape = a.shape && b.shape && a.shape.length === b.shape.length ? a.shape.map((d, i) => (d === b.shape![i] ? d : null)) : null;
  return { kind: 'tensor', elemType: a.elemType, shape };
}

const ifOp: InferFn = (c) => {
  const thenG = c.graphAttr('then_branch');
  const elseG = c.graphAttr('else_branch');
  const t = thenG ? c.subgraph(thenG, []) : [];
  const e = elseG ? c.subgraph(elseG, []) : [];
  for (let i = 0; i < c.outputCount; i++) c.out(i, joinTypes(t[i] ?? null, e[i] ?? null));
};

const loop: InferFn = (c) => {
  const body = c.graphAttr('body');
  if (!body) return;
  const carried = Array.from({ length: Math.max(0, c.inputCount - 2) }, (_, i) => c.type(i + 2));
  const outs = c.subgraph(body, [scalar(INT64), scalar(BOOL), ...carried]);
  const n = carried.length;
  for (let i = 0; i < c.outputCount; i++) {
    const t = outs[i + 1] ?? null;
    if (i < n) c.out(i, joinTypes(carried[i] ?? null, t) ?? t);
    else if (t && t.kind === 'tensor') c.tensor(i, t.elemType, t.shape ? [null, ...t.shape] : null);
    else c.out(i, t);
  }
};

const scan: InferFn = (c) => {
  const body = c.graphAttr('body');
  if (!body) return;
  const nScan = c.attrInt('num_scan_inputs', 0);
  if (!(nScan >= 0 && nScan <= c.inputCount)) throw new Error(`num_scan_inputs ${nScan} is not within the node's ${c.inputCount} inputs`);
  if (c.opset < 9) {
    // Scan-8 (leading sequence_lens input, batch axes everywhere): element types only.
    const body8 = c.subgraph(body, Array(Math.max(0, c.inputCount - 1)).fill(null));
    body8.forEach((t, i) => c.tensor(i, t && t.kind === 'tensor' ? t.elemType : undefined, null));
    return;
  }
  const nState = c.inputCount - nScan;
  const axes = c.attrInts('scan_input_axes') ?? Array(nScan).fill(0);
  const outAxes = c.attrInts('scan_output_axes');
  const state = Array.from({ length: nState }, (_, i) => c.type(i));
  let seqLen: Dim = null;
  const scanIn = Array.from({ length: nScan }, (_, k): ValueType | null => {
    const t = c.type(nState + k);
    if (!t || t.kind !== 'tensor' || !t.shape) return t && t.kind === 'tensor' ? { ...t, shape: null } : null;
    const axis = axes[k]! < 0 ? axes[k]! + t.shape.length : axes[k]!;
    seqLen ??= t.shape[axis] ?? null;
    const shape = t.shape.filter((_, i) => i !== axis);
    return { kind: 'tensor', elemType: t.elemType, shape };
  });
  const outs = c.subgraph(body, [...state, ...scanIn]);
  for (let i = 0; i < c.outputCount; i++) {
    const t = outs[i] ?? null;
    if (i < nState || !t || t.kind !== 'tensor') {
      c.out(i, t);
      continue;
    }
    if (!t.shape) {
      c.tensor(i, t.elemType, null);
      continue;
    }
    const shape = [...t.shape];
    const ax = outAxes?.[i - nState] ?? 0;
    shape.splice(ax < 0 ? ax + shape.length + 1 : ax, 0, seqLen);
    c.tensor(i, t.elemType, shape);
  }
};

const seqOf = (t: ValueType | null): ValueType => ({ kind: 'sequence', elem: t && t.kind === 'tensor' ? { ...t, shape: null } : t });
const seqElem = (t: ValueType | null): ValueType | null => (t && t.kind === 'sequence' ? t.elem : null);

export const CONTROL_OPS: Record<string, InferFn> = {
  If: ifOp,
  Loop: loop,
  Scan: scan,
  SequenceConstruct: (c) => c.out(0, seqOf(c.type(0))),
  SequenceEmpty: (c) => c.out(0, { kind: 'sequence', elem: { kind: 'tensor', elemType: c.attrInt('dtype', 1), shape: null } }),
  SequenceInsert: (c) => c.out(0, c.type(0)),
  SequenceErase: (c) => c.out(0, c.type(0)),
  SequenceAt: (c) => c.out(0, seqElem(c.type(0))),
  SequenceLength: (c) => c.out(0, scalar(INT64)),
  SplitToSequence: (c) => c.out(0, seqOf(c.type(0))),
  ConcatFromSequence: (c) => {
    const e = seqElem(c.type(0));
    c.tensor(0, e && e.kind === 'tensor' ? e.elemType : undefined, null);
  },
  SequenceMap: (c) => {
    const body = c.graphAttr('body');
    if (!body) return;
    const ins = Array.from({ length: c.inputCount }, (_, i) => {
      const t = c.type(i);
      return t && t.kind === 'sequence' ? t.elem : t;
    });
    const outs = c.subgraph(body, ins);
    for (let i = 0; i < c.outputCount; i++) c.out(i, seqOf(outs[i] ?? null));
  },
  Optional: (c) => {
    const tp = c.node.attribute('type')?.proto.tp;
    c.out(0, { kind: 'optional', elem: c.has(0) ? c.type(0) : tp?.tensor_type ? { kind: 'tensor', elemType: tp.tensor_type.elem_type ?? 0, shape: null } : null });
  },
  OptionalHasElement: (c) => c.out(0, scalar(BOOL)),
  OptionalGetElement: (c) => {
    const t = c.type(0);
    c.out(0, t && t.kind === 'optional' ? t.elem : t);
  },
};
