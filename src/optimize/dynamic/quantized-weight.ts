import { computedTensor, littleEndianBytes } from '../../onnx/edit/computed-tensor';
import type { WeightSource } from '../../onnx/edit/graph-edit';
import type { ModelEdit } from '../../onnx/edit/model-edit';
import type { ModelFiles } from '../../onnx/io/model-files';
import type { TensorProto } from '../../onnx/proto/types';
import { NonFiniteWeightError } from '../errors';
import { readFloats } from '../preprocess/weights';
import { QUANT_ONNX_TYPE, quantizeValues, type QuantizedValues, type QuantSpec } from '../quant-math';

const FLOAT = 1;


/** How a weight is laid out for its integer operator. */
export interface WeightLayout {
  /** 'matmul': [K, N] (a Gemm's B transposed when transB), per channel along N; 'conv': [M, ...], per channel along M. */
  kind: 'matmul' | 'conv';
  transpose: boolean;
  perChannel: boolean;
  /** A Gemm's alpha, folded into the scales. */
  alpha: number;
}

/** Names of the quantized weight's tensors. */
export interface QuantizedWeight {
  data: string;
  scale: string;
  zeroPoint: string;
}

function transposed(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c]!;
  return out;
}

/**
 * Adds the quantized form of a float weight (int8/uint8 data, float scales, zero points) to
 * the graph that defines the weight, as three computed tensors: the weight is read and
 * quantized once, when the encoder reaches the first of them, and dropped after the last.
 * The same weight in the same layout is quantized once for all its readers.
 */
export class WeightQuantizer {
  private done = new Map<TensorProto, Map<string, QuantizedWeight>>();
  quantizedWeights = 0;

  constructor(
    private readonly edit: ModelEdit,
    private readonly files: ModelFiles | undefined,
    readonly spec: QuantSpec,
  ) {}

  quantize(source: WeightSource, readAs: string, dims: readonly number[], layout: WeightLayout): QuantizedWeight {
    const key = `${layout.kind}/${layout.transpose}/${layout.perChannel}/${layout.alpha}`;
    let byLayout = this.done.get(source.tensor);
    if (!byLayout) this.done.set(source.tensor, (byLayout = new Map()));
    const known = byLayout.get(key);
    if (known) return known;

    const dataDims = layout.transpose ? [dims[1]!, dims[0]!] : [...dims];
    const axis = layout.perChannel ? (layout.kind === 'matmul' ? 1 : 0) : undefined;
    const channels = axis === undefined ? 1 : dataDims[axis]!;
    const scaleDims = axis === undefined ? [] : layout.kind === 'matmul' ? [channels] : [channels, ...dataDims.slice(2).map(() => 1)];
    // ConvInteger takes one weight zero point in ORT: per-channel convs are symmetric (all zero points equal).
    const zeroPointDims = axis === undefined || layout.kind === 'conv' ? [] : [channels];

    let held: QuantizedValues | undefined;
    let pending = 0;
    const result = (): QuantizedValues => {
      if (!held) {
        pending = 3;
        let values = readFloats(source, this.files);
        if (layout.transpose) values = transposed(values, dims[0]!, dims[1]!);
        held = quantizeValues(values, dataDims, this.spec, axis);
        if (!held.scales.every(Number.isFinite)) throw new NonFiniteWeightError(`weight '${readAs}' holds NaN or infinite values: it cannot be quantized`);
      }
      const r = held;
      if (--pending === 0) held = undefined;
      return r;
    };
    const qtype = QUANT_ONNX_TYPE[this.spec.type];
    const names = {
      data: this.edit.uniqueName(`${readAs}_quantized`),
      scale: this.edit.uniqueName(`${readAs}_scale`),
      zeroPoint: this.edit.uniqueName(`${readAs}_zero_point`),
    };
    const g = source.graph;
    g.addInitializer(computedTensor(names.data, qtype, dataDims, () => littleEndianBytes(result().data)));
    g.addInitializer(
      computedTensor(names.scale, FLOAT, scaleDims, () => {
        const scales = result().scales;
        return littleEndianBytes(layout.alpha === 1 ? scales : scales.map((s) => Math.fround(s * layout.alpha)));
      }),
    );
    g.addInitializer(computedTensor(names.zeroPoint, qtype, zeroPointDims, () => littleEndianBytes(result().zeroPoints.subarray(0, zeroPointDims.length ? channels : 1))));
    byLayout.set(key, names);
    this.quantizedWeights++;
    return names;
  }
}
