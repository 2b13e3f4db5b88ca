import assert from 'node:assert/strict';
import { linkSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { summarizeModel } from '../src/analysis/summary';
import { checkModel } from '../src/onnx/check/checker';
import { ModelFileError } from '../src/onnx/errors';
import { openModel } from '../src/onnx/open';
import { bytesOf, graph, model, node, tensorProto, tensorType, valueInfo } from './helpers/models';

const FLOAT = 1;

/** A model folder with `w` stored externally at `location` (offset 8, length 16; `extra` entries replace those of their key, or with `repeat` come in addition). */
function externalModel(location: string, extra: { key: string; value: string }[] = [], repeat = false): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-ext-'));
  const base = [{ key: 'location', value: location }, { key: 'offset', value: '8' }, { key: 'length', value: '16' }];
  const w = tensorProto({
    name: 'w', dims: [4], data_type: FLOAT, data_location: 1,
    external_data: [...base.filter((e) => repeat || !extra.some((x) => x.key === e.key)), ...extra],
  });
  const m = model(graph({
    node: [node('Add', ['x', 'w'], ['y'])],
    input: [valueInfo('x', tensorType(FLOAT, [4]))],
    output: [valueInfo('y', tensorType(FLOAT, [4]))],
    initializer: [w],
  }));
  const path = join(dir, 'model.onnx');
  writeFileSync(path, bytesOf(m));
  return { dir, path };
}

const weights = (): Buffer => {
  const b = Buffer.alloc(24);
  [1.5, -2, 3.25, 4].forEach((v, i) => b.writeFloatLE(v, 8 + 4 * i));
  return b;
};

test('external data beside the model is read from its offset and length, and counted', () => {
  const { dir, path } = externalModel('weights.bin');
  writeFileSync(join(dir, 'weights.bin'), weights());
  const m = openModel(path);
  assert.deepEqual(m.graph.initializers[0]!.read(Infinity).values, Float32Array.from([1.5, -2, 3.25, 4]));
  const s = summarizeModel(m);
  assert.equal(s.weightBytes, 16);
  assert.deepEqual(s.externalDataFiles, ['weights.bin']);
  assert.deepEqual(checkModel(m).filter((d) => d.severity === 'error'), []);
  m.close();
});

test('a missing or short external file is a checker error, not a crash', () => {
  const { dir, path } = externalModel('weights.bin');
  let m = openModel(path);
  assert.ok(checkModel(m).some((d) => d.rule === 'external-data' && /not found/.test(d.message)));
  m.close();
  writeFileSync(join(dir, 'weights.bin'), Buffer.alloc(10));
  m = openModel(path);
  assert.ok(checkModel(m).some((d) => d.rule === 'external-data' && /too short/.test(d.message)));
  m.close();
});

function refused(location: string, setup: (dir: string) => void, pattern: RegExp, extra?: { key: string; value: string }[], repeat = false): void {
  const { dir, path } = externalModel(location, extra, repeat);
  setup(dir);
  const m = openModel(path);
  assert.throws(() => m.graph.initializers[0]!.read(Infinity), (e: unknown) => e instanceof ModelFileError && pattern.test(e.message));
  assert.ok(checkModel(m).some((d) => d.rule === 'external-data' && pattern.test(d.message)));
  m.close();
}

test('external-data security: absolute paths, .. escapes, symlinks (final and parent), hard links, bad keys', () => {
  const secret = join(mkdtempSync(join(tmpdir(), 'onnx-studio-secret-')), 'secret.bin');
  writeFileSync(secret, weights());
  refused(secret, () => {}, /absolute path/);
  refused('../secret.bin', () => {}, /leaves the model's folder/);
  refused('link.bin', (d) => symlinkSync(secret, join(d, 'link.bin')), /outside the model's folder/);
  refused('inner.bin', (d) => {
    writeFileSync(join(d, 'real.bin'), weights());
    symlinkSync(join(d, 'real.bin'), join(d, 'inner.bin'));
  }, /symbolic link/);
  refused('sub/secret.bin', (d) => symlinkSync(join(secret, '..'), join(d, 'sub')), /outside the model's folder/);
  refused('hard.bin', (d) => linkSync(secret, join(d, 'hard.bin')), /hard links/);
  refused('weights.bin', (d) => writeFileSync(join(d, 'weights.bin'), weights()), /unknown external_data key '__class__'/, [{ key: '__class__', value: 'x' }]);
  refused('weights.bin', (d) => writeFileSync(join(d, 'weights.bin'), weights()), /offset '-8' is not a non-negative integer/, [{ key: 'offset', value: '-8' }]);
  const both = (d: string): void => {
    writeFileSync(join(d, 'weights.bin'), weights());
    writeFileSync(join(d, 'other.bin'), weights());
  };
  refused('weights.bin', both, /key 'location' is given twice/, [{ key: 'location', value: 'other.bin' }], true);
  refused('weights.bin', both, /key 'offset' is given twice/, [{ key: 'offset', value: '0' }], true);
  refused('weights.bin', (d) => {
    mkdirSync(join(d, 'weights.bin'));
  }, /not a regular file|cannot open/);
});
