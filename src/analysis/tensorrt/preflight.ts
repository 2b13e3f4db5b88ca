import type { Model, Node } from '../../onnx/model/graph';
import type { InferenceResult } from '../../onnx/infer/infer';
import { dataTypeName } from '../../onnx/dtypes';
import { NodeFacts } from './node-facts';
import { modelParameters, type Parameter } from './parameters';
import { scanWeight } from './weight-scan';
import { twoFourSparseLayers, twoFourMessage } from './two-four-sparse';
import { matrixFor, type TensorRTVersion } from './versions';

/** What will break or degrade a TensorRT build of a quantized (or about to be) model, and what to do instead. */
export interface PreflightFinding {
  code: 'asymmetric-zero-point' | 'int32-dequantize' | 'qoperator-op' | 'contrib-op' | 'int64-weight' | 'fp16-out-of-range' | 'two-four-sparse';
  /** `qdq`: findings on QuantizeLinear/DequantizeLinear nodes. */
  category: 'qdq' | 'qoperator' | 'contrib' | 'weights';
  /** `error`: TensorRT rejects the node; `warning`: it builds, with the stated loss; `info`: for the record. */
  severity: 'error' | 'warning' | 'info';
  /** The nodes concerned (node ids as in the editor). */
  nodeIds: string[];
  message: string;
  advice: string;
}

export const REQUANTIZE_TENSORRT = 'onnx-studio quantize MODEL --mode static --preset tensorrt';
const REQUANTIZE = `re-quantize the float model as Q/DQ with the TensorRT preset: ${REQUANTIZE_TENSORRT}`;
const TWO_FOUR_ADVICE = 'onnx-studio build passes --sparsity=enable for such a model: TensorRT then considers sparse tensor-core tactics for these layers (Ampere or later GPUs)';
const QOPERATOR_OPS = new Set(['QLinearConv', 'QLinearMatMul', 'MatMulInteger', 'ConvInteger', 'DynamicQuantizeLinear']);
/** com.microsoft ops that compute on quantized values (QGemm, QAttention, MatMulNBits, DynamicQuantizeMatMul, …). */
const CONTRIB_QUANTIZED = /^Q[A-Z]|[Qq]uantiz|Integer|NBits|Bnb4|FpQ4/;
const UINT8 = 2;
const INT32 = 6;
const FP16_MAX = 65504;
const INT32_MAX = 2 ** 31 - 1;

export interface PreflightOptions {
  /** Read float32 and int64 weights for range findings (the only part that reads weight values). */
  scanWeights?: boolean;
}

/** Findings over every node and weight of every graph for the chosen TensorRT version. */
export function preflightFindings(model: Model, inference: InferenceResult, version: TensorRTVersion, options: PreflightOptions = {}): PreflightFinding[] {
  const found: PreflightFinding[] = [];
  const opsets = model.opsetImports;
  for (const g of model.graphs()) {
    for (const node of g.nodes) {
      const f = new NodeFacts(node, inference, opsets.get(node.domain) ?? 0);
      const finding = nodeFinding(f);
      if (finding) found.push(finding);
    }
  }
  if (options.scanWeights !== false) {
    for (const p of modelParameters(model)) found.push(...weightFindings(p, version));
    const sparse = twoFourSparseLayers(model);
    if (sparse.length) found.push({ code: 'two-four-sparse', category: 'weights', severity: 'info', nodeIds: sparse, message: twoFourMessage(sparse.length), advice: TWO_FOUR_ADVICE });
  }
  return found;
}

function nodeFinding(f: NodeFacts): PreflightFinding | undefined {
  const node = f.node;
  const ids = [node.id];
  const label = `${node.opType} '${node.name || node.id}'`;
  if (node.domain === '' && (node.opType === 'QuantizeLinear' || node.opType === 'DequantizeLinear')) return qdqFinding(f, label);
  if (node.domain === '' && QOPERATOR_OPS.has(node.opType)) {
    return { code: 'qoperator-op', category: 'qoperator', severity: 'error', nodeIds: ids, message: `${label} is a QOperator-format op, which TensorRT does not parse`, advice: REQUANTIZE };
  }
  if (node.domain === 'com.microsoft') {
    const quantized = CONTRIB_QUANTIZED.test(node.opType);
    const advice = quantized
      ? `start again from the float model: ${REQUANTIZE}${node.opType === 'MatMulNBits' ? ' (for 4-bit weights, int4 DequantizeLinear blocks in the default domain, which TensorRT 10+ takes)' : ''}`
      : "export without ONNX Runtime's graph optimizations (they write com.microsoft fused ops), or provide a TensorRT plugin for it";
    return { code: 'contrib-op', category: 'contrib', severity: 'error', nodeIds: ids, message: `${label} is an ONNX Runtime (com.microsoft) op${quantized ? ' on quantized values' : ''}`, advice };
  }
  return undefined;
}

function qdqFinding(f: NodeFacts, label: string): PreflightFinding | undefined {
  const isQ = f.op === 'QuantizeLinear';
  const quantized = f.elemOf(isQ ? f.output(0) : f.input(0)) ?? f.elem(2);
  const ids = [f.node.id];
  if (!isQ && quantized === INT32) {
    return { code: 'int32-dequantize', category: 'qdq', severity: 'error', nodeIds: ids, message: `${label} dequantizes int32 (a quantized bias); TensorRT dequantizes int8/fp8/int4 only`, advice: `keep biases in float: ${REQUANTIZE}` };
  }
  const zp = f.has(2) ? f.numbers(2) : undefined;
  const nonZero = zp ? zp.filter((x) => x !== 0).length : 0;
  if (quantized === UINT8 || nonZero) {
    const why = quantized === UINT8 ? `quantizes to ${dataTypeName(UINT8)}` : `has ${nonZero} non-zero zero point value(s)`;
    return { code: 'asymmetric-zero-point', category: 'qdq', severity: 'error', nodeIds: ids, message: `${label} ${why}: asymmetric quantization, which TensorRT does not take (zero points must be an int8 0)`, advice: REQUANTIZE };
  }
  return undefined;
}

function weightFindings(p: Parameter, version: TensorRTVersion): PreflightFinding[] {
  const t = p.tensor;
  if (!t) return [];
  const nodeIds = (p.consumers.length ? p.consumers : p.constant ? [p.constant] : []).map((n: Node) => n.id);
  if (!nodeIds.length) return [];
  const stats = scanWeight(t, t.dtype === 1 ? FP16_MAX : INT32_MAX);
  if (!stats) return [];
  if (t.dtype === 1 && stats.beyond > 0) {
    return [{
      code: 'fp16-out-of-range', category: 'weights', severity: 'warning', nodeIds,
      message: `weight '${p.name}' has ${stats.beyond} value(s) beyond ±${FP16_MAX} (max |x| ${stats.maxAbs.toPrecision(4)}): they overflow to ±inf in an FP16 build`,
      advice: 'keep the consumers in FP32 (trtexec --precisionConstraints=obey --layerPrecisions=NAME:fp32), or convert with onnx-studio fp16, which keeps a node reading such a weight in float32 (its weight exact)',
    }];
  }
  if (t.dtype === 7 && !matrixFor(version).dataTypes.includes('INT64')) {
    return [{
      code: 'int64-weight', category: 'weights', severity: stats.beyond > 0 ? 'warning' : 'info', nodeIds,
      message: `INT64 weight '${p.name}' is cast down to INT32 by TensorRT ${version}${stats.beyond ? `; ${stats.beyond} value(s) beyond ±INT32_MAX are clamped` : ''}`,
      advice: 'store it as INT32 where the op allows it, or target TensorRT 10+, which takes INT64',
    }];
  }
  return [];
}
