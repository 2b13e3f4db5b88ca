/**
 * TensorRT calibration cache from calibrated ranges: the text TensorRT writes and reads back
 * (`trtexec --int8 --calib=FILE`, IInt8Calibrator::readCalibrationCache). First line
 * `TRT-<version>-<algorithm>`, then one `<tensor name>: <scale>` per tensor, where the scale
 * is amax / 127 written as the 8 hex digits of its float32 bits (big-endian, lowercase),
 * e.g. `data: 3c008912`. TensorRT's version number there is NV_TENSORRT_VERSION:
 * major·1000 + minor·100 + patch before 10 (8.6.1 → 8601), major·10000 + … from 10 on.
 */
import type { Range } from './ranges';

export type TrtCalibrator = 'EntropyCalibration2' | 'EntropyCalibration' | 'MinMaxCalibration' | 'LegacyCalibration';

export interface TrtCacheOptions {
  /** TensorRT version the cache is for, `8.6.1` or `10.3.0` (default 8.6.1). */
  tensorrtVersion?: string;
  /** The calibrator named in the header; TensorRT uses a cache only with that calibrator (trtexec's is EntropyCalibration2). */
  calibrator?: TrtCalibrator;
}

/** NV_TENSORRT_VERSION of a `major.minor.patch` string. */
export function trtVersionNumber(version: string): number {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(version.trim());
  if (!m) throw new RangeError(`'${version}' is not a TensorRT version (major.minor.patch)`);
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  return major >= 10 ? major * 10000 + minor * 100 + patch : major * 1000 + minor * 100 + patch;
}

/** Hex of a float32's bits, as TensorRT writes a scale. */
export function floatHex(value: number): string {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value);
  return view.getUint32(0).toString(16).padStart(8, '0');
}

export function hexFloat(hex: string): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, parseInt(hex, 16));
  return view.getFloat32(0);
}

/** The cache text for `ranges` (tensor name → calibrated range), names in the given order. */
export function trtCalibrationCache(ranges: ReadonlyMap<string, Range>, options: TrtCacheOptions = {}): string {
  const header = `TRT-${trtVersionNumber(options.tensorrtVersion ?? '8.6.1')}-${options.calibrator ?? 'EntropyCalibration2'}`;
  const lines = [header];
  for (const [name, r] of ranges) {
    if (name.includes('\n')) throw new RangeError(`tensor name ${JSON.stringify(name)} cannot be written in a calibration cache`);
    const amax = Math.max(Math.abs(r.min), Math.abs(r.max));
    if (!Number.isFinite(amax)) continue;
    lines.push(`${name}: ${floatHex(amax / 127)}`);
  }
  return lines.join('\n') + '\n';
}

export interface ParsedTrtCache {
  version: number;
  calibrator: string;
  /** Tensor name → scale (amax / 127). */
  scales: Map<string, number>;
}

/** Reads a cache back (names may contain ': ', so the scale is what follows the last one). */
export function parseTrtCalibrationCache(text: string): ParsedTrtCache {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const head = /^TRT-(\d+)-(\w+)$/.exec(lines[0] ?? '');
  if (!head) throw new SyntaxError(`not a TensorRT calibration cache: first line '${lines[0] ?? ''}'`);
  const scales = new Map<string, number>();
  for (const line of lines.slice(1)) {
    const at = line.lastIndexOf(': ');
    const hex = line.slice(at + 2);
    if (at < 0 || !/^[0-9a-f]{8}$/i.test(hex)) throw new SyntaxError(`calibration cache line '${line}' is not 'name: 8 hex digits'`);
    scales.set(line.slice(0, at), hexFloat(hex));
  }
  return { version: Number(head[1]), calibrator: head[2]!, scales };
}
