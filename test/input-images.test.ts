import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { imageOptionsFromFlags, type ImageFlags } from '../src/runtime/input-files/image-flags';
import { describeImagePlan, planImageInput, type ImageOptions } from '../src/runtime/input-files/image-preprocess';
import { InputOptionsError } from '../src/runtime/input-files/input-spec';
import { readSampleFile } from '../src/runtime/input-files/read-file';
import { makeFixtures } from './helpers/input-fixtures';

// Expected tensors: PIL-decoded photographs resized by torch.nn.functional.interpolate
// (bilinear, align_corners=False, antialias=False) in float64, then scaled and normalized in
// numpy; gray from RGB by 0.299/0.587/0.114 in numpy.
interface Case {
  key: string;
  image: string;
  dims: (number | string)[];
  dtype: number;
  options: ImageOptions;
  expectDims: number[];
  bin: string;
}

const { dir, manifest } = makeFixtures<Case>('resize');

for (const c of manifest) {
  test(`image preprocessing '${c.key}' matches torch's bilinear resize and numpy's normalization`, () => {
    const plan = planImageInput({ name: 'x', dtype: c.dtype, dims: c.dims }, c.options);
    const t = readSampleFile(join(dir, c.image), 'png', plan);
    assert.deepEqual(t.dims, c.expectDims);
    assert.equal(t.dtype, c.dtype);
    const raw = readFileSync(join(dir, c.bin));
    const expected = c.dtype === 1 ? new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4) : c.dtype === 11 ? new Float64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length)) : new Uint8Array(raw);
    assert.equal(t.data.length, expected.length);
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(Number(t.data[i]) - expected[i]!) / Math.max(1, Math.abs(expected[i]!)));
    assert.ok(worst <= (c.dtype === 2 ? 0 : 1e-6), `${c.key}: worst relative difference ${worst}`);
  });
}

test('the preprocessing is stated, and what the model leaves open must be asked for', () => {
  const plan = planImageInput({ name: 'images', dtype: 1, dims: [1, 3, 224, 224] }, { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
  assert.equal(
    describeImagePlan(plan),
    'images resized to 224x224 (bilinear, half-pixel centers, no antialias, aspect not kept), RGB, NCHW, pixel*0.00392157, minus mean [0.485,0.456,0.406], divided by std [0.229,0.224,0.225]; alpha dropped; 16-bit images divided by 257',
  );
  const asks: [Parameters<typeof planImageInput>, RegExp][] = [
    [[{ name: 'x', dtype: 1, dims: ['N', 3, 'H', 'W'] }, {}], /^input 'x' \(float32 \[N,3,H,W\]\): height and width are symbolic \(H, W\): give the image size, e\.g\. --image-size 224,224$/],
    [[{ name: 'x', dtype: 1, dims: [1, 3, 224, 224] }, { size: [256, 256] }], /the model takes 224x224 images, --image-size says 256x256/],
    [[{ name: 'x', dtype: 1, dims: ['N', 3, 48, 'W'] }, {}], /: width is symbolic \(W\): give the image size, e\.g\. --image-size 48,224$/],
    [[{ name: 'x', dtype: 1, dims: ['N', 3, 48, 'W'] }, { size: [32, 320] }], /the model takes 48x\? images, --image-size says 32x320/],
    [[{ name: 'x', dtype: 1, dims: [1, 5, 7, 9] }, {}], /cannot tell the channel dim.*--layout nchw\|nhwc/],
    [[{ name: 'x', dtype: 1, dims: [8, 3, 32, 32] }, {}], /the batch is fixed at 8/],
    [[{ name: 'x', dtype: 1, dims: [1, 3, 32, 32] }, { mean: [1, 2] }], /--mean needs 1 or 3 numbers, got 1,2/],
    [[{ name: 'x', dtype: 2, dims: [1, 3, 32, 32] }, { scale: 1 }], /a uint8 input takes the resized pixel values as they are/],
    [[{ name: 'x', dtype: 7, dims: [1, 3, 32, 32] }, {}], /float32, float64 or uint8 inputs only/],
    [[{ name: 'x', dtype: 1, dims: [1, 32] }, {}], /images feed a rank-4 input/],
  ];
  for (const [args, message] of asks) assert.throws(() => planImageInput(...args), (e: Error) => e instanceof InputOptionsError && message.test(e.message), message.source);
});

test('image flags as typed on the command line', () => {
  assert.deepEqual(imageOptionsFromFlags({ imageSize: '224,256', layout: 'NHWC', mean: '0.485,0.456,0.406', std: '0.229, 0.224, 0.225', scale: '1/255', bgr: true }), {
    size: [224, 256],
    layout: 'nhwc',
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225],
    scale: 1 / 255,
    bgr: true,
  });
  assert.deepEqual(imageOptionsFromFlags({}), {});
  const bad: [ImageFlags, RegExp][] = [
    [{ imageSize: '224' }, /^--image-size takes H,W \(two positive integers\), got '224'$/],
    [{ imageSize: '0,5' }, /--image-size takes H,W/],
    [{ layout: 'chw' }, /^--layout takes nchw or nhwc, got 'chw'$/],
    [{ mean: '0.5,,0.5' }, /^--mean takes comma-separated numbers, got '0.5,,0.5'$/],
    [{ scale: '1/255/2' }, /^--scale takes a number or a fraction such as 1\/255, got '1\/255\/2'$/],
    [{ scale: 'x' }, /--scale takes a number/],
  ];
  for (const [flags, message] of bad) assert.throws(() => imageOptionsFromFlags(flags), (e: Error) => e instanceof InputOptionsError && message.test(e.message), message.source);
});
