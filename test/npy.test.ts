import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { npyType, writeNpy } from '../src/analysis/npy';
import { dataTypeByName } from '../src/onnx/dtypes';
import { writeFileAtomic } from '../src/onnx/io/write-file';
import { Tensor } from '../src/onnx/tensor';
import { tensorProto } from './helpers/models';

// numpy reads each .npy back; the expected values are numpy's own reading of the raw bytes
// (frombuffer in the ONNX type's numpy dtype), or for types numpy lacks, a python decoder
// written from the format's definition, never our decoder.
const CHECK = String.raw`
import json, sys, numpy as np
def minifloat(b, e, m, bias, rule):
    s = -1.0 if b >> (e + m) & 1 else 1.0
    ex = (b >> m) & ((1 << e) - 1); man = b & ((1 << m) - 1)
    if rule == 'fn' and ex == (1 << e) - 1 and man == (1 << m) - 1: return float('nan')
    if rule == 'ieee' and ex == (1 << e) - 1: return float('nan') if man else s * float('inf')
    if rule == 'fnuz' and b == 1 << (e + m): return float('nan')
    return s * (man * 2.0 ** (1 - bias - m) if ex == 0 else (1 + man / 2 ** m) * 2.0 ** (ex - bias))
def nibbles(raw, n, bits):
    return [(raw[(i * bits) // 8] >> ((i * bits) % 8)) & ((1 << bits) - 1) for i in range(n)]
def expected(dtype, raw, n):
    direct = {'float': '<f4', 'double': '<f8', 'float16': '<f2', 'complex64': '<c8', 'complex128': '<c16', 'int8': 'i1', 'uint8': 'u1',
              'int16': '<i2', 'uint16': '<u2', 'int32': '<i4', 'uint32': '<u4', 'int64': '<i8', 'uint64': '<u8', 'bool': '?'}
    if dtype in direct: return np.frombuffer(raw, direct[dtype], n)
    if dtype == 'bfloat16': return (np.frombuffer(raw, '<u2', n).astype('<u4') << 16).view('<f4')
    if dtype in ('int4', 'int2', 'uint4', 'uint2'):
        bits = 4 if '4' in dtype else 2
        v = np.array(nibbles(raw, n, bits))
        return (np.where(v >= 1 << (bits - 1), v - (1 << bits), v) if dtype[0] == 'i' else v).astype('i1' if dtype[0] == 'i' else 'u1')
    rules = {'float8e4m3fn': (4, 3, 7, 'fn'), 'float8e4m3fnuz': (4, 3, 8, 'fnuz'), 'float8e5m2': (5, 2, 15, 'ieee'), 'float8e5m2fnuz': (5, 2, 16, 'fnuz')}
    if dtype in rules: return np.array([minifloat(b, *rules[dtype]) for b in raw[:n]], '<f4')
    if dtype == 'float8e8m0': return np.array([float('nan') if b == 255 else 2.0 ** (b - 127) for b in raw[:n]], '<f4')
    if dtype == 'float4e2m1': return np.array([minifloat(b, 2, 1, 1, 'none') for b in nibbles(raw, n, 4)], '<f4')
    raise ValueError(dtype)
bad = []
for c in json.load(sys.stdin):
    a = np.load(c['path'])
    e = expected(c['dtype'], bytes.fromhex(c['raw']), int(np.prod(c['dims']))).reshape(c['dims'])
    if a.dtype != e.dtype or a.shape != e.shape or not np.array_equal(a, e, equal_nan=a.dtype.kind in 'fc'):
        bad.append([c['dtype'], str(a.dtype), str(e.dtype), a.ravel()[:8].tolist(), e.ravel()[:8].tolist()])
print(json.dumps(bad))
`;

const DTYPES = ['float', 'double', 'float16', 'bfloat16', 'complex64', 'complex128', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool',
  'int4', 'uint4', 'int2', 'uint2', 'float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2', 'float8e5m2fnuz', 'float8e8m0', 'float4e2m1'];

/** Deterministic bytes covering every bit pattern of the small types (NaN and infinities included). */
const pattern = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 37 + seed * 11 + (i >> 8) * 101) & 0xff);

test('.npy: every dtype saved in numpy\'s own dtype (or a stated exact widening), values equal to numpy\'s reading of the bytes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-npy-'));
  const cases = DTYPES.map((dtype, k) => {
    const info = dataTypeByName(dtype)!;
    const dims = [3, 100];
    const raw = pattern(Math.ceil((300 * info.bits) / 8), k);
    const t = new Tensor(tensorProto({ name: dtype, dims, data_type: info.id, raw_data: raw }));
    const path = join(dir, `${dtype}.npy`);
    writeFileAtomic(path, (sink) => writeNpy(t, sink));
    return { path, dtype, dims, raw: Buffer.from(raw).toString('hex') };
  });
  const bad = JSON.parse(execFileSync('/usr/bin/python3', ['-c', CHECK], { input: JSON.stringify(cases) }).toString()) as unknown[];
  assert.deepEqual(bad, []);
  assert.equal(npyType(new Tensor(tensorProto({ name: 'h', dims: [1], data_type: 10 }))).descr, '<f2');
  assert.match(npyType(new Tensor(tensorProto({ name: 'b', dims: [1], data_type: 16 }))).note ?? '', /no bfloat16: saved as float32/);
  assert.throws(() => npyType(new Tensor(tensorProto({ name: 's', dims: [1], data_type: 8 }))), /string values/);
});

test('.npy is written in bounded chunks: a tensor larger than one chunk never goes to the sink whole', () => {
  const n = 1_000_003;
  const raw = pattern(n * 8, 1);
  const t = new Tensor(tensorProto({ name: 'big', dims: [n], data_type: 7, raw_data: raw }));
  const sizes: number[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-npy-'));
  const path = join(dir, 'big.npy');
  writeFileAtomic(path, (sink) => writeNpy(t, { write: (c) => (sizes.push(c.length), sink.write(c)) }));
  assert.ok(sizes.length > 3 && Math.max(...sizes) < raw.length / 2, `chunks of ${sizes.join(', ')}`);
  writeFileSync(join(dir, 'raw.bin'), raw);
  const got = execFileSync('/usr/bin/python3', ['-c', 'import numpy as np, sys; a = np.load(sys.argv[1]); b = np.fromfile(sys.argv[2], "<i8"); print(a.dtype, a.shape, bool((a == b).all()))', path, join(dir, 'raw.bin')]).toString();
  assert.equal(got.trim(), `int64 (${n},) True`);
});
