import type { ByteSource } from '../../onnx/io/byte-source';
import { DataFileError } from '../../onnx/io/data-files';
import type { FeedTensor } from '../types';
import { DT, elementCount, elementSize, typedArrayFrom } from './typed-data';

/** Bytes of values one input file may hold (a sample, not a data set). */
export const MAX_SAMPLE_BYTES = 2 ** 30;
/** numpy writes headers of at most a few hundred bytes; anything this long is not an .npy header. */
const MAX_HEADER_BYTES = 1 << 20;

/** numpy dtype kind + size → TensorProto.DataType. */
const KINDS: Record<string, number> = {
  f2: DT.float16, f4: DT.float, f8: DT.double,
  i1: DT.int8, i2: DT.int16, i4: DT.int32, i8: DT.int64,
  u1: DT.uint8, u2: DT.uint16, u4: DT.uint32, u8: DT.uint64,
  b1: DT.bool,
};

/** What an .npy header declares. */
export interface NpyHeader {
  dtype: number;
  dims: number[];
  littleEndian: boolean;
  /** Byte offset of the values. */
  dataStart: number;
}

/**
 * Reads an .npy file (format versions 1, 2 and 3; little- or big-endian; C order) as one
 * tensor. Fortran order, object (pickled), structured, string, complex and date dtypes are
 * refused by name; the declared shape must match the bytes the file holds exactly.
 */
export function readNpy(source: ByteSource): FeedTensor {
  const header = readNpyHeader(source);
  const count = elementCount(header.dims);
  const bytes = count * elementSize(header.dtype)!;
  const have = source.size - header.dataStart;
  if (bytes !== have) {
    throw fail(source, `the header declares shape (${header.dims.join(', ')}), ${bytes.toLocaleString('en-US')} bytes of values, but the file holds ${have.toLocaleString('en-US')} after its header${bytes > have ? ' (truncated?)' : ''}`);
  }
  if (bytes > MAX_SAMPLE_BYTES) throw fail(source, `${bytes.toLocaleString('en-US')} bytes of values, more than the ${MAX_SAMPLE_BYTES.toLocaleString('en-US')} one sample may have`);
  const data = typedArrayFrom(header.dtype, source.read(header.dataStart, bytes), count, header.littleEndian);
  return { dtype: header.dtype, dims: header.dims, data };
}

/** Parses and checks the header alone (magic, version, dict), reading only its bytes. */
export function readNpyHeader(source: ByteSource): NpyHeader {
  if (source.size < 10) throw fail(source, 'too short for an .npy header');
  const head = source.read(0, 12 <= source.size ? 12 : 10);
  if (head[0] !== 0x93 || String.fromCharCode(...head.subarray(1, 6)) !== 'NUMPY') throw fail(source, 'not an .npy file (no \\x93NUMPY magic)');
  const major = head[6]!;
  if (major < 1 || major > 3) throw fail(source, `.npy format version ${major}.${head[7]} is not known (1, 2 and 3 are)`);
  const lengthBytes = major === 1 ? 2 : 4;
  if (source.size < 8 + lengthBytes) throw fail(source, 'too short for an .npy header');
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lengthBytes + headerLength;
  if (headerLength > MAX_HEADER_BYTES) throw fail(source, `the header claims ${headerLength.toLocaleString('en-US')} bytes; not an .npy header`);
  if (dataStart > source.size) throw fail(source, `the header claims ${headerLength} bytes, the file ends before that (truncated?)`);
  const raw = source.read(8 + lengthBytes, headerLength);
  let text: string;
  try {
    text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(raw);
  } catch {
    throw fail(source, 'the header is not text');
  }
  return { ...parseHeaderDict(source, text), dataStart };
}

function parseHeaderDict(source: ByteSource, text: string): Omit<NpyHeader, 'dataStart'> {
  const dict = text.trim();
  if (!dict.startsWith('{') || !dict.endsWith('}')) throw fail(source, `the header is not a dict: ${clip(dict)}`);
  const descrAt = /['"]descr['"]\s*:\s*/.exec(dict);
  if (!descrAt) throw fail(source, `the header has no 'descr': ${clip(dict)}`);
  const afterDescr = dict.slice(descrAt.index + descrAt[0].length);
  if (afterDescr.startsWith('[')) throw fail(source, 'a structured dtype (record fields) cannot be an input tensor');
  const descr = /^['"]([^'"]*)['"]/.exec(afterDescr)?.[1];
  if (descr === undefined) throw fail(source, `the header's 'descr' is not a string: ${clip(dict)}`);
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(dict)?.[1];
  if (fortran === undefined) throw fail(source, `the header has no 'fortran_order': ${clip(dict)}`);
  if (fortran === 'True') throw fail(source, 'Fortran-ordered (column-major) arrays are refused: save it with np.ascontiguousarray(a) first');
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(dict)?.[1];
  if (shapeText === undefined) throw fail(source, `the header has no 'shape' tuple: ${clip(dict)}`);
  const parts = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const dims = parts.map((s) => (/^\d+L?$/.test(s) ? Number(s.replace('L', '')) : NaN));
  if (dims.some((d) => !Number.isSafeInteger(d)) || Number.isNaN(elementCount(dims))) throw fail(source, `the header's shape (${shapeText}) is not a shape of safe sizes`);
  return { ...parseDescr(source, descr), dims };
}

function parseDescr(source: ByteSource, descr: string): { dtype: number; littleEndian: boolean } {
  const m = /^([<>|=]?)([a-zA-Z?])(\d*)$/.exec(descr);
  if (!m) throw fail(source, `dtype '${descr}' is not supported`);
  const [, order, kind, size] = m as unknown as [string, string, string, string];
  if (kind === 'O') throw fail(source, "an object array (dtype 'O', pickled Python objects) is refused: it cannot be read without running Python code");
  const key = kind === '?' ? 'b1' : `${kind}${size}`;
  const dtype = KINDS[key];
  if (dtype === undefined) {
    const what = { c: 'complex', U: 'unicode string', S: 'byte string', a: 'byte string', V: 'void/raw', M: 'datetime', m: 'timedelta' }[kind];
    throw fail(source, `dtype '${descr}'${what ? ` (${what})` : ''} cannot be an input tensor; numeric and bool dtypes can`);
  }
  return { dtype, littleEndian: order !== '>' };
}

function clip(s: string): string {
  return s.length > 120 ? `${s.slice(0, 120)}…` : s;
}

function fail(source: ByteSource, message: string): DataFileError {
  return new DataFileError(`${source.name}: ${message}`, source.name);
}
