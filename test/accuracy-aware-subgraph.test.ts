import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TransformReport } from '../src/optimize/report';
import { CLI, CORPUS_DIR, ROOT } from './helpers/corpus';

const HELPER = join(ROOT, 'test/helpers/subgraph_fallback.py');

interface NodeFacts {
  op: string;
  /** Conv/LSTM: 'float' or 'dequantized' (int8 behind a DequantizeLinear). */
  weight?: string;
}

/** Every node of the written model by id, from python onnx (after onnx.checker). */
function nodesOf(path: string): Record<string, NodeFacts> {
  return JSON.parse(execFileSync('/usr/bin/python3', [HELPER, 'inspect', path], { encoding: 'utf8', maxBuffer: 1 << 26 })) as Record<string, NodeFacts>;
}

function quantize(model: string, calib: string, evalDir: string, out: string): { status: number | null; report: TransformReport; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'quantize', model, '--mode', 'static', '--calib', calib, '--eval', evalDir, '--target-cosine', '0.98', '-o', out, '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  return { status: r.status, report: JSON.parse(r.stdout) as TransformReport, stderr: r.stderr };
}

// Silero VAD v4: an If whose branches hold the whole model, so every quantized node is in a
// subgraph. Its `output` is [1, 1] (cosine 1 whatever the error): the states hn and cn are what the target judges.
test('accuracy-aware static INT8 of Silero VAD v4 (every weight in If branches): worst-sample cosine >= 0.98 held out on the LSTM states, and what it keeps float are subgraph nodes of the written model, with float weights there', () => {
  const dir = mkdtempSync(join(tmpdir(), 'accuracy-aware-subgraph-'));
  const out = join(dir, 'v4.onnx');
  const data = join(ROOT, '.cache/data/speech/silero-legacy');
  const { status, report, stderr } = quantize(join(CORPUS_DIR, 'silero_vad_legacy.onnx'), join(data, 'calib'), join(data, 'eval'), out);
  assert.equal(status, 0, stderr.split('\n').slice(-3).join('\n'));
  for (const name of ['hn', 'cn']) assert.ok(report.outputs.find((o) => o.name === name)!.cosine >= 0.98, JSON.stringify(report.outputs));
  assert.ok(report.keptFloat.length > 0, 'the fully quantized model misses the target: something falls back');
  const nodes = nodesOf(out);
  for (const id of report.keptFloat) {
    assert.ok(id.includes('/'), `${id} is a subgraph node`);
    assert.ok(nodes[id], `${id} is a node of the written model`);
    assert.equal(nodes[id]!.weight, 'float', `${id} reads float weights`);
    assert.match(report.keptFloatWhy?.[id] ?? '', /^accuracy-aware fallback, stage 1 \(weights\): rank \d+ by its direct effect/, id);
  }
  // The rest stays int8: every other Conv of both branches reads dequantized weights.
  const int8Convs = Object.entries(nodes).filter(([id, n]) => n.op === 'Conv' && !report.keptFloat.includes(id));
  assert.ok(int8Convs.length > 0 && int8Convs.every(([, n]) => n.weight === 'dequantized'), JSON.stringify(int8Convs));
});

test('accuracy-aware static INT8 of a model whose only lossy weight sits in an If branch keeps exactly that node float (weights), the branch beside it and the main graph int8', () => {
  const dir = mkdtempSync(join(tmpdir(), 'accuracy-aware-subgraph-'));
  execFileSync('/usr/bin/python3', [HELPER, 'model', dir]);
  const out = join(dir, 'if.int8.onnx');
  const { status, report, stderr } = quantize(join(dir, 'if.onnx'), join(dir, 'calib'), join(dir, 'eval'), out);
  assert.equal(status, 0, stderr.split('\n').slice(-3).join('\n'));
  assert.ok(report.outputs.every((o) => o.cosine >= 0.98), JSON.stringify(report.outputs));
  const weightStage = report.keptFloat.filter((id) => /stage 1 \(weights\)/.test(report.keptFloatWhy?.[id] ?? ''));
  assert.deepEqual(weightStage, ['branch/then_branch/B']);
  const nodes = nodesOf(out);
  assert.equal(nodes['branch/then_branch/B']?.weight, 'float');
  for (const id of ['A', 'branch/then_branch/E', 'branch/else_branch/D']) assert.equal(nodes[id]?.weight, 'dequantized', id);
});
