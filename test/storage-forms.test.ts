import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { writeNpy } from '../src/analysis/npy';
import { checkModel } from '../src/onnx/check/checker';
import { DiskModelFiles, type ModelFiles } from '../src/onnx/io/model-files';
import { writeFileAtomic } from '../src/onnx/io/write-file';
import { encodeModelBytes, openModel } from '../src/onnx/open';
import type { ModelProto } from '../src/onnx/proto/types';
import { Tensor, type TensorValues } from '../src/onnx/tensor';
import { parseModel } from '../src/onnx/text/parser';
import { printModel } from '../src/onnx/text/printer';
import { allTensors, inlineExternalData } from '../src/onnx/text/weights';
import { ROOT } from './helpers/corpus';

// Models python onnx's helper writes in every storage form (scripts/python/gen_storage_forms.py);
// expected values are what numpy reads through onnx.numpy_helper, never our own decoder.

type Expected = { dtype: number; dims: number[]; values: (string | [string, string])[] };
type Feed = { dtype: string; dims: number[]; values: number[] };
interface Case { path: string; tensors: Record<string, Expected>; runs: boolean; feeds: Record<string, Feed> }

const OUT = mkdtempSync(join(tmpdir(), 'onnx-studio-forms-'));
execFileSync('/usr/bin/python3', [join(ROOT, 'scripts', 'python', 'gen_storage_forms.py'), OUT]);
const CASES = JSON.parse(readFileSync(join(OUT, 'manifest.json'), 'utf8')) as Record<string, Case>;

const pythonFloat = (w: string): number => (w === 'nan' ? NaN : w === 'inf' ? Infinity : w === '-inf' ? -Infinity : Number(w));

/** Differences between our values and numpy's, as messages (empty when equal). */
function differences(label: string, values: TensorValues, expected: Expected): string[] {
  const want = expected.values.flat();
  if (values.length !== want.length) return [`${label}: ${values.length} values, numpy has ${want.length}`];
  const out: string[] = [];
  for (let i = 0; i < want.length && out.length < 3; i++) {
    const got = values[i]!;
    const w = want[i]!;
    const same = typeof got === 'string' ? got === w : typeof got === 'bigint' || !/[.ena]/.test(w) ? BigInt(got) === BigInt(w) : Object.is(got, pythonFloat(w));
    if (!same) out.push(`${label}[${i}]: ${String(got)}, numpy reads ${w}`);
  }
  return out;
}

/** Compares every tensor of `m` that numpy knows by name; returns the names compared and the differences. */
function compare(what: string, m: ModelProto, files: ModelFiles | undefined, c: Case): { seen: Set<string>; bad: string[] } {
  const seen = new Set<string>();
  const bad: string[] = [];
  for (const t of allTensors(m)) {
    const expected = c.tensors[t.name ?? ''];
    if (!expected) continue;
    seen.add(t.name!);
    try {
      bad.push(...differences(`${what} ${t.name}`, new Tensor(t, files).read(Infinity).values, expected));
    } catch (e) {
      bad.push(`${what} ${t.name}: ${(e as Error).message}`);
    }
  }
  return { seen, bad };
}

test('storage forms: every tensor python onnx writes decodes to the values numpy reads, and again after decode → encode', () => {
  assert.equal(Object.keys(CASES).length, 15, 'the generator wrote every model');
  const bad: string[] = [];
  for (const [name, c] of Object.entries(CASES)) {
    const m = openModel(c.path);
    const first = compare(name, m.proto, m.files, c);
    assert.equal(first.seen.size, Object.keys(c.tensors).length, `${name}: every tensor found`);
    const again = join(dirname(c.path), 'reencoded.onnx');
    writeFileSync(again, encodeModelBytes(m.proto));
    const back = openModel(again);
    bad.push(...first.bad, ...compare(`${name} re-encoded`, back.proto, back.files, c).bad);
    back.close();
    m.close();
  }
  assert.deepEqual(bad, []);
});

test('storage forms: check finds no errors in any of them (python onnx.checker accepts them all)', () => {
  const found = Object.entries(CASES).flatMap(([name, c]) => {
    const m = openModel(c.path);
    const errors = checkModel(m).filter((d) => d.severity === 'error').map((d) => `${name}: ${d.code} ${d.message}`);
    m.close();
    return errors;
  });
  assert.deepEqual(found, []);
});

test('storage forms: printed as text (inline, and referring to the model) and parsed back, with the same values', () => {
  const bad: string[] = [];
  for (const [name, c] of Object.entries(CASES)) {
    const m = openModel(c.path);
    for (const opts of [{ inlineLimit: Infinity }, { modelLocation: 'model.onnx' }]) {
      const { text } = printModel(m.proto, opts);
      const parsed = parseModel(text);
      if (parsed.diagnostics.length) {
        const at = parsed.diagnostics[0]!.start;
        bad.push(`${name} ${JSON.stringify(opts)}: ${parsed.diagnostics[0]!.message}: ${text.slice(Math.max(0, at - 40), at + 40)}`);
        continue;
      }
      const files = new DiskModelFiles(c.path);
      const { seen, bad: diff } = compare(`${name} text`, parsed.model, files, c);
      files.model.close();
      bad.push(...diff);
      // The syntax has no sparse initializers (the printer reports them dropped); every other tensor comes back.
      const sparse = new Set(m.proto.graph!.sparse_initializer.flatMap((s) => [s.values!.name, s.indices!.name]));
      const missing = Object.keys(c.tensors).filter((k) => !seen.has(k) && !sparse.has(k));
      if (missing.length) bad.push(`${name} text: lost ${missing.join(', ')}`);
    }
    m.close();
  }
  assert.deepEqual(bad, []);
});

test('storage forms: every numeric tensor saved as .npy reads back in numpy equal to numpy_helper.to_array', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-forms-npy-'));
  const jobs: { npy: string; values: Expected['values']; dtype: number }[] = [];
  for (const [name, c] of Object.entries(CASES)) {
    const m = openModel(c.path);
    for (const t of allTensors(m.proto)) {
      const expected = c.tensors[t.name ?? ''];
      if (!expected || t.data_type === 8) continue;
      const npy = join(dir, `${name}.${t.name}.npy`);
      writeFileAtomic(npy, (sink) => writeNpy(new Tensor(t, m.files), sink));
      jobs.push({ npy, values: expected.values, dtype: expected.dtype });
    }
    m.close();
  }
  assert.ok(jobs.length > 60, `${jobs.length} tensors saved`);
  // numpy's reading of each file, in the generator's text form, against numpy_helper's.
  const check = String.raw`
import json, sys, numpy as np
def one(x):
    if isinstance(x, (complex, np.complexfloating)): return [one(x.real), one(x.imag)]
    if isinstance(x, (float, np.floating)): return 'nan' if np.isnan(x) else repr(float(x))
    return str(int(x))
NUMPY = {1: 'float32', 11: 'float64', 10: 'float16', 16: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 12: 'uint32',
         7: 'int64', 13: 'uint64', 9: 'bool', 14: 'complex64', 15: 'complex128'}
bad = []
for j in json.load(sys.stdin):
    a = np.load(j['npy'])
    got = [one(x) for x in a.ravel().tolist()]
    if str(a.dtype) != NUMPY[j['dtype']] or got != j['values']:
        bad.append([j['npy'], str(a.dtype), got[:4], j['values'][:4]])
print(json.dumps(bad))
`;
  const bad = JSON.parse(execFileSync('/usr/bin/python3', ['-c', check], { input: JSON.stringify(jobs), maxBuffer: 64 << 20 }).toString()) as unknown[];
  assert.deepEqual(bad, []);
});

const FEED_TYPES: Record<string, (v: number[]) => ort.Tensor['data']> = {
  float32: (v) => Float32Array.from(v), uint8: (v) => Uint8Array.from(v), int64: (v) => BigInt64Array.from(v.map(BigInt)),
};

test('storage forms: onnxruntime gives the same outputs for the original, the re-encoded and the text-compiled model', async () => {
  const runnable = Object.entries(CASES).filter(([, c]) => c.runs);
  assert.equal(runnable.length, 11, 'models onnxruntime runs');
  for (const [name, c] of runnable) {
    const feeds = Object.fromEntries(Object.entries(c.feeds).map(([k, f]) => [k, new ort.Tensor(f.dtype as 'float32', FEED_TYPES[f.dtype]!(f.values), f.dims)]));
    const run = async (bytes: Uint8Array): Promise<Record<string, unknown>> => {
      const externalData = name === 'external' ? [{ path: 'weights.bin', data: readFileSync(join(dirname(c.path), 'weights.bin')) }] : [];
      const session = await ort.InferenceSession.create(bytes, { externalData });
      const out = await session.run(feeds);
      await session.release();
      return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.data]));
    };
    const m = openModel(c.path);
    const expected = await run(readFileSync(c.path));
    assert.deepEqual(await run(encodeModelBytes(m.proto)), expected, `${name}: re-encoded`);
    const { text, dropped } = printModel(m.proto, { inlineLimit: Infinity });
    if (m.proto.graph!.sparse_initializer.length) {
      // The syntax has no sparse initializers: the printer says so, and the text is not compiled.
      assert.deepEqual(dropped, ['sparse initializers (1)']);
      m.close();
      continue;
    }
    const parsed = parseModel(text);
    assert.deepEqual(parsed.diagnostics, [], name);
    const files = new DiskModelFiles(c.path);
    inlineExternalData(parsed.model, files);
    files.model.close();
    assert.deepEqual(await run(encodeModelBytes(parsed.model)), expected, `${name}: compiled from text`);
    // Where outputs are initializers passed through, onnxruntime reads what numpy reads (float16 comes back as bits: left out).
    for (const [out, data] of Object.entries(expected)) {
      const t = c.tensors[out.replace(/^y_/, '')];
      if (t && out.startsWith('y_') && t.dtype !== 10) assert.deepEqual(differences(`${name} ${out} (onnxruntime)`, data as TensorValues, t), []);
    }
    m.close();
  }
});
