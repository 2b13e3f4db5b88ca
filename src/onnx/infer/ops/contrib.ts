import type { Dim, Shape } from '../../model/value-type';
import type { InferFn, OpContext } from '../context';
import { broadcast, isNum, normAxis } from '../shape-math';
import { inferFromSchema } from './from-schema';
import { convShape, gemmShape, matmulShape } from './nn';

/**
 * Shape functions of ONNX Runtime's com.microsoft operators that quantized and optimized
 * models use; the others get element types from their schemas (from-schema.ts). Each one is
 * checked against what onnxruntime-node computes (test/contrib-ops.test.ts), except those it
 * has no CPU kernel for (NhwcConv, NhwcFusedConv, GroupNorm, SkipGroupNorm, BiasAdd, BiasSoftmax,
 * GemmFastGelu): they follow the documentation.
 */

const FLOAT = 1;
const UINT8 = 2;
const INT32 = 6;

type Elem = (c: OpContext) => number | undefined;
const elemOf = (i: number): Elem => (c) => c.elem(i);

/** [N, spatial…, C] ↔ [N, C, spatial…] for the channels-last variants. */
const channelsFirst = (s: Shape): Shape => (s && s.length >= 3 ? [s[0]!, s[s.length - 1]!, ...s.slice(1, -1)] : s);
const channelsLast = (s: Shape): Shape => (s && s.length >= 3 ? [s[0]!, ...s.slice(2), s[1]!] : s);

/** A Conv whose data is input xIn and weight input wIn; `last` says the data is channels-last. */
function conv(xIn: number, wIn: number, elem: Elem, last: (c: OpContext) => boolean): InferFn {
  return (c) => {
    const nhwc = last(c);
    const y = convShape(c, nhwc ? channelsFirst(c.shape(xIn)) : c.shape(xIn), c.shape(wIn));
    c.tensor(0, elem(c), nhwc ? channelsLast(y) : y);
  };
}
const channelsLastAttr = (c: OpContext): boolean => c.attrInt('channels_last', 0) !== 0;

const matmul = (aIn: number, bIn: number, elem: Elem): InferFn => (c) => c.tensor(0, elem(c), matmulShape(c.shape(aIn), c.shape(bIn)));

/** FusedMatMul: MatMul with transA/transB on the last two dims (batch transposes: shape unknown). */
const fusedMatMul: InferFn = (c) => {
  const swap = (s: Shape, t: boolean): Shape => (!s || !t ? s : s.length < 2 ? null : [...s.slice(0, -2), s[s.length - 1]!, s[s.length - 2]!]);
  if (c.attrInt('transBatchA', 0) || c.attrInt('transBatchB', 0)) return c.tensor(0, c.elem(0), null);
  c.tensor(0, c.elem(0), matmulShape(swap(c.shape(0), c.attrInt('transA', 0) !== 0), swap(c.shape(1), c.attrInt('transB', 0) !== 0)));
};

/** QGemm: quantized output typed by y_zero_point when given, else float (even with y_scale, as ORT does). */
const qgemm: InferFn = (c) => c.tensor(0, c.has(8) ? c.elem(8) : FLOAT, gemmShape(c, 0, 3));

const sameAsInput = (...outputs: number[]): InferFn => (c) => {
  for (const o of outputs) c.out(o, c.type(0));
};

const broadcasting = (inputs: number[], elem: Elem): InferFn => (c) => c.tensor(0, elem(c), broadcast(inputs.map((i) => c.shape(i))));

/** MatMulNBits and kin: A [..., K] times the packed [N, K] weight gives [..., N]. */
const matmulN: InferFn = (c) => {
  const a = c.shape(0);
  c.tensor(0, c.elem(0), a && a.length > 0 ? [...a.slice(0, -1), c.attrInt('N') ?? null] : null);
};

const globalPool: InferFn = (c) => {
  const x = c.shape(0);
  const nhwc = channelsLastAttr(c);
  c.tensor(0, c.elem(0), x && x.length >= 3 ? (nhwc ? [x[0]!, ...x.slice(1, -1).map(() => 1), x[x.length - 1]!] : [x[0]!, x[1]!, ...x.slice(2).map(() => 1)]) : null);
};

/** QLinearConcat: Y_scale, Y_zero_point, then (X, scale, zero point) per concatenated tensor. */
const qlinearConcat: InferFn = (c) => {
  const shapes: Shape[] = [];
  for (let i = 2; i < c.inputCount; i += 3) shapes.push(c.shape(i));
  const first = shapes[0];
  const axis = first ? normAxis(c.attrInt('axis', 0), first.length) : undefined;
  if (!first || axis === undefined || shapes.some((s) => !s || s.length !== first.length)) return c.tensor(0, c.elem(1), first ? first.map(() => null) : null);
  const sum = (shapes as Dim[][]).reduce<Dim>((acc, s) => (isNum(acc) && isNum(s[axis]!) ? acc + s[axis]! : null), 0);
  c.tensor(0, c.elem(1), first.map((d, i) => (i === axis ? sum : d)));
};

/** EmbedLayerNormalization: ids [B, S] and word embedding [V, H] give [B, S, H] and a [B] mask index. */
const embedLayerNorm: InferFn = (c) => {
  const ids = c.shape(0);
  const word = c.shape(2);
  const out: Shape = ids && ids.length === 2 ? [ids[0]!, ids[1]!, word && word.length === 2 ? word[1]! : null] : null;
  c.tensor(0, c.elem(2), out);
  c.tensor(1, INT32, ids ? [ids[0]!] : null);
  c.tensor(2, c.elem(2), out);
};

/** Attention: input [B, S, D] and merged weights [D, 3H] give [B, S, v_hidden_size]. */
const attention: InferFn = (c) => {
  const x = c.shape(0);
  const w = c.shape(1);
  const sizes = c.attrInts('qkv_hidden_sizes');
  const v: Dim = sizes ? sizes[2]! : w && w.length === 2 && isNum(w[1]!) && w[1] % 3 === 0 ? w[1] / 3 : null;
  c.tensor(0, c.elem(0), x && x.length === 3 ? [x[0]!, x[1]!, v] : null);
};

/**
 * MultiHeadAttention: query [B, S, D] gives [B, S, v_hidden_size], from value [B, L, Dv] or
 * past-style value [B, N, L, H]; packed QKV [B, S, N, 3, H] gives [B, S, N·H].
 */
const multiHeadAttention: InferFn = (c) => {
  const q = c.shape(0);
  const v = c.shape(2);
  const heads = c.attrInt('num_heads');
  let hidden: Dim = null;
  if (q?.length === 5) hidden = isNum(q[2]!) && isNum(q[4]!) ? q[2] * q[4] : null;
  else if (q?.length === 3 && !c.has(2)) hidden = q[2]!;
  else if (v?.length === 3) hidden = v[2]!;
  else if (v?.length === 4) hidden = heads !== undefined && isNum(v[3]!) ? heads * v[3] : null;
  c.tensor(0, c.elem(0), q && q.length >= 3 ? [q[0]!, q[1]!, hidden] : null);
};

/** GroupQueryAttention: [B, S, num_heads·head_size]; a packed query holds (num_heads + 2·kv_num_heads) heads. */
const groupQueryAttention: InferFn = (c) => {
  const q = c.shape(0);
  if (!q || q.length !== 3) return c.tensor(0, c.elem(0), null);
  const heads = c.attrInt('num_heads');
  const kvHeads = c.attrInt('kv_num_heads');
  const d = q[2]!;
  const packedHeads = heads !== undefined && kvHeads !== undefined ? heads + 2 * kvHeads : 0;
  const hidden: Dim = c.has(1) ? d : isNum(d) && packedHeads > 0 && d % packedHeads === 0 ? (d / packedHeads) * heads! : null;
  c.tensor(0, c.elem(0), [q[0]!, q[1]!, hidden]);
};

const SHAPE_FUNCTIONS: Record<string, InferFn> = {
  QLinearConv: conv(0, 3, elemOf(7), channelsLastAttr),
  FusedConv: conv(0, 1, elemOf(0), () => false),
  NhwcConv: conv(0, 1, elemOf(0), () => true),
  NhwcFusedConv: conv(0, 1, elemOf(0), () => true),
  MatMulIntegerToFloat: matmul(0, 1, elemOf(2)),
  DynamicQuantizeMatMul: matmul(0, 1, elemOf(0)),
  MatMulInteger16: matmul(0, 1, () => INT32),
  GemmFastGelu: matmul(0, 1, elemOf(0)),
  FusedMatMul: fusedMatMul,
  TransposeMatMul: fusedMatMul,
  QGemm: qgemm,
  FusedGemm: (c) => c.tensor(0, c.elem(0), gemmShape(c, 0, 1)),
  MatMulNBits: matmulN,
  MatMulBnb4: matmulN,
  QLinearAdd: broadcasting([0, 3], elemOf(0)),
  QLinearMul: broadcasting([0, 3], elemOf(0)),
  QLinearWhere: broadcasting([0, 1, 4], elemOf(1)),
  // Without a zero point ORT quantizes to uint8.
  QuantizeLinear: (c) => c.tensor(0, c.has(2) ? c.elem(2) : UINT8, c.shape(0)),
  DequantizeLinear: (c) => c.tensor(0, c.elem(1), c.shape(0)),
  QLinearSigmoid: sameAsInput(0),
  QLinearLeakyRelu: sameAsInput(0),
  QLinearSoftmax: sameAsInput(0),
  QLinearGlobalAveragePool: globalPool,
  QLinearConcat: qlinearConcat,
  Gelu: sameAsInput(0),
  FastGelu: sameAsInput(0),
  BiasGelu: sameAsInput(0),
  QuickGelu: sameAsInput(0),
  BiasAdd: sameAsInput(0),
  BiasSoftmax: sameAsInput(0),
  Inverse: sameAsInput(0),
  Trilu: sameAsInput(0),
  RotaryEmbedding: sameAsInput(0),
  GroupNorm: sameAsInput(0),
  SkipGroupNorm: sameAsInput(0, 1),
  SkipLayerNormalization: sameAsInput(0, 3),
  SkipSimplifiedLayerNormalization: sameAsInput(0, 3),
  EmbedLayerNormalization: embedLayerNorm,
  Attention: attention,
  MultiHeadAttention: multiHeadAttention,
  GroupQueryAttention: groupQueryAttention,
};

/** Outputs a shape function leaves alone (attention caches, normalization statistics) keep their types from the schema. */
export const CONTRIB_OPS: Record<string, InferFn> = Object.fromEntries(
  Object.entries(SHAPE_FUNCTIONS).map(([op, fn]) => [
    op,
    (c: OpContext) => {
      if (c.schema) inferFromSchema(c);
      fn(c);
    },
  ]),
);
