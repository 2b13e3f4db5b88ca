import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { npyBytes } from '../src/analysis/npy';
import { Tensor } from '../src/onnx/tensor';
import { tensorProto } from './helpers/models';

test('.npy files numpy reads back with the same shape and values', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-npy-'));
  const cases: [string, Tensor, string][] = [
    ['f32', new Tensor(tensorProto({ name: 'a', dims: [2, 3], data_type: 1, float_data: [1, 2, 3, 4, 5, -6.5] })), 'float32 (2, 3) [1.0, 2.0, 3.0, 4.0, 5.0, -6.5]'],
    ['i64', new Tensor(tensorProto({ name: 'b', dims: [3], data_type: 7, int64_data: [1, -2, 3] })), 'float64 (3,) [1.0, -2.0, 3.0]'],
    ['u8', new Tensor(tensorProto({ name: 'c', dims: [2], data_type: 2, raw_data: Uint8Array.from([7, 255]) })), 'uint8 (2,) [7, 255]'],
    ['int4', new Tensor(tensorProto({ name: 'd', dims: [2], data_type: 22, raw_data: Uint8Array.from([0xf1]) })), 'float32 (2,) [1.0, -1.0]'],
  ];
  for (const [name, t, expected] of cases) {
    const path = join(dir, `${name}.npy`);
    writeFileSync(path, npyBytes(t));
    const got = execFileSync('/usr/bin/python3', ['-c', `import numpy as np, sys; a = np.load(sys.argv[1]); print(a.dtype, a.shape, a.ravel().tolist())`, path]).toString().trim();
    assert.equal(got, expected);
  }
});
