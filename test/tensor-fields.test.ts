// Two rules of ONNX's checker that ours once missed (found by attacking it): a tensor keeps its
// values in one place only, and a sparse tensor's indices lie inside its shape, sorted and
// distinct. python onnx's checker is the reference: it must reject each bad model too.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkModel } from '../src/onnx/check/checker';
import { openModelBytes } from '../src/onnx/open';
import type { SparseTensorProto, TensorProto } from '../src/onnx/proto/types';
import { bytesOf, graph, model, node, tensorProto, tensorType, valueInfo } from './helpers/models';

const FLOAT = 1;
const INT64 = 7;

function modelWith(initializer: TensorProto[], sparse: SparseTensorProto[] = []): Uint8Array {
  const name = initializer[0]?.name ?? sparse[0]!.values!.name!;
  const dims = initializer[0]?.dims ?? sparse[0]!.dims;
  return bytesOf(model(graph({ node: [node('Identity', [name], ['y'])], output: [valueInfo('y', tensorType(FLOAT, dims.map(Number)))], initializer, sparse_initializer: sparse })));
}

function ourErrors(bytes: Uint8Array): string[] {
  const m = openModelBytes(bytes);
  try {
    return checkModel(m).filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);
  } finally {
    m.close();
  }
}

/** python onnx's checker (without shape inference, which has no sparse inputs for Identity): undefined when it accepts, else its message. */
function pythonRejects(bytes: Uint8Array): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-fields-'));
  try {
    const path = join(dir, 'm.onnx');
    writeFileSync(path, bytes);
    const r = spawnSync('/usr/bin/python3', ['-c', 'import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]))', path], { encoding: 'utf8' });
    return r.status === 0 ? undefined : r.stderr.trim().split('\n').at(-1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const sparse = (indices: number[], indexDims: number[], dense: number[]): SparseTensorProto => ({
  values: tensorProto({ name: 'sp', dims: [indexDims[0]!], data_type: FLOAT, float_data: Array.from({ length: indexDims[0]! }, (_, i) => i + 1) }),
  indices: tensorProto({ name: 'sp_idx', dims: indexDims, data_type: INT64, int64_data: indices }),
  dims: dense,
});

test('a tensor with values in two fields is an error (E302), as in python onnx', () => {
  const both = tensorProto({ name: 'w', dims: [2], data_type: FLOAT, float_data: [1, 2], raw_data: new Uint8Array(new Float32Array([1, 2]).buffer) });
  const bytes = modelWith([both]);
  assert.match(ourErrors(bytes).join('\n'), /E302 .*raw_data and float_data/);
  assert.ok(pythonRejects(bytes), 'python onnx rejects it too');
  const one = modelWith([tensorProto({ name: 'w', dims: [2], data_type: FLOAT, float_data: [1, 2] })]);
  assert.deepEqual(ourErrors(one), []);
  assert.equal(pythonRejects(one), undefined);
});

test('sparse indices out of range or out of order are errors (E302); sorted ones inside the shape are not — python onnx agrees', () => {
  const cases: { what: string; s: SparseTensorProto; bad: RegExp | undefined }[] = [
    { what: 'linear, sorted, inside', s: sparse([0, 5, 15], [3], [4, 4]), bad: undefined },
    { what: 'coordinates, sorted, inside', s: sparse([0, 1, 2, 3], [2, 2], [4, 4]), bad: undefined },
    { what: 'linear index past the end', s: sparse([0, 16], [2], [4, 4]), bad: /out of range/ },
    { what: 'linear index 2^40', s: sparse([0, 2 ** 40], [2], [4, 4]), bad: /out of range/ },
    { what: 'negative coordinate', s: sparse([-1, 0], [1, 2], [4, 4]), bad: /out of range/ },
    { what: 'coordinate past its dim', s: sparse([0, 4], [1, 2], [4, 4]), bad: /out of range/ },
    { what: 'linear, unsorted', s: sparse([5, 3], [2], [4, 4]), bad: /sorted/ },
    { what: 'linear, repeated', s: sparse([3, 3], [2], [4, 4]), bad: /sorted/ },
    { what: 'coordinates, unsorted', s: sparse([1, 0, 0, 3], [2, 2], [4, 4]), bad: /sorted/ },
  ];
  for (const c of cases) {
    const bytes = modelWith([], [c.s]);
    const ours = ourErrors(bytes).join('\n');
    const python = pythonRejects(bytes);
    if (c.bad) {
      assert.match(ours, new RegExp(`E302 .*${c.bad.source}`), `${c.what}: ${ours}`);
      assert.ok(python, `${c.what}: python onnx rejects it too`);
    } else {
      assert.equal(ours, '', c.what);
      assert.equal(python, undefined, `${c.what}: python accepts it`);
    }
  }
});
