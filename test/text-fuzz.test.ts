// Bounded fuzz of the text parser: generated hostile texts (token soups, truncated and mutated
// printed models, giant numbers, deep nesting) never throw, report at most MAX_DIAGNOSTICS + 1
// errors, and a text that parses cleanly encodes to a model the binary reader accepts.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { test } from 'node:test';
import { decodeModelProto, encodeModelBytes, openModel } from '../src/onnx/open';
import { BufferSource } from '../src/onnx/io/byte-source';
import { MAX_DIAGNOSTICS, parseModel } from '../src/onnx/text/parser';
import { printModel } from '../src/onnx/text/printer';
import { corpusModels } from './helpers/corpus';

/** A hang guard only, per input: generous for a loaded machine. */
const HANG_MS = 30_000;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function exercise(text: string, label: string): void {
  const start = performance.now();
  let result;
  try {
    result = parseModel(text);
  } catch (e) {
    throw new Error(`${label}: parseModel threw ${(e as Error).name}: ${(e as Error).message}`, { cause: e });
  }
  assert.ok(result.diagnostics.length <= MAX_DIAGNOSTICS + 1, `${label}: ${result.diagnostics.length} diagnostics`);
  for (const d of result.diagnostics) assert.ok(d.start >= 0 && d.start <= d.end && d.end <= text.length + 1, `${label}: range of '${d.message}'`);
  if (result.diagnostics.length === 0 && result.model.graph) {
    // What compile would write must be readable by our own reader.
    decodeModelProto(new BufferSource(encodeModelBytes(result.model)));
  }
  const ms = performance.now() - start;
  assert.ok(ms < HANG_MS, `${label}: took ${ms.toFixed(0)} ms`);
}

const TOKENS = ['(', ')', '[', ']', '{', '}', '<', '>', ',', ':', '=', '=>', '@', '?', 'x', 'y', 'g', 'Relu', 'If', 'float', 'int64', 'uint8', 'seq', 'map', 'optional', 'sparse_tensor', 'opaque', 'ints', 'floats', 'graph', 'tensor',
  '"s"', '"', '0', '-1', '1.5', '1e400', 'inf', '-nan', '99999999999999999999999999999', '\n', ' ', '#c\n', '//c\n', '\ufeff', '\\', 'ir_version', 'opset_import'];

test('bounded fuzz: token soups never throw and report at most the capped number of errors', () => {
  const rand = rng(7);
  for (let round = 0; round < 300; round++) {
    const n = 1 + Math.floor(rand() * 400);
    const text = Array.from({ length: n }, () => TOKENS[Math.floor(rand() * TOKENS.length)]).join(rand() < 0.5 ? ' ' : '');
    exercise(text, `soup ${round}`);
  }
});

test('bounded fuzz: truncated and mutated printed corpus models never throw', () => {
  const rand = rng(11);
  const small = corpusModels().filter((p) => statSync(p).size < 4 << 20).slice(0, 3);
  assert.ok(small.length > 0, 'corpus models to print');
  for (const path of small) {
    const m = openModel(path);
    const text = printModel(m.proto, { modelLocation: 'm.onnx' }).text;
    m.close();
    exercise(text, `${path} printed`);
    // A binary model opened as text by mistake.
    exercise(readFileSync(path, 'utf8'), `${path} as text`);
    for (let round = 0; round < 40; round++) {
      const cut = Math.floor(rand() * text.length);
      exercise(text.slice(0, cut), `${path} cut at ${cut}`);
      const at = Math.floor(rand() * text.length);
      const insert = TOKENS[Math.floor(rand() * TOKENS.length)]!;
      exercise(text.slice(0, at) + insert + text.slice(at + Math.floor(rand() * 3)), `${path} mutated at ${at}`);
    }
  }
});

test('bounded fuzz: giant numbers, long names and deep nesting of every bracket', () => {
  const head = '<ir_version: 8, opset_import: ["" : 17]>\ng (float[2] x) => (float[2] y)\n';
  const deep = 50_000;
  const texts: [string, string][] = [
    ['giant int', `${head}<int64[1] c = {${'9'.repeat(1 << 20)}}>{ y = Relu(x) }`],
    ['giant float', `${head}<float[1] c = {${'9'.repeat(1 << 20)}.5}>{ y = Relu(x) }`],
    ['giant dim', `${head.replace('float[2] x', `float[${'9'.repeat(5000)}] x`)}{ y = Relu(x) }`],
    ['long name', `${head}{ y = Relu(${'a'.repeat(1 << 20)}) }`],
    ['unterminated string', `${head}{ y = Relu("${'a'.repeat(1 << 20)}) }`],
    ['escapes', `${head}{ y = Relu("${'\\'.repeat(1 << 20)}") }`],
    ...['(', '[', '{', '<', 'seq(', 'optional(', 'map(int64,', 'sparse_tensor(', 'g () => (y) { y = If <b = '].map((open): [string, string] => [`deep ${open}`, `${head}{ y = Relu <a = ${open.repeat(deep)}> (x) }`]),
    ['deep types', `<ir_version: 8>\ng (${'seq('.repeat(deep)}float${')'.repeat(deep)} x) => (float y) { y = Relu(x) }`],
    ['deep function types', `<ir_version: 8>\ng () => () {}\n<domain: "d">\nf (${'optional('.repeat(deep)}float${')'.repeat(deep)} x) => (y) { y = Relu(x) }`],
  ];
  for (const [label, text] of texts) exercise(text, label);
});
