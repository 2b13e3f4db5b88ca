import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './corpus';

/** scikit-image's sample photographs (Debian python3-skimage). */
export const SKIMAGE_DATA = '/usr/lib/python3/dist-packages/skimage/data';

/**
 * Runs test/helpers/input_fixtures.py KIND into a new temp folder: reference files and their
 * expected values made by numpy, PIL, python onnx and torch. Returns the folder and manifest.
 */
export function makeFixtures<T>(kind: 'png' | 'jpeg' | 'npy' | 'pb' | 'resize'): { dir: string; manifest: T[] } {
  if (!existsSync(SKIMAGE_DATA)) throw new Error(`${SKIMAGE_DATA} is missing: apt-get install python3-skimage python3-pil (scripts/setup.sh --tests)`);
  const dir = mkdtempSync(join(tmpdir(), `inputs-${kind}-`));
  execFileSync('/usr/bin/python3', [join(ROOT, 'test', 'helpers', 'input_fixtures.py'), kind, dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  return { dir, manifest: JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as T[] };
}

/** The bytes of a typed array (platform order: little-endian here), to compare with a .bin. */
export function bytesOf(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}
