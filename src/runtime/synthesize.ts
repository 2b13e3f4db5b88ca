import { dataTypeName } from '../onnx/dtypes';
import { RuntimeRequestError } from './errors';
import { numberToFloat16 } from '../onnx/float-formats';
import type { InputSpec } from './input-files/input-spec';
import { DT, emptyTypedArray } from './input-files/typed-data';
import type { FeedTensor, Sample, TensorData } from './types';

/**
 * Inputs made up from a model's graph inputs when the user gave no data. The values are
 * deterministic (seeded) and stand in for real data only in range, never in content: floats
 * uniform in [-1, 1) (the range of a standardized image or of audio), integer tensors uniform
 * in [0, 100) (token ids valid for any vocabulary of 100 or more), masks all ones. A report
 * computed on them must say so.
 */
export interface SynthesisOptions {
  /** Number of samples; default 1. Sample k is drawn with seed + k. */
  count?: number;
  seed?: number;
  /** Sizes of dims: by dim name (`batch`), or by `input:axis` (`input:1`) for dims with no name. */
  dims?: Record<string, number>;
  /** Values of scalar inputs by name (Silero's `sr`). */
  scalars?: Record<string, number>;
  /** Spatial size of image-like inputs (rank 4, 1–4 channels); default 224. */
  imageSize?: number;
  /** Size of the last axis of other inputs (sequence, audio frame); default 512. */
  sequenceLength?: number;
}

export interface SynthesizedInputs {
  samples: Sample[];
  /** The shape chosen per input. */
  shapes: Record<string, number[]>;
  /** One line per choice not taken from the model (`x: dim 2 'p2o.DynamicDimension.1' = 224 (image)`). */
  notes: string[];
}

const BATCH = /batch|^n$|^b$|^bs$/i;
const SEQUENCE = /seq|len|time|token|frame|sample/i;
const SPATIAL = /height|width|^h$|^w$/i;
const SAMPLE_RATE = /^sr$|sample_?rate|sampling_?rate/i;
const MASK = /mask/i;

export function synthesizeInputs(inputs: readonly InputSpec[], options: SynthesisOptions = {}): SynthesizedInputs {
  const notes: string[] = [];
  const shapes: Record<string, number[]> = {};
  const named = new Map<string, number>();
  for (const input of inputs) {
    if (!input.dtype) throw new RuntimeRequestError(`input '${input.name}' states no tensor type; give its data in a file`);
    if (input.dtype === 8) throw new RuntimeRequestError(`input '${input.name}' is a string tensor; synthesized inputs are numeric only`);
    shapes[input.name] = chooseShape(input, options, named, notes);
  }
  const count = options.count ?? 1;
  const seed = options.seed ?? 1;
  const samples: Sample[] = [];
  for (let k = 0; k < count; k++) {
    const random = mulberry32(seed + k);
    const feeds: Record<string, FeedTensor> = {};
    for (const input of inputs) feeds[input.name] = makeTensor(input, shapes[input.name]!, options, random, k === 0 ? notes : undefined);
    samples.push({ id: `synthesized:${k}`, feeds });
  }
  return { samples, shapes, notes };
}

function chooseShape(input: InputSpec, o: SynthesisOptions, named: Map<string, number>, notes: string[]): number[] {
  if (input.dims === null) {
    notes.push(`${input.name}: rank unknown, fed as a scalar`);
    return [];
  }
  const dims = input.dims;
  const imageAxes = imageSpatialAxes(dims);
  return dims.map((d, axis) => {
    if (typeof d === 'number' && d >= 0) return d;
    const byAxis = o.dims?.[`${input.name}:${axis}`];
    if (byAxis !== undefined) return byAxis;
    const name = typeof d === 'string' ? d : undefined;
    if (name !== undefined) {
      const given = o.dims?.[name] ?? named.get(name);
      if (given !== undefined) return given;
    }
    const [size, why] = guess(name, axis, dims.length, imageAxes, o);
    if (name !== undefined) named.set(name, size);
    notes.push(`${input.name}: dim ${axis}${name ? ` '${name}'` : ''} = ${size} (${why})`);
    return size;
  });
}

function guess(name: string | undefined, axis: number, rank: number, imageAxes: number[], o: SynthesisOptions): [number, string] {
  const image = o.imageSize ?? 224;
  const sequence = o.sequenceLength ?? 512;
  if (name !== undefined && BATCH.test(name)) return [1, 'batch'];
  if (name !== undefined && SPATIAL.test(name)) return [image, 'image size'];
  if (name !== undefined && SEQUENCE.test(name)) return [sequence, 'sequence length'];
  if (imageAxes.includes(axis)) return [image, 'image size'];
  if (axis === 0) return [1, 'batch'];
  if (axis === rank - 1 && rank >= 2) return [sequence, 'sequence length'];
  return [1, 'batch-like'];
}

/** Spatial axes of a rank-4 input whose channel axis (1 for NCHW, else 3 for NHWC) is a fixed 1–4. */
function imageSpatialAxes(dims: (number | string | null)[]): number[] {
  if (dims.length !== 4) return [];
  const channels = (d: number | string | null): boolean => typeof d === 'number' && d >= 1 && d <= 4;
  if (channels(dims[1]!)) return [2, 3];
  if (channels(dims[3]!)) return [1, 2];
  return [];
}

function makeTensor(input: InputSpec, dims: number[], o: SynthesisOptions, random: () => number, notes?: string[]): FeedTensor {
  const n = dims.reduce((a, b) => a * b, 1);
  const scalar = n === 1 && dims.length <= 1;
  let fill: () => number;
  if (scalar && (o.scalars?.[input.name] !== undefined || SAMPLE_RATE.test(input.name))) {
    const v = o.scalars?.[input.name] ?? 16000;
    if (o.scalars?.[input.name] === undefined) notes?.push(`${input.name}: scalar = ${v} (sample rate)`);
    fill = () => v;
  } else if (scalar) {
    notes?.push(`${input.name}: scalar = 1`);
    fill = () => 1;
  } else if (MASK.test(input.name) && !isFloat(input.dtype)) {
    fill = () => 1;
  } else if (isFloat(input.dtype)) {
    fill = () => random() * 2 - 1;
  } else if (input.dtype === 9) {
    fill = () => (random() < 0.5 ? 0 : 1);
  } else {
    fill = () => Math.floor(random() * 100);
  }
  return { dtype: input.dtype, dims, data: typedArray(input.name, input.dtype, n, fill) };
}

const isFloat = (dtype: number): boolean => dtype === 1 || dtype === 10 || dtype === 11;

function typedArray(name: string, dtype: number, n: number, fill: () => number): TensorData {
  const a = emptyTypedArray(dtype, n);
  if (!a) throw new RuntimeRequestError(`input '${name}' has type ${dataTypeName(dtype)}, which onnxruntime cannot be fed from synthesized data`);
  // float16 travels as its bit pattern; 64-bit integers as bigints.
  const map: (v: number) => number | bigint = dtype === DT.float16 ? numberToFloat16 : dtype === DT.int64 || dtype === DT.uint64 ? (v) => BigInt(Math.round(v)) : (v) => v;
  for (let i = 0; i < n; i++) (a as unknown as (number | bigint)[])[i] = map(fill());
  return a;
}

/** A small seeded generator (mulberry32): the same inputs on every machine and run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
