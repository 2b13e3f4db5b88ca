import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodePng } from '../src/runtime/input-files/png';
import { bytesOf, makeFixtures } from './helpers/input-fixtures';

// Expected pixels come from PIL (every PNG scikit-image ships, PIL's own encoder) or are the
// very samples a PNG writer written from the specification stored (16-bit, low bit depths,
// palettes with tRNS, gray+alpha, Adam7, all five row filters), never from our decoder.
interface Case {
  file: string;
  width: number;
  height: number;
  channels: number;
  depth: number;
  bin: string;
  source: string;
}

const { dir, manifest } = makeFixtures<Case>('png');

test('PNG decoding is pixel-exact against PIL and the reference writer, for every color type, depth, palette and interlace', () => {
  assert.ok(manifest.length > 60, `${manifest.length} cases`);
  const kinds = new Set<string>();
  for (const c of manifest) {
    const img = decodePng(readFileSync(join(dir, c.file)), c.file);
    assert.deepEqual([img.width, img.height, img.channels, img.depth], [c.width, c.height, c.channels, c.depth], c.file);
    const pixels = c.source === 'PIL high byte' ? Uint8Array.from(img.data, (v) => v >> 8) : img.data;
    assert.ok(bytesOf(pixels).equals(readFileSync(join(dir, c.bin))), `${c.file} (${c.source}): pixels differ`);
    kinds.add(`${img.channels}/${img.depth}`);
  }
  // Gray, gray+alpha, RGB and RGBA at 8 and 16 bits were all met.
  assert.deepEqual([...kinds].sort(), ['1/16', '1/8', '2/16', '2/8', '3/16', '3/8', '4/16', '4/8']);
});
