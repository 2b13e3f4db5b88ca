import type { ByteSource } from '../../onnx/io/byte-source';
import { ByteRange } from '../../onnx/proto/byte-range';
import type { TensorProto } from '../../onnx/proto/types';
import type { Tensor } from '../../onnx/tensor';
import { addCounts, emptyCounts, float32ToFloat16, type Float16Counts, type Float16Range } from './to-float16';

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
  const scratch = new Uint16Array(Math.min(STEP, t.elementCount));
  for (const chunk of float32Chunks(t)) addCounts(total, float32ToFloat16(chunk, scratch.subarray(0, chunk.length), range));
  return total;
}

/**
 * The float16 bytes of a float32 tensor, made when read: the encoder streams this range in
 * order, so a whole tensor is never held. Reads are served sequentially; a read before the
 * current position starts over from the beginning (correct, only slower).
 */
class Float16Source implements ByteSource {
  readonly size: number;
  readonly name: string;
  private chunks: Generator<Float32Array> | undefined;
  /** Converted bytes not yet handed out, starting at byte `at` of the output. */
  private pending = new Uint8Array(0);
  private at = 0;
  constructor(
    private readonly tensor: Tensor,
    private readonly range: Float16Range,
  ) {
    this.size = tensor.elementCount * 2;
    this.name = `float16 of ${tensor.name}`;
  }
  read(offset: number, length: number): Uint8Array {
    if (offset < 0 || offset + length > this.size) throw new RangeError(`read past the end of ${this.name}`);
    if (!this.chunks || offset < this.at) this.restart();
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const skip = offset + filled - this.at;
      if (skip >= this.pending.length) {
        this.advance();
        continue;
      }
      const take = Math.min(length - filled, this.pending.length - skip);
      out.set(this.pending.subarray(skip, skip + take), filled);
      filled += take;
    }
    return out;
  }
  close(): void {
    this.chunks = undefined;
  }
  private restart(): void {
    this.chunks = float32Chunks(this.tensor);
    this.pending = new Uint8Array(0);
    this.at = 0;
  }
  private advance(): void {
    const next = this.chunks!.next();
    if (next.done) throw new RangeError(`${this.name}: the float32 tensor ended early`);
    const half = new Uint16Array(next.value.length);
    float32ToFloat16(next.value, half, this.range);
    this.at += this.pending.length;
    this.pending = new Uint8Array(half.buffer);
  }
}

/** A float16 TensorProto named `name` whose raw_data is `source` converted while the encoder writes it. */
export function computedFloat16Tensor(source: Tensor, name: string, range: Float16Range): TensorProto {
  const p = source.proto;
  return {
    dims: p.dims,
    data_type: FLOAT16,
    name,
    raw_data: new ByteRange(new Float16Source(source, range), 0, source.elementCount * 2),
    float_data: [],
    int32_data: [],
    string_data: [],
    int64_data: [],
    double_data: [],
    uint64_data: [],
    external_data: [],
    metadata_props: [],
    ...(p.doc_string !== undefined ? { doc_string: p.doc_string } : {}),
  };
}
