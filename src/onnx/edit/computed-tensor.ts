import { dataType, rawByteLength } from '../dtypes';
import type { ByteSource } from '../io/byte-source';
import { ByteRange } from '../proto/byte-range';
import type { TensorProto } from '../proto/types';
import type { NumericValues } from '../tensor';

/**
 * Bytes made on demand: `produce` runs when the encoder first reads them and the result is
 * dropped once the last byte was read, so a transform that computes every weight of a model
 * holds about one tensor at a time, not the model.
 */
class ComputedSource implements ByteSource {
  private bytes: Uint8Array | undefined;
  constructor(
    readonly name: string,
    readonly size: number,
    private readonly produce: () => Uint8Array,
  ) {}
  read(offset: number, length: number): Uint8Array {
    if (offset < 0 || offset + length > this.size) throw new RangeError(`read past the end of computed tensor ${this.name}`);
    let bytes = this.bytes;
    if (!bytes) {
      bytes = this.produce();
      if (bytes.length !== this.size) throw new Error(`computed tensor ${this.name} produced ${bytes.length} bytes, not ${this.size}`);
      this.bytes = bytes;
    }
    if (offset + length === this.size) this.bytes = undefined;
    return bytes.subarray(offset, offset + length);
  }
  close(): void {
    this.bytes = undefined;
  }
}

/** A TensorProto with no data yet: every repeated field a fresh array. */
export function emptyTensor(name: string, dtype: number, dims: readonly number[]): TensorProto {
  return {
    name, data_type: dtype, dims: [...dims],
    float_data: [], int32_data: [], string_data: [], int64_data: [], double_data: [], uint64_data: [], external_data: [], metadata_props: [],
  };
}

function byteLengthOf(dtype: number, dims: readonly number[]): number {
  const info = dataType(dtype);
  if (!info || !info.bits) throw new Error(`a computed tensor cannot have dtype ${dtype}`);
  return rawByteLength(info, dims.reduce((a, b) => a * b, 1));
}

/** A tensor whose raw_data `produce` makes (little-endian, exactly dims' worth) when the encoder reaches it. */
export function computedTensor(name: string, dtype: number, dims: readonly number[], produce: () => Uint8Array): TensorProto {
  const t = emptyTensor(name, dtype, dims);
  const length = byteLengthOf(dtype, dims);
  t.raw_data = new ByteRange(new ComputedSource(name, length, produce), 0, length);
  return t;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The little-endian bytes of a typed array (raw_data's byte order). */
export function littleEndianBytes(values: NumericValues): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (LITTLE_ENDIAN || values.BYTES_PER_ELEMENT === 1) return bytes;
  const out = new Uint8Array(bytes.length);
  const w = values.BYTES_PER_ELEMENT;
  for (let i = 0; i < bytes.length; i += w) for (let k = 0; k < w; k++) out[i + k] = bytes[i + w - 1 - k]!;
  return out;
}

/** A small tensor held in memory (scales, zero points, shapes, axes). */
export function constantTensor(name: string, dtype: number, dims: readonly number[], values: NumericValues): TensorProto {
  const t = emptyTensor(name, dtype, dims);
  const bytes = littleEndianBytes(values);
  if (bytes.length !== byteLengthOf(dtype, dims)) throw new Error(`tensor ${name}: ${values.length} values do not fill dims [${dims.join(',')}]`);
  t.raw_data = bytes.slice();
  return t;
}
