import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { summarizeModel } from '../src/analysis/summary';
import { checkModel } from '../src/onnx/check/checker';
import { ModelFileError, OnnxFormatError } from '../src/onnx/errors';
import { openModelBytes } from '../src/onnx/open';
import { CLI, corpusModels, suiteCases } from './helpers/corpus';
import { attr, bytesOf, graph, model, node, reluAddModel, reluChainBytes, tensorProto, tensorType, valueInfo } from './helpers/models';

/** A hang guard, not a budget: how fast these run is measured by `npm run bench`. */
const HANG_GUARD_MS = 60_000;

/** Opens, checks and summarizes; returns the error if one is thrown. Anything but our typed errors fails. */
function exercise(bytes: Uint8Array, label: string): Error | undefined {
  const start = performance.now();
  try {
    const m = openModelBytes(bytes, undefined, label);
    checkModel(m);
    summarizeModel(m);
    for (const g of m.graphs()) for (const t of g.initializers) try { t.read(16); } catch (e) { if (!(e instanceof OnnxFormatError || e instanceof ModelFileError)) throw e; }
    return undefined;
  } catch (e) {
    if (e instanceof OnnxFormatError || e instanceof ModelFileError) return e;
    throw new Error(`${label}: unexpected ${(e as Error).name}: ${(e as Error).message}`, { cause: e });
  } finally {
    const ms = performance.now() - start;
    assert.ok(ms < HANG_GUARD_MS, `${label}: took ${ms.toFixed(0)} ms`);
  }
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

test('bounded fuzz: truncated and byte-flipped corpus files give typed errors, never crashes or hangs', () => {
  const rand = rng(1234);
  const files = [...corpusModels().filter((p) => !p.includes('rec_infer')), ...suiteCases(['node']).filter(() => rand() < 0.05).map((c) => c.model)];
  let errors = 0;
  let runs = 0;
  for (const f of files) {
    const original = readFileSync(f);
    for (let k = 0; k < 6; k++) {
      const bytes = Buffer.from(original);
      let label: string;
      if (k < 2) {
        const cut = Math.floor(rand() * bytes.length);
        label = `${f} truncated at ${cut}`;
        const e = exercise(bytes.subarray(0, cut), label);
        if (e) errors++;
      } else {
        const flips = 1 + Math.floor(rand() * 8);
        for (let i = 0; i < flips; i++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
        label = `${f} with ${flips} flipped bytes`;
        if (exercise(bytes, label)) errors++;
      }
      runs++;
    }
  }
  console.log(`# fuzz: ${runs} mutated files, ${errors} rejected with a typed error, the rest read`);
  assert.ok(errors > runs / 4);
});

test('a truncated file names the byte offset where reading failed', () => {
  const bytes = bytesOf(reluAddModel());
  const e = exercise(bytes.subarray(0, bytes.length - 3), 'truncated');
  assert.ok(e instanceof OnnxFormatError);
  assert.match(e.message, /at byte \d+/);
  assert.ok(e.offset > 0 && e.offset <= bytes.length);
});

test('wrong wire type and lengths past the end are format errors with offsets', () => {
  // ModelProto.graph (field 7) written as a varint: tag 7<<3|0.
  const wrongWire = Uint8Array.from([0x08, 0x08, 0x38, 0x01]);
  const e1 = exercise(wrongWire, 'wrong wire type');
  assert.ok(e1 instanceof OnnxFormatError);
  assert.match(e1.message, /graph has wire type 0/);
  assert.equal(e1.offset, 2);
  // graph with a length of 1 GB in a 6-byte file.
  const pastEnd = Uint8Array.from([0x08, 0x08, 0x3a, 0x80, 0x80, 0x80, 0x80, 0x04]);
  const e2 = exercise(pastEnd, 'length past the end');
  assert.ok(e2 instanceof OnnxFormatError);
  assert.match(e2.message, /runs past the end/);
  const notModel = new TextEncoder().encode('<html><script>alert(1)</script></html>');
  assert.ok(exercise(notModel, 'html') instanceof OnnxFormatError);
  assert.match(exercise(new TextEncoder().encode('version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n'), 'lfs')!.message, /Git LFS pointer/);
  assert.match(exercise(new Uint8Array(0), 'empty')!.message, /empty/);
});

test('deeply nested subgraphs are refused without exhausting the stack', () => {
  let g = graph({ node: [node('Identity', ['x'], ['y'])], output: [valueInfo('y')] });
  for (let i = 0; i < 200; i++) g = graph({ node: [node('If', ['c'], ['y'], [attr('then_branch', g), attr('else_branch', graph({}))])], output: [valueInfo('y')] });
  const bytes = bytesOf(model(g));
  const e = exercise(bytes, 'nested 200 deep');
  assert.ok(e instanceof OnnxFormatError);
  assert.match(e.message, /nested deeper than/);
});

test('2^40-element dims: counted, not allocated; data mismatch reported by the checker', () => {
  const huge = 2 ** 20;
  const m = model(graph({
    node: [node('Relu', ['w'], ['y'])],
    input: [valueInfo('x', tensorType(1, [huge, huge]))],
    output: [valueInfo('y', tensorType(1, [huge, huge]))],
    initializer: [tensorProto({ name: 'w', dims: [huge, huge], data_type: 1, raw_data: new Uint8Array(4) })],
  }));
  const opened = openModelBytes(bytesOf(m));
  assert.equal(summarizeModel(opened).parameterCount, 2 ** 40);
  const d = checkModel(opened);
  assert.ok(d.some((x) => x.rule === 'tensor-data' && /expected 4398046511104/.test(x.message)), JSON.stringify(d));
  assert.throws(() => opened.graph.initializers[0]!.read(8), OnnxFormatError);
});

test('a cycle is a checker error, and inference terminates', () => {
  const m = model(graph({
    node: [node('Relu', ['b'], ['a'], [], 'n1'), node('Relu', ['a'], ['b'], [], 'n2')],
    output: [valueInfo('a', tensorType(1, [1]))],
  }));
  const d = checkModel(openModelBytes(bytesOf(m)));
  assert.ok(d.some((x) => x.rule === 'cycle'));
});

test('a 1M-node graph: `onnx-studio check` and `inspect` finish with the right counts', () => {
  const n = 1_000_000;
  const path = join(mkdtempSync(join(tmpdir(), 'onnx-studio-1m-')), 'chain-1m.onnx');
  writeFileSync(path, reluChainBytes(n));
  for (const command of ['check', 'inspect']) {
    const start = performance.now();
    const r = spawnSync(process.execPath, [CLI, command, '--json', path], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: HANG_GUARD_MS });
    const ms = performance.now() - start;
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { errors?: number; nodeCount?: number };
    if (command === 'check') assert.equal(json.errors, 0);
    else assert.equal(json.nodeCount, n);
    console.log(`# 1M-node graph (${(statSync(path).size / 1e6).toFixed(1)} MB): onnx-studio ${command} in ${ms.toFixed(0)} ms`);
  }
  rmSync(path);
});
