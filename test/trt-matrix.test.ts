import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { allRestrictionCounts, RULES } from '../src/analysis/tensorrt/restrictions';
import { matrixFor, parseTensorRTVersion, TENSORRT_VERSIONS } from '../src/analysis/tensorrt/versions';
import { ROOT } from './helpers/corpus';

const FIXTURES = join(process.env.ONNX_STUDIO_SHARED ?? join(ROOT, '..', 'shared'), 'fixtures', 'tensorrt');
const DATA = join(ROOT, 'src', 'analysis', 'tensorrt', 'matrix-data.json');

test('matrix data: the committed JSON is exactly what scripts/tensorrt-matrix.mjs writes from the fixtures', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'tensorrt-matrix.mjs'), FIXTURES, '-'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, readFileSync(DATA, 'utf8'));
});

test('matrix data: counts, headers and rows agree with the markdown sources (SOURCES.md, the tables themselves)', () => {
  // operators.json: an independent parse of the 11.1 table (SOURCES.md), compared row by row.
  const operators = (JSON.parse(readFileSync(join(FIXTURES, 'operators.json'), 'utf8')) as { operators: { op: string; supported: string; types: string[] }[] }).operators;
  const m11 = matrixFor('11.1');
  // SOURCES.md: 201 operators for 11.1, 159 Y and 42 N.
  assert.equal(Object.keys(m11.ops).length, 201);
  assert.equal(Object.values(m11.ops).filter((r) => r.supported).length, 159);
  assert.equal(Object.keys(m11.ops).length, operators.length);
  for (const o of operators) {
    assert.equal(m11.ops[o.op]?.supported, o.supported === 'Y', o.op);
    assert.deepEqual(m11.ops[o.op]!.types, o.types, o.op);
  }
  assert.deepEqual([m11.opsetMin, m11.opsetMax], [9, 24]);
  assert.deepEqual([matrixFor('10.1').opsetMin, matrixFor('10.1').opsetMax], [9, 20]);
  assert.deepEqual([matrixFor('8.6').opsetMin, matrixFor('8.6').opsetMax], [null, 17]);
  assert.deepEqual(matrixFor('8.6').dataTypes, ['DOUBLE', 'FLOAT32', 'FLOAT16', 'INT8', 'BOOL']);
  // Rows as the markdown writes them.
  for (const version of TENSORRT_VERSIONS) {
    const text = readFileSync(join(FIXTURES, matrixFor(version).file), 'utf8');
    const rows = text.split('\n').filter((l) => /^\| [A-Z][A-Za-z0-9]* +\| [YN] /.test(l));
    assert.equal(rows.length, Object.keys(matrixFor(version).ops).length, version);
    for (const row of rows) {
      const [op, yn] = row.split('|').slice(1, 3).map((c) => c.trim());
      assert.equal(matrixFor(version).ops[op!]?.supported, yn === 'Y', `${version} ${op}`);
    }
  }
  // 11.1 adds these five over 10.1 (SOURCES.md).
  const added = Object.keys(m11.ops).filter((op) => !matrixFor('10.1').ops[op]);
  assert.deepEqual(added.sort(), ['Attention', 'RMSNormalization', 'RotaryEmbedding', 'Swish', 'TensorScatter']);
  assert.deepEqual(m11.ops.ReduceMean!.restrictions, ['`axes` must be an initializer']);
  assert.deepEqual(m11.ops.MaxPool!.restrictions, ['2D or 3D pooling only', '`Indices` output tensor unsupported', '`dilations` must be empty or all ones']);
});

test('restrictions: every phrase of every matrix has a rule; counts of checked and condition phrases per version', () => {
  const counts = allRestrictionCounts();
  for (const c of counts) assert.deepEqual(c.unhandled, [], c.version);
  // Every phrase of the table occurs in some matrix (no stale entries).
  const phrases = new Set(TENSORRT_VERSIONS.flatMap((v) => Object.values(matrixFor(v).ops).flatMap((r) => r.restrictions)));
  for (const phrase of Object.keys(RULES)) assert.ok(phrases.has(phrase), phrase);
  const total = (v: string): number => Object.values(matrixFor(v as '8.6').ops).reduce((n, r) => n + r.restrictions.length, 0);
  for (const c of counts) assert.equal(c.checked + c.condition + c.note, total(c.version));
  console.log(counts.map((c) => `${c.version}: ${c.checked} checked, ${c.condition} condition, ${c.note} note`).join('; '));
});

test('versions: 8.6, 10 → 10.1, 11 → 11.1, full spellings; anything else is refused', () => {
  assert.equal(parseTensorRTVersion('8.6'), '8.6');
  assert.equal(parseTensorRTVersion('10'), '10.1');
  assert.equal(parseTensorRTVersion('10.1'), '10.1');
  assert.equal(parseTensorRTVersion('11'), '11.1');
  assert.equal(parseTensorRTVersion('11.1'), '11.1');
  for (const bad of ['', '9', '10.2', '11.0', 'latest', '1']) assert.equal(parseTensorRTVersion(bad), undefined, bad);
});
