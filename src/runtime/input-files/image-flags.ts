import type { ImageOptions } from './image-preprocess';
import { InputOptionsError } from './input-spec';

/** The CLI's image flags as typed (`--image-size 224,224 --layout nhwc --mean 0.485,0.456,0.406 --scale 1/255 --bgr`). */
export interface ImageFlags {
  imageSize?: string;
  layout?: string;
  mean?: string;
  std?: string;
  scale?: string;
  bgr?: boolean;
}

/** Parses the image flags; a malformed value throws InputOptionsError (exit 64) naming the flag. */
export function imageOptionsFromFlags(flags: ImageFlags): ImageOptions {
  const out: ImageOptions = {};
  if (flags.imageSize !== undefined) {
    const hw = numbers('--image-size', flags.imageSize);
    if (hw.length !== 2 || hw.some((v) => !Number.isSafeInteger(v) || v < 1)) throw new InputOptionsError(`--image-size takes H,W (two positive integers), got '${flags.imageSize}'`);
    out.size = [hw[0]!, hw[1]!];
  }
  if (flags.layout !== undefined) {
    const layout = flags.layout.toLowerCase();
    if (layout !== 'nchw' && layout !== 'nhwc') throw new InputOptionsError(`--layout takes nchw or nhwc, got '${flags.layout}'`);
    out.layout = layout;
  }
  if (flags.mean !== undefined) out.mean = numbers('--mean', flags.mean);
  if (flags.std !== undefined) out.std = numbers('--std', flags.std);
  if (flags.scale !== undefined) {
    const [a, b, extra] = flags.scale.split('/');
    const value = b === undefined ? Number(a) : Number(a) / Number(b);
    if (extra !== undefined || a === '' || !Number.isFinite(value)) throw new InputOptionsError(`--scale takes a number or a fraction such as 1/255, got '${flags.scale}'`);
    out.scale = value;
  }
  if (flags.bgr) out.bgr = true;
  return out;
}

function numbers(flag: string, text: string): number[] {
  const values = text.split(',').map((s) => (s.trim() === '' ? NaN : Number(s)));
  if (values.some((v) => !Number.isFinite(v))) throw new InputOptionsError(`${flag} takes comma-separated numbers, got '${text}'`);
  return values;
}
