import { crc32, inflateSync } from 'node:zlib';
import { DataFileError } from '../../onnx/io/data-files';

/** Pixels of an image as stored: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA; row-major, channels interleaved. */
export interface DecodedImage {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  /** 8: values 0..255 in a Uint8Array (1, 2 and 4-bit gray scaled up to it); 16: 0..65535 in a Uint16Array. */
  depth: 8 | 16;
  data: Uint8Array | Uint16Array;
}

/** Pixels an image may have: decoding takes memory in proportion, refused before any is taken. */
export const MAX_IMAGE_PIXELS = 100_000_000;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Samples per pixel and allowed bit depths per PNG color type. */
const COLOR_TYPES: Record<number, { samples: number; depths: number[] }> = {
  0: { samples: 1, depths: [1, 2, 4, 8, 16] },
  2: { samples: 3, depths: [8, 16] },
  3: { samples: 1, depths: [1, 2, 4, 8] },
  4: { samples: 2, depths: [8, 16] },
  6: { samples: 4, depths: [8, 16] },
};
/** Adam7 passes: x start, y start, x step, y step. */
const ADAM7 = [
  [0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2],
] as const;

interface Header {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
}

/**
 * Decodes a PNG file: every color type and bit depth, palettes (with tRNS alpha), 16-bit
 * samples, Adam7 interlacing; chunk CRCs checked. A color-key tRNS on gray/RGB images is
 * ignored (no alpha channel is made). Size is checked against MAX_IMAGE_PIXELS before
 * anything is inflated, and inflating stops at the size the header implies.
 */
export function decodePng(bytes: Uint8Array, name: string): DecodedImage {
  const fail = (message: string, cause?: unknown): DataFileError => new DataFileError(`${name}: ${message}`, name, { cause });
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw fail('not a PNG file (bad signature)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: Header | undefined;
  let palette: Uint8Array | undefined;
  let alphas: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  let ended = false;
  for (let at = 8; at < bytes.length && !ended; ) {
    if (at + 12 > bytes.length) throw fail(`truncated: a chunk header at byte ${at} is cut off`);
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (length > 0x7fffffff || at + 12 + length > bytes.length) throw fail(`truncated: chunk '${type}' at byte ${at} declares ${length} bytes, the file ends first`);
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length)) throw fail(`corrupt: chunk '${type}' at byte ${at} fails its CRC`);
    if (!header && type !== 'IHDR') throw fail(`corrupt: the first chunk is '${type}', not IHDR`);
    if (type === 'IHDR') header = readHeader(data, fail);
    else if (type === 'PLTE') palette = data;
    else if (type === 'tRNS') alphas = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') ended = true;
    else if (!(type.charCodeAt(0) & 0x20)) throw fail(`chunk '${type}' is critical and not known`);
    at += 12 + length;
  }
  if (!header) throw fail('truncated: no IHDR chunk');
  if (!ended) throw fail('truncated: no IEND chunk');
  if (idat.length === 0) throw fail('no image data (no IDAT chunk)');
  if (header.colorType === 3) {
    if (!palette || palette.length % 3 !== 0 || palette.length === 0) throw fail('a palette image without a valid PLTE chunk');
  }
  const passes = passSizes(header);
  const samples = COLOR_TYPES[header.colorType]!.samples;
  const rowBytes = (w: number): number => Math.ceil((w * samples * header.bitDepth) / 8);
  const expected = passes.reduce((a, p) => a + (p.w && p.h ? p.h * (1 + rowBytes(p.w)) : 0), 0);
  let raw: Buffer;
  try {
    raw = inflateSync(concat(idat), { maxOutputLength: expected + 1 });
  } catch (e) {
    const message = (e as Error).message;
    throw fail(/unexpected end|maxOutputLength|larger than/.test(message) ? `corrupt image data (${message}): truncated, or more data than ${header.width}x${header.height} pixels` : `corrupt image data: ${message}`, e);
  }
  if (raw.length !== expected) throw fail(`corrupt image data: ${raw.length} bytes inflated, ${expected} expected for ${header.width}x${header.height} pixels`);
  return unpack(header, passes, raw, rowBytes, palette, header.colorType === 3 ? alphas : undefined, fail);
}

function readHeader(data: Uint8Array, fail: (m: string) => Error): Header {
  if (data.length !== 13) throw fail('corrupt: IHDR is not 13 bytes');
  const v = new DataView(data.buffer, data.byteOffset, 13);
  const h: Header = { width: v.getUint32(0), height: v.getUint32(4), bitDepth: data[8]!, colorType: data[9]!, interlaced: data[12] === 1 };
  const type = COLOR_TYPES[h.colorType];
  if (!type) throw fail(`corrupt: color type ${h.colorType} does not exist`);
  if (!type.depths.includes(h.bitDepth)) throw fail(`corrupt: bit depth ${h.bitDepth} is not allowed for color type ${h.colorType}`);
  if (data[10] !== 0 || data[11] !== 0 || data[12]! > 1) throw fail('corrupt: unknown compression, filter or interlace method');
  if (h.width === 0 || h.height === 0 || h.width > 0x7fffffff || h.height > 0x7fffffff) throw fail(`corrupt: image size ${h.width}x${h.height}`);
  if (h.width * h.height > MAX_IMAGE_PIXELS) {
    throw fail(`declares ${h.width}x${h.height} pixels, more than the ${MAX_IMAGE_PIXELS.toLocaleString('en-US')} an input image may have`);
  }
  return h;
}

interface Pass {
  x0: number;
  y0: number;
  dx: number;
  dy: number;
  w: number;
  h: number;
}

function passSizes(h: Header): Pass[] {
  const all = h.interlaced ? ADAM7 : ([[0, 0, 1, 1]] as const);
  return all.map(([x0, y0, dx, dy]) => ({ x0, y0, dx, dy, w: h.width > x0 ? Math.ceil((h.width - x0) / dx) : 0, h: h.height > y0 ? Math.ceil((h.height - y0) / dy) : 0 }));
}

function unpack(
  h: Header,
  passes: Pass[],
  raw: Uint8Array,
  rowBytes: (w: number) => number,
  palette: Uint8Array | undefined,
  alphas: Uint8Array | undefined,
  fail: (m: string) => Error,
): DecodedImage {
  const samples = COLOR_TYPES[h.colorType]!.samples;
  const channels = (h.colorType === 3 ? (alphas ? 4 : 3) : samples) as DecodedImage['channels'];
  const depth: 8 | 16 = h.bitDepth === 16 ? 16 : 8;
  const out = depth === 16 ? new Uint16Array(h.width * h.height * channels) : new Uint8Array(h.width * h.height * channels);
  const bpp = Math.max(1, (samples * h.bitDepth) >> 3);
  const grayScale = h.colorType === 0 && h.bitDepth < 8 ? 255 / ((1 << h.bitDepth) - 1) : 1;
  const entries = palette ? palette.length / 3 : 0;
  let at = 0;
  for (const p of passes) {
    if (p.w === 0 || p.h === 0) continue;
    const stride = rowBytes(p.w);
    let prior: Uint8Array | undefined;
    for (let y = 0; y < p.h; y++) {
      const filter = raw[at]!;
      const row = raw.subarray(at + 1, at + 1 + stride);
      unfilter(filter, row, prior, bpp, fail);
      at += 1 + stride;
      prior = row;
      const base = ((p.y0 + y * p.dy) * h.width + p.x0) * channels;
      const step = p.dx * channels;
      for (let x = 0; x < p.w; x++) {
        const o = base + x * step;
        if (h.colorType === 3) {
          const i = sampleAt(row, x, h.bitDepth);
          if (i >= entries) throw fail(`corrupt: palette index ${i} beyond the ${entries} palette entries`);
          out[o] = palette![i * 3]!;
          out[o + 1] = palette![i * 3 + 1]!;
          out[o + 2] = palette![i * 3 + 2]!;
          if (channels === 4) out[o + 3] = i < alphas!.length ? alphas![i]! : 255;
        } else {
          for (let c = 0; c < samples; c++) out[o + c] = sampleAt(row, x * samples + c, h.bitDepth) * grayScale;
        }
      }
    }
  }
  return { width: h.width, height: h.height, channels, depth, data: out };
}

/** The `i`-th sample of a row: 16-bit big-endian, bytes, or bits packed from the high end. */
function sampleAt(row: Uint8Array, i: number, bits: number): number {
  if (bits === 8) return row[i]!;
  if (bits === 16) return (row[2 * i]! << 8) | row[2 * i + 1]!;
  const bit = i * bits;
  return (row[bit >> 3]! >> (8 - bits - (bit & 7))) & ((1 << bits) - 1);
}

/** Reverses one row's filter in place (PNG spec §9): None, Sub, Up, Average, Paeth. */
function unfilter(filter: number, row: Uint8Array, prior: Uint8Array | undefined, bpp: number, fail: (m: string) => Error): void {
  const n = row.length;
  const up = (i: number): number => (prior ? prior[i]! : 0);
  switch (filter) {
    case 0:
      return;
    case 1:
      for (let i = bpp; i < n; i++) row[i] = (row[i]! + row[i - bpp]!) & 0xff;
      return;
    case 2:
      if (prior) for (let i = 0; i < n; i++) row[i] = (row[i]! + prior[i]!) & 0xff;
      return;
    case 3:
      for (let i = 0; i < n; i++) row[i] = (row[i]! + (((i >= bpp ? row[i - bpp]! : 0) + up(i)) >> 1)) & 0xff;
      return;
    case 4:
      for (let i = 0; i < n; i++) {
        const a = i >= bpp ? row[i - bpp]! : 0;
        const b = up(i);
        const c = i >= bpp ? up(i - bpp) : 0;
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        row[i] = (row[i]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff;
      }
      return;
    default:
      throw fail(`corrupt image data: filter type ${filter} does not exist`);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
