import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DataFileError, openDataFile } from '../src/onnx/io/data-files';
import { readNpy } from '../src/runtime/input-files/npy';
import { readTensorPb } from '../src/runtime/input-files/tensor-pb';
import { bytesOf, makeFixtures } from './helpers/input-fixtures';

// .npy files written by numpy (versions 1-3, both byte orders, every numeric dtype) and the
// conformance suite's input_N.pb read by python onnx's numpy_helper: values must be equal
// byte for byte (float16 as its bits, bool as 0/1).
interface NpyCase {
  file: string;
  dtype: number;
  dims: number[];
  bin: string;
}
interface PbCase {
  file: string;
  dtype: number;
  name: string;
  dims?: number[];
  bin?: string;
}

const read = <T>(path: string, reader: (s: ReturnType<typeof openDataFile>) => T): T => {
  const source = openDataFile(path);
  try {
    return reader(source);
  } finally {
    source.close();
  }
};

test('.npy: numpy-written files of every numeric dtype, both byte orders and format versions 1-3 read as numpy reads them', () => {
  const { dir, manifest } = makeFixtures<NpyCase>('npy');
  assert.ok(manifest.length >= 24);
  for (const c of manifest) {
    const t = read(join(dir, c.file), readNpy);
    assert.equal(t.dtype, c.dtype, c.file);
    assert.deepEqual(t.dims, c.dims, c.file);
    assert.ok(bytesOf(t.data).equals(readFileSync(join(dir, c.bin))), `${c.file}: values differ`);
  }
  const refused: [string, RegExp][] = [
    ['refuse-fortran.npy', /refuse-fortran\.npy: Fortran-ordered.*np\.ascontiguousarray/],
    ['refuse-object.npy', /refuse-object\.npy: an object array \(dtype 'O'/],
    ['refuse-complex.npy', /refuse-complex\.npy: dtype '<c8' \(complex\) cannot be an input tensor/],
    ['refuse-unicode.npy', /refuse-unicode\.npy: dtype '<U2' \(unicode string\)/],
    ['refuse-record.npy', /refuse-record\.npy: a structured dtype/],
  ];
  for (const [file, message] of refused) assert.throws(() => read(join(dir, file), readNpy), (e: Error) => e instanceof DataFileError && message.test(e.message), file);
});

test('.pb: the conformance suite\'s input tensors read as python onnx reads them; types with no feed are refused by name', () => {
  const { dir, manifest } = makeFixtures<PbCase>('pb');
  let read_ = 0;
  for (const c of manifest) {
    if (c.bin) {
      const { name, tensor } = read(c.file, readTensorPb);
      assert.equal(name, c.name, c.file);
      assert.equal(tensor.dtype, c.dtype, c.file);
      assert.deepEqual(tensor.dims, c.dims, c.file);
      assert.ok(bytesOf(tensor.data).equals(readFileSync(join(dir, c.bin))), `${c.file}: values differ`);
      read_++;
    } else {
      const message = c.dtype === 0 ? /not a serialized ONNX TensorProto \(no data_type\)/ : /tensors cannot be fed as inputs from files/;
      assert.throws(() => read(c.file, readTensorPb), (e: Error) => e instanceof DataFileError && e.message.startsWith(c.file) && message.test(e.message), c.file);
    }
  }
  assert.ok(read_ >= 25, `${read_} tensors compared`);
});
