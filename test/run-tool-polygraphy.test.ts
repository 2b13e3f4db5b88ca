// "Lint with Polygraphy" through runTool, against a stand-in that writes the report of Polygraphy's
// own lint example (test/fixtures/polygraphy-stand-in, "from documentation"); the expected
// findings are read from that README's report by eye.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { lintWithPolygraphy, parsePolygraphyLintReport, PolygraphyError } from '../src/toolchains/polygraphy';
import { ToolUnavailableError } from '../src/toolchains/tool-path';
import { ROOT } from './helpers/corpus';

const POLYGRAPHY = join(ROOT, 'test', 'fixtures', 'polygraphy-stand-in', 'polygraphy');
const MODEL = join(ROOT, '.cache', 'models', 'resnet18.onnx');

test('the lint report becomes findings: level, source, message, nodes; the summary\'s passing and failing nodes', async () => {
  const lines: string[] = [];
  const r = await lintWithPolygraphy(POLYGRAPHY, MODEL, { onLine: (l) => lines.push(l) });
  assert.equal(r.exitCode, 1, 'polygraphy exits 1 when the model has errors; the report still comes');
  assert.equal(r.cancelled, false);
  assert.deepEqual(r.passing, ['MatMul_1', 'cast_to_int64', 'NonZero']);
  assert.deepEqual(r.failing, ['MatMul_0', 'MatMul_3', 'Add_0']);
  assert.equal(r.findings.length, 7);
  assert.deepEqual(r.findings[0], { level: 'exception', source: 'onnx_checker', message: "Field 'name' of 'graph' is required to be non-empty.", nodes: [] });
  assert.deepEqual(r.findings[1], { level: 'exception', source: 'onnxruntime', message: 'Incompatible dimensions for matrix multiplication', nodes: ['MatMul_3'] });
  assert.deepEqual(r.findings[6], { level: 'warning', source: 'onnx_graphsurgeon', message: 'Does not affect outputs, can be removed.', nodes: ['MatMul_0'] });
  assert.deepEqual(r.findings.map((f) => f.level), ['exception', 'exception', 'exception', 'exception', 'warning', 'warning', 'warning']);
  assert.match(lines[0]!, /^\[I\] RUNNING \| Command: polygraphy check lint /);
});

test('a report with unknown fields, a new level or entries without a message is read as far as it goes', () => {
  const r = parsePolygraphyLintReport({ version: 2, lint_entries: [{ level: 'critical', message: 'm', nodes: ['a', 3] }, { level: 'warning' }, 'junk', null], summary: { passing: 'x' } });
  assert.deepEqual(r, { findings: [{ level: 'critical', source: '', message: 'm', nodes: ['a'] }], passing: [], failing: [] });
  assert.deepEqual(parsePolygraphyLintReport(null), { findings: [], passing: [], failing: [] });
});

test('no report (the model could not be loaded) is a PolygraphyError; a missing polygraphy is a ToolUnavailableError; no report folder stays', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-polygraphy-test-'));
  await assert.rejects(lintWithPolygraphy(POLYGRAPHY, join(dir, 'missing.onnx')), (e: unknown) => e instanceof PolygraphyError && /wrote no report \(exit code 1\)/.test(e.message));
  await assert.rejects(lintWithPolygraphy(join(dir, 'polygraphy'), MODEL), ToolUnavailableError);
  assert.deepEqual(readdirSync(tmpdir()).filter((f) => f.startsWith(`onnx-studio-polygraphy-${process.pid}-`)), [], 'the report folders are removed');
});

/** A polygraphy that records its argv and writes `report` (a shell command on $o, the report path). */
function fakePolygraphy(dir: string, name: string, report: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' "$@" > "${join(dir, `${name}.args`)}"\no=""; prev=""; for a in "$@"; do [ "$prev" = "-o" ] && o="$a"; prev="$a"; done\n${report}\n`);
  chmodSync(path, 0o755);
  return path;
}

test('a report that is JSON null, an array or a number, or too big to read, is an unreadable report (not "no findings", not "no report")', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-polygraphy-test-'));
  for (const [name, json, what] of [['null', 'null', 'null'], ['array', '[]', 'an array'], ['number', '7', 'a number']] as const) {
    const pg = fakePolygraphy(dir, name, `echo '${json}' > "$o"`);
    await assert.rejects(lintWithPolygraphy(pg, MODEL), (e: unknown) => e instanceof PolygraphyError && e.message === `polygraphy wrote an unreadable report: ${what}, not a JSON object`, name);
  }
  // A sparse file: its size is what counts, nothing is read.
  const big = fakePolygraphy(dir, 'big', 'truncate -s 300M "$o"');
  await assert.rejects(lintWithPolygraphy(big, MODEL), (e: unknown) => e instanceof PolygraphyError && e.message === `polygraphy wrote an unreadable report: ${300 << 20} bytes, more than the 256 MiB read here`);
});

test('the model goes to polygraphy as an absolute path, so a name like -o.onnx cannot look like an option', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-polygraphy-test-'));
  const pg = fakePolygraphy(dir, 'args', `echo '{}' > "$o"`);
  const r = await runInFolder(dir, () => lintWithPolygraphy(pg, '-o.onnx'));
  assert.deepEqual(r.findings, []);
  const args = readFileSync(join(dir, 'args.args'), 'utf8').split('\n');
  assert.deepEqual(args.slice(0, 4), ['check', 'lint', join(dir, '-o.onnx'), '-o']);
});

async function runInFolder<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const before = process.cwd();
  process.chdir(dir);
  try {
    return await work();
  } finally {
    process.chdir(before);
  }
}
