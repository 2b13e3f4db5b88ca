import { decode } from 'jpeg-js';
import { DataFileError } from '../../onnx/io/data-files';
import { MAX_IMAGE_PIXELS, type DecodedImage } from './png';

/**
 * Decodes a JPEG file (baseline and progressive, gray/YCbCr/CMYK) with jpeg-js, a pure-JS
 * decoder, to 8-bit RGB: gray JPEGs come back with three equal channels. The frame size is
 * checked first: over MAX_IMAGE_PIXELS, or more 8x8 blocks than the file has bits (every
 * Huffman-coded block takes at least one bit), is refused before the decoder allocates.
 */
export function decodeJpeg(bytes: Uint8Array, name: string): DecodedImage {
  const fail = (message: string, cause?: unknown): DataFileError => new DataFileError(`${name}: ${message}`, name, { cause });
  if (bytes.length < 3 || bytes[0] !== 0xff || bytes[1] !== 0xd8) throw fail('not a JPEG file (no SOI marker)');
  const frame = frameSize(bytes);
  if (frame) {
    if (frame.width * frame.height > MAX_IMAGE_PIXELS) throw fail(`declares ${frame.width}x${frame.height} pixels, more than the ${MAX_IMAGE_PIXELS.toLocaleString('en-US')} an input image may have`);
    const minBytes = Math.ceil((Math.ceil(frame.width / 8) * Math.ceil(frame.height / 8)) / 8);
    if (minBytes > bytes.length) throw fail(`declares ${frame.width}x${frame.height} pixels, which take at least ${minBytes.toLocaleString('en-US')} bytes; the file has ${bytes.length.toLocaleString('en-US')} (truncated?)`);
  }
  try {
    const image = decode(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6, maxMemoryUsageInMB: 2048 });
    const data = image.data as Uint8Array;
    if (!image.width || !image.height || data.length !== image.width * image.height * 3) throw new Error(`decoded ${data.length} bytes for ${image.width}x${image.height} pixels`);
    return { width: image.width, height: image.height, channels: 3, depth: 8, data };
  } catch (e) {
    throw fail(`cannot decode the JPEG image (corrupt or truncated?): ${(e as Error).message ?? String(e)}`, e);
  }
}

/** Width and height from the first SOFn marker segment, or undefined when none comes before the scan. */
function frameSize(b: Uint8Array): { width: number; height: number } | undefined {
  for (let at = 2; at + 4 <= b.length; ) {
    if (b[at] !== 0xff) return undefined;
    const marker = b[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return undefined;
    const length = (b[at + 2]! << 8) | b[at + 3]!;
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame && at + 9 <= b.length) return { height: (b[at + 5]! << 8) | b[at + 6]!, width: (b[at + 7]! << 8) | b[at + 8]! };
    at += 2 + length;
  }
  return undefined;
}
