import type { Model } from '../../onnx/model/graph';
import { AttributeType, type AttributeProto, type NodeProto, type TensorProto } from '../../onnx/proto/types';
import { FLOAT, FLOAT16, type Prec } from './node-policy';
import { float32ToFloat16, type Float16Counts, type Float16Range } from './to-float16';

/** The small protos the conversion adds (until the edit API offers them). */

export function intAttribute(name: string, i: number): AttributeProto {
  return { name, type: AttributeType.INT, i, floats: [], ints: [], strings: [], tensors: [], graphs: [], type_protos: [], sparse_tensors: [] };
}

export function tensorAttribute(name: string, t: TensorProto): AttributeProto {
  return { name, type: AttributeType.TENSOR, t, floats: [], ints: [], strings: [], tensors: [], graphs: [], type_protos: [], sparse_tensors: [] };
}

export function nodeProto(opType: string, name: string, input: string[], output: string[], attribute: AttributeProto[]): NodeProto {
  return { op_type: opType, name, input, output, attribute, metadata_props: [], device_configurations: [] };
}

/** A Cast of `from` into `to` of the given precision, named after the value it makes. */
export const castNode = (from: string, to: string, prec: Prec): NodeProto => nodeProto('Cast', to, [from], [to], [intAttribute('to', prec === 16 ? FLOAT16 : FLOAT)]);

/** A float16 tensor made now from a few float32 values (attribute values, scalars). */
export function smallFloat16Tensor(name: string, dims: number[], values: Float32Array, range: Float16Range): { tensor: TensorProto; counts: Float16Counts } {
  const half = new Uint16Array(values.length);
  const counts = float32ToFloat16(values, half, range);
  const tensor: TensorProto = {
    dims,
    data_type: FLOAT16,
    name,
    raw_data: new Uint8Array(half.buffer),
    float_data: [],
    int32_data: [],
    string_data: [],
    int64_data: [],
    double_data: [],
    uint64_data: [],
    external_data: [],
    metadata_props: [],
  };
  return { tensor, counts };
}

/** Hands out names no graph of the model uses yet (values and nodes alike). */
export class FreshNames {
  private readonly taken = new Set<string>();
  constructor(model: Model) {
    for (const g of model.graphs()) {
      for (const name of g.values.keys()) this.taken.add(name);
      for (const n of g.nodes) if (n.name) this.taken.add(n.name);
    }
  }
  fresh(base: string): string {
    let name = base;
    for (let k = 1; this.taken.has(name); k++) name = `${base}_${k}`;
    this.taken.add(name);
    return name;
  }
}
