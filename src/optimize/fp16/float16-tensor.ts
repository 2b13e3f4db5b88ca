import { computedTensor, littleEndianBytes } from '../../onnx/edit/computed-tensor';
import type { TensorProto } from '../../onnx/proto/types';
import type { Tensor } from '../../onnx/tensor';
import { addCounts, countFloat16Range, emptyCounts, float32ToFloat16, type Float16Counts, type Float16Range } from './to-float16';

const FLOAT16 = 10;
/** Elements converted per step: a few MB of scratch whatever the tensor's size. */
const STEP = 1 << 20;

/** The float32 payload of `t` as Float32Arrays of at most STEP elements (aligned copies where needed). */
function* float32Chunks(t: Tensor): Generator<Float32Array> {
  for (const raw of t.rawChunks(STEP)) {
    // Buffer.slice() is a view, not a copy: copy through the Uint8Array constructor.
    const aligned = raw.byteOffset % 4 === 0 ? raw : new Uint8Array(raw);
    yield new Float32Array(aligned.buffer, aligned.byteOffset, aligned.length / 4);
  }
}

/** Reads every value of float32 tensor `t` once and counts what conversion will clamp, raise or flush. */
export function countFloat16Changes(t: Tensor, range: Float16Range): Float16Counts {
  const total = emptyCounts();
  for (const chunk of float32Chunks(t)) addCounts(total, countFloat16Range(chunk, range));
  return total;
}

/**
 * A float16 TensorProto named `name` holding `source` converted: a computed tensor, made when
 * the encoder reaches it, reading the float32 values in bounded chunks.
 */
export function computedFloat16Tensor(source: Tensor, name: string, range: Float16Range): TensorProto {
  return computedTensor(name, FLOAT16, source.dims, () => {
    const half = new Uint16Array(source.elementCount);
    let at = 0;
    for (const chunk of float32Chunks(source)) {
      float32ToFloat16(chunk, half.subarray(at, at + chunk.length), range);
      at += chunk.length;
    }
    return littleEndianBytes(half);
  });
}
