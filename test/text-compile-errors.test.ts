// Hostile and mistaken ONNX texts given to `compile`: each answers with exit 1 and a diagnostic at
// the right line:column in bounded time, never a crash (exit 70), a wrapped value or a model the
// reader refuses. Inputs are generated here; expected ranges come from numpy.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openModel } from '../src/onnx/open';
import { CLI } from './helpers/corpus';

const HEADER = '<ir_version: 8, opset_import: ["" : 17]>\n';
/** A hang guard only: generous for a loaded machine. */
const HANG_MS = 120_000;

interface Compiled {
  status: number | null;
  stdout: string;
  file: string;
  out: string;
}

function compile(text: string, name = 'm'): Compiled {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-compile-'));
  const file = join(dir, `${name}.onnxtxt`);
  const out = join(dir, `${name}.onnx`);
  writeFileSync(file, text);
  const r = spawnSync(process.execPath, [CLI, 'compile', file, '-o', out], { encoding: 'utf8', timeout: HANG_MS, maxBuffer: 64 << 20 });
  assert.notEqual(r.signal, 'SIGTERM', `${name}: compile hung`);
  return { status: r.status, stdout: r.stdout + r.stderr, file, out };
}

/** 1-based `line:column` of offset `at` in `text`. */
function lineColumn(text: string, at: number): string {
  const before = text.slice(0, at).split('\n');
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

/** Asserts exit 1, no output written, and an error at each of `offsets` matching `message`. */
function assertErrorsAt(r: Compiled, text: string, offsets: number[], message: RegExp): void {
  assert.equal(r.status, 1, r.stdout);
  assert.ok(!existsSync(r.out), 'nothing written');
  for (const at of offsets) {
    const line = r.stdout.split('\n').find((l) => l.includes(`${r.file}:${lineColumn(text, at)}: error:`));
    assert.ok(line, `an error at ${lineColumn(text, at)} in:\n${r.stdout}`);
    assert.match(line, message);
  }
}

function python(code: string, ...args: string[]): string {
  return execFileSync('/usr/bin/python3', ['-c', code, ...args], { encoding: 'utf8' });
}

test('a literal of the wrong kind is an error at its position: int = 1.5, "abc" as a number, a number as a string', () => {
  const cases: [string, string, RegExp][] = [
    ['y = Relu <alpha: int = 1.5> (x)', '1.5', /expected an integer/],
    ['y = Relu <alpha: float = "abc"> (x)', '"abc"', /expected a float/],
    ['y = Relu <mode: string = 3> (x)', '3', /expected a string/],
    ['y = Relu <alpha: ints = 4> (x)', '4', /takes a list/],
    ['y = Relu <value = float[1] {"abc"}> (x)', '"abc"', /expected a number/],
    ['y = Relu <value = int32[2] {1, 2.5}> (x)', '2.5', /expected an integer for int32/],
    ['y = Relu <value = string[1] {7}> (x)', '7', /expected a string/],
  ];
  for (const [line, literal, message] of cases) {
    const text = `${HEADER}g (float[2] x) => (float[2] y)\n{\n  ${line}\n}\n`;
    assertErrorsAt(compile(text), text, [text.indexOf(literal, HEADER.length)], message);
  }
});

test('integer literals are range-checked against their element type (bounds from numpy), never wrapped', () => {
  const types = ['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64'];
  const bounds = JSON.parse(python('import json, numpy as np, sys; print(json.dumps({t: [str(np.iinfo(t).min), str(np.iinfo(t).max)] for t in sys.argv[1:]}))', ...types)) as Record<string, [string, string]>;
  const inside = types.map((t, i) => `${t}[2] c${i} = {${bounds[t]![0]}, ${bounds[t]![1]}}`).join(',\n ');
  const good = `${HEADER}g (float[2] x) => (float[2] y)\n<${inside}>\n{\n  y = Relu(x)\n}\n`;
  const ok = compile(good, 'inside');
  assert.equal(ok.status, 0, ok.stdout);
  const back = JSON.parse(python('import json, onnx, sys\nfrom onnx import numpy_helper as nh\nm = onnx.load(sys.argv[1])\nprint(json.dumps([[str(v) for v in nh.to_array(t).tolist()] for t in m.graph.initializer]))', ok.out)) as string[][];
  assert.deepEqual(back, types.map((t) => bounds[t]));

  const outside = types.map((t, i) => `${t}[2] c${i} = {${BigInt(bounds[t]![0]) - 1n}, ${BigInt(bounds[t]![1]) + 1n}}`).join(',\n ');
  const bad = `${HEADER}g (float[2] x) => (float[2] y)\n<${outside}>\n{\n  y = Relu <axis = 12345678901234567890123456, other = ${2n ** 63n}> (x)\n}\n`;
  const offsets: number[] = [];
  for (const t of types) {
    const row = bad.indexOf(`${t}[2]`);
    offsets.push(bad.indexOf(`${BigInt(bounds[t]![0]) - 1n}`, row), bad.indexOf(`, ${BigInt(bounds[t]![1]) + 1n}}`, row) + 2);
  }
  offsets.push(bad.indexOf('12345678901234567890123456'), bad.indexOf(`${2n ** 63n}`));
  assertErrorsAt(compile(bad, 'outside'), bad, offsets, /out of range/);
});

test('float literals that overflow their type are errors (numpy decides which overflow); inf and nan are kept', () => {
  const candidates: [string, string][] = [['float16', '65504'], ['float16', '65519'], ['float16', '65520'], ['float16', '70000'], ['float', '3.4028235e38'], ['float', '3.5e38'], ['float', '1e39'], ['double', '1e308'], ['double', '1e309']];
  const overflows = JSON.parse(python('import json, sys, warnings, numpy as np\nwarnings.simplefilter("ignore")\nprint(json.dumps([bool(np.isinf(np.dtype({"float": "float32"}.get(t, t)).type(v))) for t, v in zip(sys.argv[1::2], sys.argv[2::2])]))', ...candidates.flat())) as boolean[];
  assert.ok(overflows.some(Boolean) && !overflows.every(Boolean));
  const inits = candidates.map(([t, v], i) => `${t}[3] c${i} = {${v}, inf, nan}`).join(',\n ');
  const text = `${HEADER}g (float[2] x) => (float[2] y)\n<${inits}>\n{\n  y = Relu(x)\n}\n`;
  const r = compile(text);
  const expected = candidates.map(([t, v], i) => (overflows[i] ? text.indexOf(`${v},`, text.indexOf(`${t}[3] c${i} `)) : -1)).filter((at) => at >= 0);
  assertErrorsAt(r, text, expected, /out of range/);
  assert.equal(r.stdout.trim().split('\n').length, expected.length, r.stdout);
});

/** A model whose graph nests `depth` If nodes, each holding the next graph in its then_branch. */
function nestedIfs(depth: number): string {
  const leaf = 'leaf () => (float r) { r = Constant <value_float = 1.0> () }';
  let g = leaf;
  for (let i = depth; i > 0; i--) g = `g${i} () => (float r) { r = If <then_branch = ${g}, else_branch = ${leaf}> (c) }`;
  return `${HEADER}main (bool c) => (float r)\n{\n  r = If <then_branch = ${g}, else_branch = ${leaf}> (c)\n}\n`;
}

test('nesting is bounded by the binary reader\'s own limit: the deepest text compiles to a model that reads back, one more is an error', () => {
  const results = Array.from({ length: 10 }, (_, i) => 27 + i).map((depth) => ({ depth, r: compile(nestedIfs(depth), `if${depth}`) }));
  const passed = results.filter((x) => x.r.status === 0);
  assert.ok(passed.length > 0 && passed.length < results.length, results.map((x) => `${x.depth}: ${x.r.stdout}`).join('\n'));
  for (const { r } of passed) openModel(r.out).close();
  // Sequence types nest two messages per seq( ): the same bound, the same reader.
  const seqText = (depth: number): string => `${HEADER}g (${'seq('.repeat(depth)}float[2]${')'.repeat(depth)} x) => (float[2] y)\n{\n  y = Relu(x)\n}\n`;
  const seqs = Array.from({ length: 8 }, (_, i) => 45 + i).map((depth) => ({ depth, r: compile(seqText(depth), `seq${depth}`) }));
  const seqPassed = seqs.filter((x) => x.r.status === 0);
  assert.ok(seqPassed.length > 0 && seqPassed.length < seqs.length, seqs.map((x) => `${x.depth}: ${x.r.stdout}`).join('\n'));
  for (const { r } of seqPassed) openModel(r.out).close();
  for (const { depth, r } of [...results, ...seqs]) {
    if (r.status === 0) continue;
    assert.equal(r.status, 1, `${depth}: ${r.stdout}`);
    assert.match(r.stdout, /:\d+:\d+: error: nested too deep/);
  }
});

test('thousands deep: If in If, seq(, brackets of every kind — an error, no stack overflow', () => {
  const deep = 5000;
  const texts: [string, string][] = [
    ['ifs', nestedIfs(deep)],
    ['seq', `${HEADER}g (${'seq('.repeat(deep * 10)}float${')'.repeat(deep * 10)} x) => (float y)\n{\n  y = Relu(x)\n}\n`],
    ['map', `${HEADER}g (${'map(int64, '.repeat(deep)}float${')'.repeat(deep)} x) => (float y)\n{\n  y = Relu(x)\n}\n`],
    ...['(', '[', '{', '<'].map((open): [string, string] => [`open${open}`, `${HEADER}g (float x) => (float y)\n{\n  y = Relu <a = ${open.repeat(deep * 20)}> (x)\n}\n`]),
  ];
  for (const [name, text] of texts) {
    const r = compile(text, name);
    assert.equal(r.status, 1, `${name}: ${r.stdout.slice(0, 500)}`);
    assert.match(r.stdout, /:\d+:\d+: error: /, name);
    assert.doesNotMatch(r.stdout, /call stack|internal/i, name);
  }
});

test('a text of 150k+ nodes compiles (no spread of huge arrays onto the stack)', () => {
  const n = 160_000;
  const body = Array.from({ length: n }, (_, i) => `  x${i + 1} = Relu(x${i})\n`).join('');
  const inits = Array.from({ length: n }, (_, i) => `float[1] w${i} = {${i}}`).join(', ');
  const r = compile(`${HEADER}g (float[1] x0) => (float[1] x${n})\n<${inits}>\n{\n${body}}\n`, 'big');
  assert.equal(r.status, 0, r.stdout);
  const m = openModel(r.out);
  assert.equal(m.graph.nodes.length, n);
  assert.equal(m.graph.initializers.length, n);
  m.close();
});

test('an external-data reference without a length reads only the tensor\'s bytes; a wrong length or a repeated key is an error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-compile-'));
  const data = new Uint8Array(8 + 1_000_000).fill(7);
  new DataView(data.buffer).setFloat32(8, 1.5, true);
  new DataView(data.buffer).setFloat32(12, -2, true);
  writeFileSync(join(dir, 'data.bin'), data);
  const withRef = (ref: string): string => `${HEADER}g (float[2] x) => (float[2] y)\n<float[2] c = [${ref}]>\n{\n  y = Add(x, c)\n}\n`;
  const file = join(dir, 'ext.onnxtxt');
  const out = join(dir, 'ext.onnx');
  writeFileSync(file, withRef('"location": "data.bin", "offset": "8"'));
  const r = spawnSync(process.execPath, [CLI, 'compile', file, '-o', out], { encoding: 'utf8', timeout: HANG_MS });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.ok(statSync(out).size < 1000, `only 8 bytes of weights inlined, not the file: ${statSync(out).size} bytes`);
  const values = python('import onnx, sys\nfrom onnx import numpy_helper as nh\nprint(nh.to_array(onnx.load(sys.argv[1]).graph.initializer[0]).tolist())', out).trim();
  assert.equal(values, '[1.5, -2.0]');

  for (const [ref, message] of [
    ['"location": "data.bin", "offset": "8", "length": "12"', /length 12 does not match the 8 bytes/],
    ['"location": "data.bin", "location": "other.bin", "length": "8"', /'location' is given twice/],
  ] as const) {
    const text = withRef(ref);
    const where = message.source.includes('twice') ? text.lastIndexOf('"location"') : text.indexOf('[', text.indexOf('float[2] c') + 9);
    assertErrorsAt(compile(text, 'badref'), text, [where], message);
  }
});

test('error reporting is linear: a megabyte of garbage answers fast with at most 100 errors and a "too many errors"', () => {
  let s = 1;
  const rand = (): number => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const alphabet = 'ab(){}<>[]=,;$%^&*:@? \n0123456789.-e';
  const garbage = Array.from({ length: 1 << 20 }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
  const graph = (body: string): string => `${HEADER}g (float x) => (float y)\n{\n${body}}\n`;
  for (const text of [garbage, graph('  y = = Relu(\n'.repeat(50_000)), graph(`  y = Relu( ${'x , '.repeat(200_000)} @ ) ${'$'.repeat(200_000)}\n`)]) {
    const r = compile(text, 'garbage');
    assert.equal(r.status, 1);
    const lines = r.stdout.trim().split('\n');
    assert.ok(lines.length <= 101, `${lines.length} lines`);
    if (lines.length === 101) assert.match(lines[100]!, /too many errors/);
    for (const line of lines) assert.match(line, /garbage\.onnxtxt:\d+:\d+: error: /);
  }
});

test('a byte-order mark at the start is skipped, and columns on the first line do not count it', () => {
  const text = `\ufeff${HEADER}g (float[2] x) => (float[2] y)\n{\n  y = Relu(x)\n}\n`;
  assert.equal(compile(text, 'bom').status, 0);
  const bad = '\ufeff<ir_version: 8, opset_import: ["" : 17], bogus: 1>\ng (float x) => (float y) {\n  y = Relu(x)\n}\n';
  const r = compile(bad, 'bombad');
  assert.equal(r.status, 1);
  assert.match(r.stdout, new RegExp(`bombad\\.onnxtxt:1:${bad.indexOf('bogus')}: error: unknown model property`));
});
