import { decode } from 'jpeg-js';
import { DataFileError } from '../../onnx/io/data-files';
import { MAX_IMAGE_PIXELS, type DecodedImage } from './png';

/**
 * Decodes a JPEG file (baseline and progressive, gray/YCbCr/CMYK) with jpeg-js, a pure-JS
 * decoder, to 8-bit RGB: gray JPEGs come back with three equal channels. Images over
 * MAX_IMAGE_PIXELS are refused by the decoder before it allocates them.
 */
export function decodeJpeg(bytes: Uint8Array, name: string): DecodedImage {
  if (bytes.length < 3 || bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new DataFileError(`${name}: not a JPEG file (no SOI marker)`, name);
  try {
    const image = decode(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6, maxMemoryUsageInMB: 2048 });
    const data = image.data as Uint8Array;
    if (!image.width || !image.height || data.length !== image.width * image.height * 3) throw new Error(`decoded ${data.length} bytes for ${image.width}x${image.height} pixels`);
    return { width: image.width, height: image.height, channels: 3, depth: 8, data };
  } catch (e) {
    throw new DataFileError(`${name}: cannot decode the JPEG image: ${(e as Error).message ?? String(e)}`, name, { cause: e });
  }
}
