import { constantTensor } from '../../onnx/edit/computed-tensor';
import { intAttr, newNode, stringAttr } from '../../onnx/edit/proto-factory';
import type { NodeProto, TensorProto } from '../../onnx/proto/types';
import { FLOAT, FLOAT16, type Prec } from './node-policy';
import { float32ToFloat16, type Float16Counts, type Float16Range } from './to-float16';

/** A Cast of `from` into `to` of the given precision, named after the value it makes (Cast-1 names its type: opset < 6). */
export function castNode(from: string, to: string, prec: Prec, opset: number): NodeProto {
  const target = opset < 6 ? stringAttr('to', prec === 16 ? 'FLOAT16' : 'FLOAT') : intAttr('to', prec === 16 ? FLOAT16 : FLOAT);
  return newNode({ op: 'Cast', name: to, inputs: [from], outputs: [to], attributes: [target] });
}

/** A float16 tensor made now from a few float32 values (attribute values, scalars). */
export function smallFloat16Tensor(name: string, dims: number[], values: Float32Array, range: Float16Range): { tensor: TensorProto; counts: Float16Counts } {
  const half = new Uint16Array(values.length);
  const counts = float32ToFloat16(values, half, range);
  return { tensor: constantTensor(name, FLOAT16, dims, half), counts };
}
