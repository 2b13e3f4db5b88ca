import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DataFileError } from '../src/onnx/io/data-files';
import { decodeJpeg } from '../src/runtime/input-files/jpeg';
import { openInputFolder } from '../src/runtime/input-files/input-folder';
import { makeFixtures, SKIMAGE_DATA } from './helpers/input-fixtures';

// Photographs (scikit-image's JPEGs; chelsea saved by PIL as progressive, gray and 4:4:4)
// compared with PIL's decoding (libjpeg). Two decoders may differ by IDCT rounding and chroma
// upsampling, so the figures are bounded, not equal: mean and 99.9th percentile of |diff|.
interface Case {
  file: string;
  width: number;
  height: number;
  bin: string;
}

const { dir, manifest } = makeFixtures<Case>('jpeg');

test('JPEG photographs decode close to libjpeg (baseline, progressive, gray, CMYK, 4:4:4 and 4:2:0)', () => {
  assert.ok(manifest.length >= 6);
  for (const c of manifest) {
    const img = decodeJpeg(readFileSync(join(dir, c.file)), c.file);
    assert.deepEqual([img.width, img.height, img.channels, img.depth], [c.width, c.height, 3, 8], c.file);
    const expected = readFileSync(join(dir, c.bin));
    assert.equal(img.data.length, expected.length, c.file);
    const hist = new Uint32Array(256);
    let sum = 0;
    for (let i = 0; i < expected.length; i++) {
      const d = Math.abs(img.data[i]! - expected[i]!);
      hist[d]!++;
      sum += d;
    }
    let p999 = 0;
    for (let seen = 0; seen < expected.length * 0.999; p999++) seen += hist[p999]!;
    const mean = sum / expected.length;
    assert.ok(mean < 1.5 && p999 - 1 <= 12, `${c.file}: mean |diff| ${mean.toFixed(3)}, 99.9th percentile ${p999 - 1}`);
  }
});

/** The photo with its SOF0 frame claiming size x size pixels. */
function withFrameSize(photo: Buffer, size: number): Buffer {
  const b = Buffer.from(photo);
  const sof = b.indexOf(Buffer.from([0xff, 0xc0]));
  b.writeUInt16BE(size, sof + 5);
  b.writeUInt16BE(size, sof + 7);
  return b;
}

test('a truncated, corrupt or oversized JPEG is refused by name, before memory is taken for what it claims', () => {
  const truncated = join(SKIMAGE_DATA, 'truncated.jpg');
  assert.throws(() => decodeJpeg(readFileSync(truncated), truncated), (e: Error) => e instanceof DataFileError && e.message.startsWith(`${truncated}: cannot decode the JPEG image (corrupt or truncated?)`));
  const other = mkdtempSync(join(tmpdir(), 'inputs-badjpeg-'));
  const photo = readFileSync(join(dir, 'q75-444.jpg'));
  const cases: [string, Uint8Array, RegExp][] = [
    ['junk.jpg', Buffer.from('JFIF? no'), /junk\.jpg: not a JPEG file \(no SOI marker\)$/],
    ['cut.jpg', photo.subarray(0, photo.length >> 1), /cut\.jpg: cannot decode the JPEG image \(corrupt or truncated\?\): /],
    ['header-only.jpg', photo.subarray(0, 600), /header-only\.jpg: cannot decode the JPEG image \(corrupt or truncated\?\): /],
    ['claims-9000.jpg', withFrameSize(photo, 9000).subarray(0, 3000), /claims-9000\.jpg: declares 9000x9000 pixels, which take at least 158,204 bytes; the file has 3,000 \(truncated\?\)/],
    ['claims-60000.jpg', withFrameSize(photo, 60000), /claims-60000\.jpg: declares 60000x60000 pixels, more than the 100,000,000 an input image may have/],
  ];
  for (const [name, bytes, message] of cases) {
    writeFileSync(join(other, name), bytes);
    assert.throws(() => decodeJpeg(readFileSync(join(other, name)), join(other, name)), (e: Error) => e instanceof DataFileError && message.test(e.message), name);
  }
});

test('a folder of JPEG photographs feeds a [1,3,224,224] input', () => {
  const data = openInputFolder(dir, [{ name: 'x', dtype: 1, dims: [1, 3, 224, 224] }], { image: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] } });
  const samples = [...data.samples()];
  assert.equal(samples.length, manifest.length);
  for (const s of samples) assert.deepEqual(s.feeds.x!.dims, [1, 3, 224, 224]);
});
