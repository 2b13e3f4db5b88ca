import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BufferSource } from '../../src/onnx/io/byte-source';
import { decodeMessage } from '../../src/onnx/proto/decode';
import type { TensorProto } from '../../src/onnx/proto/types';
import { Tensor } from '../../src/onnx/tensor';
import type { FeedTensor, TensorData } from '../../src/runtime/types';
import { ROOT } from './corpus';

/** The bundled runtime child (node scripts/build.mjs). */
export const RUNTIME_WORKER = join(ROOT, 'dist', 'runtime-worker.js');
export const RESNET18 = join(ROOT, '.cache', 'models', 'resnet18.onnx');

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'onnx-studio-runtime-'));

/** Runs a Debian python3 script (python onnx 1.12, numpy) and returns its stdout. */
export function python(script: string, args: string[] = []): string {
  return execFileSync('/usr/bin/python3', ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

export interface NumpyFigures {
  cosine: number;
  snrDb: number;
  maxAbsError: number;
}

/** Cosine, SNR dB and max abs error of float32 arrays, computed by numpy in float64. */
export function numpyFigures(ref: Float32Array, cand: Float32Array): NumpyFigures {
  const dir = tempDir();
  writeFileSync(join(dir, 'a.bin'), ref);
  writeFileSync(join(dir, 'b.bin'), cand);
  const out = python(
    `
import sys, json, numpy as np
a = np.fromfile(sys.argv[1] + '/a.bin', dtype=np.float32).astype(np.float64)
b = np.fromfile(sys.argv[1] + '/b.bin', dtype=np.float32).astype(np.float64)
na, nb = np.linalg.norm(a), np.linalg.norm(b)
cos = 1.0 if na == 0 and nb == 0 else (0.0 if na == 0 or nb == 0 else float(np.dot(a, b) / (na * nb)))
noise = float(np.sum((a - b) ** 2))
snr = float('inf') if noise == 0 else float(10 * np.log10(np.sum(a * a) / noise))
print(json.dumps([repr(cos), repr(snr), repr(float(np.max(np.abs(a - b))))]))
`,
    [dir],
  );
  const [cosine, snrDb, maxAbsError] = (JSON.parse(out) as string[]).map((s) => (s === 'inf' ? Infinity : s === '-inf' ? -Infinity : Number(s)));
  return { cosine: cosine!, snrDb: snrDb!, maxAbsError: maxAbsError! };
}

/** A deterministic float32 array. */
export const wave = (n: number, f = 0.37, phase = 0): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * f + phase));

/**
 * `dir/m.onnx`: z = Relu(x @ W), x [N, n], W = (arange(n²) − n²/2) / n² saved by python onnx as
 * external data at `location` (relative to dir). Returns the model path.
 */
export function externalDataModel(dir: string, n: number, location: string): string {
  python(
    `
import sys, os, numpy as np, onnx
from onnx import helper, TensorProto, numpy_helper
d, n, loc = sys.argv[1], int(sys.argv[2]), sys.argv[3]
W = numpy_helper.from_array((np.arange(n * n, dtype=np.float32).reshape(n, n) - n * n / 2) / (n * n), 'W')
g = helper.make_graph([helper.make_node('MatMul', ['x', 'W'], ['y'], name='mm'), helper.make_node('Relu', ['y'], ['z'], name='relu')], 'g',
  [helper.make_tensor_value_info('x', TensorProto.FLOAT, ['N', n])], [helper.make_tensor_value_info('z', TensorProto.FLOAT, ['N', n])], [W])
m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 13)]); m.ir_version = 8
os.makedirs(os.path.dirname(os.path.join(d, loc)), exist_ok=True)
onnx.save(m, d + '/m.onnx', save_as_external_data=True, location=loc, size_threshold=0)
`,
    [dir, String(n), location],
  );
  return join(dir, 'm.onnx');
}

/** x @ W of externalDataModel computed by numpy (x: row-major [rows, n]). */
export function externalDataMatMul(x: Float32Array, n: number): number[] {
  return JSON.parse(
    python(`import sys, json, numpy as np; n = int(sys.argv[2]); x = np.array(json.loads(sys.argv[1]), dtype=np.float32).reshape(-1, n); W = (np.arange(n * n, dtype=np.float32).reshape(n, n) - n * n / 2) / (n * n); print(json.dumps((x @ W).ravel().tolist()))`, [JSON.stringify([...x]), String(n)]),
  ) as number[];
}

/** A TensorProto file of the conformance suite (input_0.pb) as a feed; float16 decoded to numbers by Tensor. */
export function pbTensor(path: string): FeedTensor {
  const proto = decodeMessage<TensorProto>(new BufferSource(readFileSync(path)), 'TensorProto');
  const t = new Tensor(proto);
  return { dtype: t.dtype, dims: t.dims, data: t.read(t.elementCount).values as TensorData };
}
