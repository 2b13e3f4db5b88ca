import type { ByteSink } from '../onnx/proto/encode';
import type { Tensor } from '../onnx/tensor';

/** numpy's own dtype for each ONNX type whose raw_data layout is numpy's layout (little-endian). */
const SAME_LAYOUT: Record<string, string> = {
  float: '<f4', double: '<f8', float16: '<f2', complex64: '<c8', complex128: '<c16',
  int8: '|i1', uint8: '|u1', int16: '<i2', uint16: '<u2', int32: '<i4', uint32: '<u4', int64: '<i8', uint64: '<u8',
};

/**
 * Types numpy lacks, written from their decoded values: bool normalized to 0/1, sub-byte
 * integers widened to 8 bits, and the small float formats as float32 (each of their values
 * is a float32, so nothing is lost).
 */
const DECODED: Record<string, string> = {
  bool: '|b1', int4: '|i1', uint4: '|u1', int2: '|i1', uint2: '|u1',
  bfloat16: '<f4', float8e4m3fn: '<f4', float8e4m3fnuz: '<f4', float8e5m2: '<f4', float8e5m2fnuz: '<f4', float8e8m0: '<f4', float4e2m1: '<f4',
};

/** The .npy dtype a tensor is saved as, and a note when it is not the tensor's own type. Throws for strings. */
export function npyType(t: Tensor): { descr: string; note?: string } {
  const same = SAME_LAYOUT[t.dtypeName];
  if (same) return { descr: same };
  const decoded = DECODED[t.dtypeName];
  if (!decoded) throw new Error(`'${t.name}' holds ${t.dtypeName} values, which .npy cannot store without pickling`);
  return { descr: decoded, note: t.dtypeName === 'bool' ? undefined : `numpy has no ${t.dtypeName}: saved as ${decoded === '<f4' ? 'float32' : decoded === '|i1' ? 'int8' : 'uint8'} (exact values)` };
}

/**
 * Streams a tensor as a .npy file (format 1.0) into `sink`, chunk by chunk, so that a 1 GB
 * tensor never sits in memory. Returns the note of `npyType`.
 */
export function writeNpy(t: Tensor, sink: ByteSink): string | undefined {
  const { descr, note } = npyType(t);
  const shape = t.dims.length === 1 ? `(${t.dims[0]},)` : `(${t.dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64, ending in \n.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const head = new Uint8Array(total);
  head.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8]);
  head.set(new TextEncoder().encode(header), 10);
  sink.write(head);
  // Typed arrays are in the platform's byte order: little-endian on every platform Node runs on here.
  const chunks = SAME_LAYOUT[t.dtypeName] ? t.rawChunks() : t.chunks();
  for (const c of chunks) {
    const view = c as ArrayBufferView;
    sink.write(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  }
  return note;
}
