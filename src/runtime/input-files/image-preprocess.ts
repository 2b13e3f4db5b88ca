import type { FeedTensor } from '../types';
import { InputOptionsError, type InputSpec } from './input-spec';
import type { DecodedImage } from './png';
import { DT, describeTensor } from './typed-data';

/** Preprocessing asked for (CLI: --image-size H,W --layout --mean --std --bgr --scale); unset fields come from the model. */
export interface ImageOptions {
  /** Height and width the image is resized to (bilinear, aspect not kept). Default: the model's fixed H,W. */
  size?: [number, number];
  /** Default: from the model's shape ([N,1|3,H,W] → nchw, [N,H,W,1|3] → nhwc). */
  layout?: 'nchw' | 'nhwc';
  /** Subtracted per channel after scaling (one value or one per channel, in the model's channel order). Default 0. */
  mean?: number[];
  /** Divided by per channel after the mean (one value or one per channel). Default 1. */
  std?: number[];
  /** Channels in BGR order (OpenCV-trained models). Default RGB. */
  bgr?: boolean;
  /** Multiplies 0..255 pixel values. Default 1/255 (values in [0,1] before mean/std). */
  scale?: number;
}

/** The preprocessing actually applied to every image of a data set, each field settled. */
export interface ImagePlan {
  input: string;
  height: number;
  width: number;
  layout: 'nchw' | 'nhwc';
  channels: 1 | 3;
  mean: number[];
  std: number[];
  bgr: boolean;
  scale: number;
  dtype: number;
  /** Whether the tensor has a leading batch dim of 1 (rank 4) or none (rank 3). */
  batched: boolean;
}

/**
 * Settles the preprocessing for one model input from the options and the input's shape.
 * Throws InputOptionsError when the model leaves something open that the options do not say
 * (symbolic H,W without `size`, a layout that cannot be told) or the two disagree.
 */
export function planImageInput(input: InputSpec, options: ImageOptions = {}): ImagePlan {
  const ask = (message: string): InputOptionsError => new InputOptionsError(`input '${input.name}' (${describeTensor(input.dtype, input.dims)}): ${message}`);
  const dims = input.dims;
  if (!dims || (dims.length !== 4 && dims.length !== 3)) throw ask('images feed a rank-4 input ([N,C,H,W] or [N,H,W,C]) or rank 3 ([C,H,W] or [H,W,C])');
  const batched = dims.length === 4;
  if (batched && typeof dims[0] === 'number' && dims[0] !== 1) throw ask(`the batch is fixed at ${dims[0]}; image files give one image per sample (use .npy files for batches)`);
  const d = batched ? dims.slice(1) : dims;
  const isChannels = (v: number | string | null): boolean => v === 1 || v === 3;
  const layout = options.layout ?? (isChannels(d[0]!) ? 'nchw' : isChannels(d[2]!) ? 'nhwc' : undefined);
  if (!layout) throw ask('cannot tell the channel dim (neither the first nor the last image dim is 1 or 3): give --layout nchw|nhwc');
  const [c, h, w] = layout === 'nchw' ? [d[0]!, d[1]!, d[2]!] : [d[2]!, d[0]!, d[1]!];
  const channels = typeof c === 'number' ? c : 3;
  if (channels !== 1 && channels !== 3) throw ask(`the ${layout} layout puts ${channels} channels there; images give 1 (gray) or 3 (color)`);
  let size = options.size;
  if (size && (!Number.isSafeInteger(size[0]) || !Number.isSafeInteger(size[1]) || size[0] < 1 || size[1] < 1)) throw ask(`image size ${size.join(',')} is not two positive integers`);
  if (size) {
    const [sh, sw] = size;
    if ((typeof h === 'number' && h !== sh) || (typeof w === 'number' && w !== sw)) throw ask(`the model takes ${typeof h === 'number' ? h : '?'}x${typeof w === 'number' ? w : '?'} images, --image-size says ${sh}x${sw}`);
  } else if (typeof h === 'number' && typeof w === 'number') {
    size = [h, w];
  } else {
    const open = typeof h === 'number' ? `width is symbolic (${w ?? '?'})` : typeof w === 'number' ? `height is symbolic (${h ?? '?'})` : `height and width are symbolic (${h ?? '?'}, ${w ?? '?'})`;
    throw ask(`${open}: give the image size, e.g. --image-size ${typeof h === 'number' ? h : 224},${typeof w === 'number' ? w : 224}`);
  }
  if (![DT.float, DT.double, DT.uint8].includes(input.dtype as 1 | 11 | 2)) throw ask('image files feed float32, float64 or uint8 inputs only');
  const isUint8 = input.dtype === DT.uint8;
  if (isUint8 && (options.mean || options.std || options.scale !== undefined)) throw ask('a uint8 input takes the resized pixel values as they are; --mean, --std and --scale do not apply');
  const perChannel = (v: number[] | undefined, fallback: number, what: string): number[] => {
    if (!v) return new Array<number>(channels).fill(fallback);
    if (v.length === 1) return new Array<number>(channels).fill(v[0]!);
    if (v.length !== channels || v.some((x) => !Number.isFinite(x))) throw ask(`--${what} needs 1 or ${channels} numbers, got ${v.join(',')}`);
    return v;
  };
  const std = perChannel(options.std, 1, 'std');
  if (std.some((s) => s === 0)) throw ask('--std must not be 0');
  const scale = isUint8 ? 1 : (options.scale ?? 1 / 255);
  if (!Number.isFinite(scale)) throw ask(`--scale ${scale} is not a number`);
  return { input: input.name, height: size[0], width: size[1], layout, channels, mean: perChannel(options.mean, 0, 'mean'), std, bgr: options.bgr ?? false, scale, dtype: input.dtype, batched };
}

/** One line for the report and logs: what every image went through. */
export function describeImagePlan(p: ImagePlan): string {
  const order = p.channels === 1 ? 'grayscale (0.299R+0.587G+0.114B)' : p.bgr ? 'BGR' : 'RGB';
  const values = p.dtype === DT.uint8 ? 'uint8 pixel values' : `pixel*${round(p.scale)}, minus mean [${p.mean.map(round).join(',')}], divided by std [${p.std.map(round).join(',')}]`;
  return `images resized to ${p.height}x${p.width} (bilinear, half-pixel centers, no antialias, aspect not kept), ${order}, ${p.layout.toUpperCase()}, ${values}; alpha dropped; 16-bit images divided by 257`;
}

const round = (v: number): string => String(Number(v.toPrecision(6)));

/**
 * Turns a decoded image into the input tensor of the plan: bilinear resize (as
 * torch.nn.functional.interpolate(mode='bilinear', align_corners=False, antialias=False)),
 * gray↔color conversion, channel order, scale, mean/std, layout. Reads the source pixels in
 * place: memory is the output tensor only.
 */
export function imageToTensor(img: DecodedImage, p: ImagePlan): FeedTensor {
  const { height: H, width: W, channels: C } = p;
  const xs = sourceIndex(img.width, W);
  const ys = sourceIndex(img.height, H);
  const count = H * W * C;
  const out = p.dtype === DT.double ? new Float64Array(count) : p.dtype === DT.uint8 ? new Uint8Array(count) : new Float32Array(count);
  const unit = img.depth === 16 ? 1 / 257 : 1;
  const src = img.data;
  const ic = img.channels;
  const color = ic >= 3;
  // Value of output channel `c` (after BGR/gray choice) at source pixel index `i`, in 0..255 units.
  const pick: (i: number, c: number) => number =
    C === 1
      ? color
        ? (i) => (0.299 * src[i * ic]! + 0.587 * src[i * ic + 1]! + 0.114 * src[i * ic + 2]!) * unit
        : (i) => src[i * ic]! * unit
      : color
        ? p.bgr
          ? (i, c) => src[i * ic + 2 - c]! * unit
          : (i, c) => src[i * ic + c]! * unit
        : (i) => src[i * ic]! * unit;
  for (let y = 0; y < H; y++) {
    const y0 = ys.i0[y]!, y1 = ys.i1[y]!, ly = ys.l[y]!;
    for (let x = 0; x < W; x++) {
      const x0 = xs.i0[x]!, x1 = xs.i1[x]!, lx = xs.l[x]!;
      for (let c = 0; c < C; c++) {
        const v =
          (1 - ly) * ((1 - lx) * pick(y0 * img.width + x0, c) + lx * pick(y0 * img.width + x1, c)) +
          ly * ((1 - lx) * pick(y1 * img.width + x0, c) + lx * pick(y1 * img.width + x1, c));
        const at = p.layout === 'nchw' ? (c * H + y) * W + x : (y * W + x) * C + c;
        out[at] = p.dtype === DT.uint8 ? Math.min(255, Math.max(0, Math.round(v))) : (v * p.scale - p.mean[c]!) / p.std[c]!;
      }
    }
  }
  const dims = p.layout === 'nchw' ? [C, H, W] : [H, W, C];
  return { dtype: p.dtype, dims: p.batched ? [1, ...dims] : dims, data: out };
}

/** Bilinear source positions with half-pixel centers, clamped at 0 and at the last pixel. */
function sourceIndex(inSize: number, outSize: number): { i0: Int32Array; i1: Int32Array; l: Float64Array } {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const l = new Float64Array(outSize);
  const ratio = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const real = Math.max(0, (o + 0.5) * ratio - 0.5);
    const base = Math.min(Math.floor(real), inSize - 1);
    i0[o] = base;
    i1[o] = base < inSize - 1 ? base + 1 : base;
    l[o] = base < inSize - 1 ? real - base : 0;
  }
  return { i0, i1, l };
}
