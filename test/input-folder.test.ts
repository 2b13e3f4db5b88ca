import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DataFileError } from '../src/onnx/io/data-files';
import { openModel } from '../src/onnx/open';
import { openCalibrationData } from '../src/runtime/input-files/calibration-split';
import { openInputFolder } from '../src/runtime/input-files/input-folder';
import { InputOptionsError, modelInputSpecs, type InputSpec } from '../src/runtime/input-files/input-spec';
import type { Sample } from '../src/runtime/types';
import { SUITE_DIR } from './helpers/corpus';
import { bytesOf, SKIMAGE_DATA } from './helpers/input-fixtures';

// Folders are laid out by numpy / python onnx; the values each sample must carry are written
// by numpy beside the folder (expected/<sample id>.bin, float32 little-endian).
const MAKE = String.raw`
import sys, os, shutil, numpy as np
from onnx import numpy_helper
out = sys.argv[1]; calib = os.path.join(out, 'calib'); exp = os.path.join(out, 'expected')
os.makedirs(calib); os.makedirs(exp)
rng = np.random.default_rng(5)
def sample(shape, dtype='<f4'): return rng.normal(0, 1, size=shape).astype(dtype)
def save(name, a, expected=None):
    np.save(os.path.join(calib, name), a)
    (a if expected is None else expected).astype('<f4').tofile(os.path.join(exp, name + '.bin'))
save('000.npy', sample((1, 3, 32, 32)))
save('001.npy', sample((3, 32, 32)))
four = sample((4, 3, 32, 32))
np.save(os.path.join(calib, '002.npy'), four)
for i in range(4): four[i].tofile(os.path.join(exp, f'002.npy[{i}].bin'))
shutil.copy('${SKIMAGE_DATA}/chelsea.png', os.path.join(calib, '003.png'))
pb = sample((1, 3, 32, 32))
with open(os.path.join(calib, '005.pb'), 'wb') as f: f.write(numpy_helper.from_array(pb, 'x').SerializeToString())
pb.tofile(os.path.join(exp, '005.pb.bin'))
d = sample((1, 3, 32, 32), '<f8')
save('006.npy', d, d.astype('<f4'))
open(os.path.join(calib, 'README.txt'), 'w').write('calibration images')
open(os.path.join(calib, '.DS_Store'), 'w').write('junk')
`;

const SPEC: InputSpec[] = [{ name: 'x', dtype: 1, dims: [1, 3, 32, 32] }];

function collect(samples: Iterable<Sample>): Sample[] {
  return [...samples];
}

function npyFolder(count: number, shape = '(1, 3, 8, 8)', dtype = 'float32'): string {
  const dir = mkdtempSync(join(tmpdir(), 'inputs-npy-'));
  execFileSync('/usr/bin/python3', ['-c', `import numpy as np, sys\nfor i in range(${count}): np.save(f'${dir}/{i:03d}.npy', np.full(${shape}, i, '${dtype}'))`]);
  return dir;
}

test('a one-input folder: .npy, .pb and images mixed, sorted; a larger batch split; float64 converted; batchless files given one; junk skipped', () => {
  const out = mkdtempSync(join(tmpdir(), 'inputs-folder-'));
  execFileSync('/usr/bin/python3', ['-c', MAKE, out]);
  const warnings: string[] = [];
  const data = openInputFolder(join(out, 'calib'), SPEC, { onWarning: (m) => warnings.push(m) });
  assert.match(data.description, /^6 files \(\.npy, \.png, \.pb\) in .*calib; images resized to 32x32/);
  const samples = collect(data.samples());
  assert.deepEqual(samples.map((s) => s.id), ['000.npy', '001.npy', '002.npy[0]', '002.npy[1]', '002.npy[2]', '002.npy[3]', '003.png', '005.pb', '006.npy']);
  for (const s of samples) {
    const t = s.feeds.x!;
    assert.equal(t.dtype, 1, s.id);
    assert.deepEqual(t.dims, [1, 3, 32, 32], s.id);
    assert.ok(t.data instanceof Float32Array);
    if (s.id !== '003.png') assert.ok(bytesOf(t.data).equals(readFileSync(join(out, 'expected', `${s.id}.bin`))), `${s.id}: values differ`);
  }
  assert.equal(warnings.length, 3, warnings.join('\n'));
  assert.match(warnings.find((w) => w.includes('skipped')) ?? '', /1 file\(s\) skipped, not samples for this model: README\.txt$/);
  assert.match(warnings.find((w) => w.includes('float64')) ?? '', /^float64 data converted to float32 for input 'x' \(first: .*006\.npy\)$/);
  assert.match(warnings.find((w) => w.includes('batch')) ?? '', /^input 'x': files without the batch dim taken as a batch of 1 \(first: .*001\.npy, float32 \[3,32,32\]\)$/);
});

test('a file that does not match the input is named, with the expected and the found type', () => {
  const dir = npyFolder(2);
  execFileSync('/usr/bin/python3', ['-c', `import numpy as np; np.save('${dir}/003.npy', np.zeros((3, 224, 224), 'int64'))`]);
  const data = openInputFolder(dir, [{ name: 'x', dtype: 1, dims: [1, 3, 8, 8] }]);
  assert.throws(() => collect(data.samples()), (e: Error) => e instanceof DataFileError && e.message === `${dir}/003.npy: input 'x' expects float32 [1,3,8,8], found int64 [3,224,224]`);
  // A leading dim that is not a multiple of the fixed batch is not split.
  const odd = npyFolder(1, '(3, 3, 8, 8)');
  assert.throws(() => collect(openInputFolder(odd, [{ name: 'x', dtype: 1, dims: [2, 3, 8, 8] }]).samples()), /expects float32 \[2,3,8,8\], found float32 \[3,3,8,8\]/);
  // A symbolic batch takes the file's batch as one sample.
  const batch = collect(openInputFolder(odd, [{ name: 'x', dtype: 1, dims: ['N', 3, 8, 8] }]).samples());
  assert.deepEqual(batch.map((s) => [s.id, s.feeds.x!.dims]), [['000.npy', [3, 3, 8, 8]]]);
});

test('several inputs: the conformance suite\'s test_data_set_* layout and <input>.npy sample folders', () => {
  const caseDir = join(SUITE_DIR, 'node', 'test_add');
  const inputs = modelInputSpecs(openModel(join(caseDir, 'model.onnx')));
  assert.deepEqual(inputs.map((i) => i.name), ['x', 'y']);
  const warnings: string[] = [];
  const data = openInputFolder(caseDir, inputs, { onWarning: (w) => warnings.push(w) });
  const samples = collect(data.samples());
  assert.deepEqual(samples.map((s) => s.id), ['test_data_set_0']);
  assert.deepEqual(Object.keys(samples[0]!.feeds), ['x', 'y']);
  assert.deepEqual(samples[0]!.feeds.y!.dims, [3, 4, 5]);
  assert.match(warnings[0]!, /1 file\(s\) skipped, not samples for this model: model\.onnx/);

  // A one-input model pointed at one test_data_set_N folder: input_0.pb is the sample, output_0.pb is not.
  const relu = join(SUITE_DIR, 'node', 'test_relu');
  const one = openInputFolder(join(relu, 'test_data_set_0'), modelInputSpecs(openModel(join(relu, 'model.onnx'))), { onWarning: (w) => warnings.push(w) });
  assert.deepEqual(collect(one.samples()).map((s) => s.id), ['input_0.pb']);
  assert.match(warnings[1]!, /1 file\(s\) skipped, not samples for this model: output_0\.pb$/);

  const dir = mkdtempSync(join(tmpdir(), 'inputs-multi-'));
  execFileSync('/usr/bin/python3', ['-c', `import numpy as np, os
for s in ('a', 'b'):
    os.makedirs('${dir}/' + s)
    np.save('${dir}/' + s + '/ids.npy', np.arange(6, dtype='int64').reshape(1, 6))
    np.save('${dir}/' + s + '/mask.npy', np.ones((1, 6), 'bool'))`]);
  const two: InputSpec[] = [{ name: 'ids', dtype: 7, dims: ['batch', 'seq'] }, { name: 'mask', dtype: 9, dims: ['batch', 'seq'] }];
  const got = collect(openInputFolder(dir, two).samples());
  assert.deepEqual(got.map((s) => s.id), ['a', 'b']);
  assert.deepEqual([...(got[1]!.feeds.ids!.data as BigInt64Array)], [0n, 1n, 2n, 3n, 4n, 5n]);
  assert.ok(got[1]!.feeds.mask!.data instanceof Uint8Array);
  mkdirSync(join(dir, 'c'));
  writeFileSync(join(dir, 'c', 'ids.npy'), readFileSync(join(dir, 'a', 'ids.npy')));
  assert.throws(() => openInputFolder(dir, two), (e: Error) => e instanceof DataFileError && e.message === `${dir}/c: no file for input 'mask' (expected mask.npy or input_1.pb)`);
});

test('held-out data: every 5th sorted file unless --eval is given, and the note says which', () => {
  const dir = npyFolder(12);
  const split = openCalibrationData(dir, [{ name: 'x', dtype: 1, dims: [1, 3, 8, 8] }]);
  assert.equal(split.heldOut, 'held-out-fifth');
  const ids = (s: Iterable<Sample>): string[] => [...s].map((x) => x.id);
  assert.deepEqual(ids(split.evaluation.samples()), ['004.npy', '009.npy']);
  assert.deepEqual(ids(split.calibration.samples()), ['000.npy', '001.npy', '002.npy', '003.npy', '005.npy', '006.npy', '007.npy', '008.npy', '010.npy', '011.npy']);
  assert.match(split.note, /^calibrated on 10 of 12 files \(\.npy\) in .*; report computed on the 2 held out \(every 5th sorted: .*004\.npy, .*009\.npy\), not used to calibrate$/);

  const three = openCalibrationData(npyFolder(3), [{ name: 'x', dtype: 1, dims: [1, 3, 8, 8] }]);
  assert.deepEqual(ids(three.evaluation.samples()), ['002.npy']);
  const one = openCalibrationData(npyFolder(1), [{ name: 'x', dtype: 1, dims: [1, 3, 8, 8] }]);
  assert.equal(one.heldOut, 'none');
  assert.match(one.note, /report computed on the same data \(too few samples to hold any out; give --eval DIR\)/);
  const evalDir = npyFolder(2);
  const given = openCalibrationData(dir, [{ name: 'x', dtype: 1, dims: [1, 3, 8, 8] }], {}, evalDir);
  assert.equal(given.heldOut, 'eval-folder');
  assert.equal(ids(given.calibration.samples()).length, 12);
  assert.match(given.note, new RegExp(`report computed on 2 files \\(\\.npy\\) in ${evalDir}$`));
});

test('folders that hold no samples get a clear error', () => {
  const empty = mkdtempSync(join(tmpdir(), 'inputs-empty-'));
  assert.throws(() => openInputFolder(empty, SPEC), (e: Error) => e instanceof DataFileError && e.message === `${empty}: the folder is empty`);
  writeFileSync(join(empty, 'notes.txt'), 'x');
  assert.throws(() => openInputFolder(empty, SPEC), (e: Error) => e instanceof DataFileError && e.message.startsWith(`${empty}: no usable samples (found notes.txt); expected .npy, .pb, .png or .jpg files`));
  const junk = npyFolder(2);
  mkdirSync(join(junk, 'junk'));
  writeFileSync(join(junk, 'junk', 'notes.txt'), 'x');
  assert.throws(() => openInputFolder(junk, SPEC), (e: Error) => e instanceof DataFileError && e.message === `${junk}/junk: no file for input 'x' (expected x.npy or input_0.pb)`);
  const nested = npyFolder(1);
  mkdirSync(join(nested, 's', 'deeper'), { recursive: true });
  assert.throws(() => openInputFolder(nested, SPEC), /s\/deeper: a folder inside the sample folder .*\/s; a sample folder holds one file per input/);
  assert.throws(() => openInputFolder(join(empty, 'missing'), SPEC), (e: Error) => e instanceof DataFileError && e.message === `${empty}/missing: no such file`);
  assert.throws(() => openInputFolder(join(empty, 'notes.txt'), SPEC), /notes\.txt: not a folder/);
  // Images for an input with symbolic H,W and no size asked for.
  const images = mkdtempSync(join(tmpdir(), 'inputs-img-'));
  writeFileSync(join(images, 'cat.png'), readFileSync(join(SKIMAGE_DATA, 'chelsea.png')));
  assert.throws(() => openInputFolder(images, [{ name: 'x', dtype: 1, dims: [1, 3, 'h', 'w'] }]), InputOptionsError);
});
