// The text output of `onnx-studio prune`: the per-layer table, the layers left with their
// reasons and the note, matching the --json report of the same run on a real model.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pruneTable } from '../src/cli/prune-table';
import type { TransformReport } from '../src/optimize/report';
import { CLI, CORPUS_DIR } from './helpers/corpus';

const CLS = join(CORPUS_DIR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });

for (const [method, ratio] of [['channels', '0.3'], ['unstructured', '0.3']] as const) {
  test(`prune --method ${method}: the text output lists every pruned layer, every layer left with its reason, parameters and the note`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'prune-table-'));
    const path = join(dir, 'cls.onnx');
    copyFileSync(CLS, path);
    const text = run('prune', path, '--method', method, '--ratio', ratio);
    assert.equal(text.status, 0, text.stderr);
    const json = run('prune', path, '--method', method, '--ratio', ratio, '-o', join(dir, 'again.onnx'), '--json');
    assert.equal(json.status, 0, json.stderr);
    const report = JSON.parse(json.stdout) as TransformReport;
    const lines = text.stderr.split('\n');
    for (const l of report.prune!.prunedLayers) {
      const row = lines.find((line) => line.startsWith(`${l.node} `));
      assert.ok(row, `a row for ${l.node}`);
      if (method === 'channels' && l.channelsBefore !== undefined) assert.match(row, new RegExp(`${l.channelsBefore} → ${l.channelsAfter}$`));
      if (method === 'unstructured') assert.match(row, new RegExp(`${(l.sparsity * 100).toFixed(1)} %$`));
    }
    assert.ok(report.prune!.skippedLayers.length > 0);
    for (const s of report.prune!.skippedLayers) assert.ok(lines.includes(`  ${s.node} (${s.opType}): ${s.reason}`), `${s.node} left, with its reason`);
    assert.ok(lines.includes(`note: ${report.prune!.note}`));
    assert.ok(lines.some((line) => line.startsWith(`parameters ${report.parametersBefore!.toLocaleString('en-US')} → ${report.parametersAfter!.toLocaleString('en-US')}`)));
    if (method === 'channels') assert.ok(lines.includes(`recipe: ${join(dir, 'cls.pruned.recipe.json')}`));
    assert.ok(readFileSync(join(dir, 'cls.pruned.onnx')).length > 0);
  });
}

test('prune table: names from the file are printed escaped and cut, never as terminal control sequences', () => {
  const hostile = `evil\u001b]0;title\u0007${'x'.repeat(500)}`;
  const report = {
    prune: {
      method: 'unstructured',
      prunedLayers: [{ node: hostile, opType: 'Conv', weight: 'w', elementsBefore: 8, elementsAfter: 8, zeros: 4, sparsity: 0.5 }],
      skippedLayers: [{ node: hostile, opType: 'Conv', reason: `why\u001b[2J` }],
    },
  } as unknown as TransformReport;
  const out = pruneTable(report).join('\n');
  assert.ok(!out.includes('\u001b') && !out.includes('\u0007'), out);
  assert.ok(out.split('\n').every((line) => line.length < 200), 'long names are cut');
});

test('--include-ops keeps pruning to those op types (the others listed as excluded); a type not pruned is a usage error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prune-include-'));
  const path = join(dir, 'cls.onnx');
  copyFileSync(CLS, path);
  const r = run('prune', path, '--method', 'unstructured', '--ratio', '0.3', '--include-ops', 'Conv', '--json');
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as TransformReport;
  assert.ok(report.prune!.prunedLayers.length > 10);
  assert.ok(report.prune!.prunedLayers.every((l) => l.opType === 'Conv'));
  assert.ok(report.prune!.skippedLayers.some((s) => s.opType === 'MatMul' && /excluded/.test(s.reason)));
  // Only the classifier's MatMul is asked for, and keepFirstLast keeps it: the refusal gives that reason, not only the excluded Convs.
  const none = run('prune', path, '--method', 'unstructured', '--ratio', '0.3', '--include-ops', 'MatMul', '-o', join(dir, 'none.onnx'));
  assert.equal(none.status, 2, none.stderr);
  assert.match(none.stderr, /op type Conv is excluded: 'p2o\.Conv\.0'/);
  assert.match(none.stderr, /keepFirstLast asks: 'p2o\.MatMul\.0'/);
  const typo = run('prune', path, '--method', 'unstructured', '--ratio', '0.3', '--include-ops', 'conv');
  assert.equal(typo.status, 64);
  assert.match(typo.stderr, /--include-ops takes op types among Conv, Gemm, MatMul/);
});
