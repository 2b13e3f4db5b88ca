import type { NodeProto } from '../../onnx/proto/types';
import type { QuantType } from '../quant-math';

/** Options of dynamic INT8 quantization, named after ORT's quantize_dynamic where it has them. */
export interface DynamicOptions {
  /** One scale per output channel (MatMul/Gemm columns, Conv output channels). Default false, as ORT. */
  perChannel?: boolean;
  /** 7-bit weights (int8 −64..64), for CPUs without VNNI whose u8·s8 sums saturate. Default false. */
  reduceRange?: boolean;
  /** Default 'int8' (ORT's QInt8), symmetric; 'uint8' weights are asymmetric. */
  weightType?: QuantType;
  /** Operators to quantize (default MatMul, Conv, Gemm). */
  opTypes?: readonly string[];
  /** Operators never to quantize. */
  excludeOps?: readonly string[];
  /** Only these nodes (names or node ids), when given. */
  includeNodes?: readonly string[];
  /** Nodes never to quantize (names or node ids). */
  excludeNodes?: readonly string[];
  /** A node's id (model/graph.ts), so that the node lists may name subgraph nodes as the editor does. */
  idOf?: (node: NodeProto) => string | undefined;
  /** Skip pre-processing (Identity removal, BatchNormalization folding, shape inference). */
  skipPreprocess?: boolean;
}

export const DEFAULT_OP_TYPES: readonly string[] = ['MatMul', 'Conv', 'Gemm'];

/** DynamicQuantizeLinear arrived in opset 11 (MatMulInteger and ConvInteger in 10). */
export const DYNAMIC_MIN_OPSET = 11;

/**
 * The default-domain opset the quantized model needs: 11 whatever the options. Per-channel
 * scales go into the float rescale and MatMulInteger's per-column zero points (opset 10), so,
 * unlike QDQ's per-axis DequantizeLinear, they do not need opset 13.
 */
export function dynamicOpsetNeeded(_options: DynamicOptions = {}): number {
  return DYNAMIC_MIN_OPSET;
}
