import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { allSchemas } from '../src/onnx/schema/registry';
import type { OpSchema } from '../src/onnx/schema/types';
import { ROOT } from './helpers/corpus';
import { readOrtSchema } from './helpers/ort-probe';

const CONTRIB = [...allSchemas()].filter(([d]) => d === 'com.microsoft').map(([, op, s]): [string, OpSchema] => [op, s]);

/** Where scripts/gen-schemas.mjs reads the documents by default. */
const REFERENCE = process.env.ONNX_STUDIO_REFERENCE ?? join(ROOT, '..', 'shared', 'reference');
/** Operator sections of ContribOperators.md at onnxruntime commit 004b79e (reference/onnxruntime/SOURCES.md). */
const DOCUMENTED_OPS = 128;

test('one com.microsoft schema per operator section of ContribOperators.md, as the generator makes them', () => {
  assert.equal(CONTRIB.length, DOCUMENTED_OPS);
  assert.ok(CONTRIB.every(([, s]) => s.since === 1));
  const doc = join(REFERENCE, 'onnxruntime', 'ContribOperators.md');
  if (!existsSync(doc)) {
    console.log(`# ${doc} is absent (set ONNX_STUDIO_REFERENCE): compared with the recorded count only`);
    return;
  }
  const sections = [...readFileSync(doc, 'utf8').matchAll(/^### (?:<sub>experimental<\/sub> )?<a name="com\.microsoft\.(\w+)">/gm)].map((m) => m[1]);
  assert.equal(sections.length, DOCUMENTED_OPS);
  assert.deepEqual(CONTRIB.map(([op]) => op).sort(), sections.sort());
  const dir = mkdtempSync(join(tmpdir(), 'gen-schemas-'));
  try {
    const out = join(dir, 'registry.json');
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'gen-schemas.mjs'), join(REFERENCE, 'onnx'), join(REFERENCE, 'onnxruntime'), out]);
    assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), JSON.parse(readFileSync(join(ROOT, 'src', 'onnx', 'schema', 'registry.json'), 'utf8')), 'the committed registry is not what the generator makes');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Where onnxruntime-node 1.30 and the documentation (a later commit) part: operators and
 * attributes added after 1.30, found by this test and checked against the original document.
 */
const NEWER_THAN_ORT_1_30 = [
  'EngramGate: inputs 5..6, onnxruntime 5..5',
  'EngramGate: outputs 1..2, onnxruntime 1..1',
  'GatherBlockQuantized.T1: documented tensor(float4e2m1) tensor(float8e4m3fn) tensor(float8e4m3fnuz) tensor(float8e5m2) tensor(float8e5m2fnuz) tensor(int4) tensor(uint4) tensor(uint8), onnxruntime tensor(int4) tensor(uint4) tensor(uint8)',
  'NGramHashMapping: inputs 3..7, onnxruntime 3..4',
  'NGramHashMapping: attribute reset_on_eos: unrecognized',
  'QMoE: attribute accuracy_level: unrecognized',
  'VarlenNGramHashMapping: not registered in onnxruntime',
];

test("every com.microsoft schema agrees with the one onnxruntime-node registered: arity, attributes, input types", { timeout: 600_000 }, async () => {
  const differences: string[] = [];
  let typeVariables = 0;
  for (const [op, s] of CONTRIB) {
    const ort = await readOrtSchema(op, s);
    if (!ort.registered) {
      differences.push(`${op}: not registered in onnxruntime`);
      continue;
    }
    const range = (r: [number, number]): string => `${r[0]}..${r[1]}`;
    if (range([s.minInputs, s.maxInputs]) !== range(ort.inputs)) differences.push(`${op}: inputs ${range([s.minInputs, s.maxInputs])}, onnxruntime ${range(ort.inputs)}`);
    if (range([s.minOutputs, s.maxOutputs]) !== range(ort.outputs)) differences.push(`${op}: outputs ${range([s.minOutputs, s.maxOutputs])}, onnxruntime ${range(ort.outputs)}`);
    const required = s.attributes.filter((a) => a.required).map((a) => a.name).sort().join(' ');
    if (required !== [...ort.required].sort().join(' ')) differences.push(`${op}: required attributes [${required}], onnxruntime [${ort.required.sort().join(' ')}]`);
    for (const r of ort.refusedAttributes) differences.push(`${op}: attribute ${r}`);
    for (const [v, accepted] of Object.entries(ort.types)) {
      typeVariables++;
      const documented = (s.typeConstraints[v] ?? [v]).filter((t) => /^(sparse_)?tensor\(/.test(t)).sort();
      if (documented.join(' ') !== accepted.join(' ')) differences.push(`${op}.${v}: documented ${documented.join(' ')}, onnxruntime ${accepted.join(' ')}`);
    }
  }
  console.log(`# ${CONTRIB.length} com.microsoft schemas compared with onnxruntime-node, ${typeVariables} input type constraints among them`);
  assert.deepEqual(differences, NEWER_THAN_ORT_1_30);
  assert.equal(typeVariables, 251);
});
