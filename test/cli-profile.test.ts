// `onnx-studio profile` through the real CLI (dist/cli.js, node scripts/build.mjs): a run in
// onnxruntime-node and an import, their JSON (one document on stdout, the fields the VS Code
// side reads), the table, progress on stderr, exit codes 0 / 1 / 2 / 64, no temp files left.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ProfileJson } from '../src/profiles/layer-profile';
import { CLI, CORPUS_DIR, ROOT } from './helpers/corpus';
import { python } from './helpers/runtime';
import { resnet18, RTX3060 } from './helpers/trtexec-profiles';

const CLS = join(CORPUS_DIR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
const FIXTURES = join(process.env.ONNX_STUDIO_SHARED ?? join(ROOT, '..', 'shared'), 'fixtures', 'onnxruntime');
const TINY = join(FIXTURES, 'tiny_cnn.onnx');
const ALL = join(FIXTURES, 'ort_profile_tiny_cnn_opt-all.json');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'profile', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
const tmp = (): string => mkdtempSync(join(tmpdir(), 'cli-profile-'));
const leftovers = (pid: number | undefined): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith(`onnx-studio-profile-${pid}-`));

function checkJson(stdout: string): ProfileJson {
  const doc = JSON.parse(stdout) as ProfileJson;
  assert.equal(typeof doc.totalTimeMs, 'number');
  assert.ok(doc.mappedShare >= 0 && doc.mappedShare <= 1);
  assert.ok(Array.isArray(doc.layers) && doc.layers.length > 0);
  for (const l of doc.layers) {
    assert.equal(typeof l.name, 'string');
    assert.ok(l.timeMs >= 0 && l.share >= 0 && l.share <= 1);
    assert.ok(Array.isArray(l.onnxNodes));
  }
  return doc;
}

test('profile MODEL --json: one JSON document, ≥ 99 % mapped, progress on stderr, the temp folder gone', () => {
  const r = run(CLS, '--runs', '2', '--warmup', '1', '--json');
  assert.equal(r.status, 0, r.stderr);
  const doc = checkJson(r.stdout);
  assert.equal(doc.source.tool, 'onnxruntime');
  assert.equal(doc.source.settings.optimization, 'all');
  assert.equal(doc.inferences, 2);
  assert.ok(doc.mappedShare >= 0.99);
  assert.ok(Math.abs(doc.layers.reduce((s, l) => s + l.timeMs, 0) - doc.totalTimeMs) < 1e-9);
  assert.match(r.stderr, /profile: synthesized inputs/);
  assert.match(r.stderr, /profile: run 2\/2/);
  assert.deepEqual(leftovers(r.pid), []);
});

test('profile MODEL prints the table and the summary; --opt-level, --threads and --inputs are used', () => {
  const dir = tmp();
  python(`
import numpy as np, sys
for i in range(2):
    np.save(sys.argv[1] + f'/s{i}.npy', np.random.RandomState(i).rand(1, 3, 48, 192).astype(np.float32))
`, [dir]);
  const r = run(CLS, '--runs', '2', '--warmup', '0', '--opt-level', 'disabled', '--threads', '2', '--inputs', dir);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\s*ms\s+share\s+kind\s+layer\s+ONNX nodes/);
  assert.match(r.stdout, /onnxruntime 1\.\d+\.\d+: [\d.]+ ms of profiled time per inference \(mean of 2 run\(s\)\), \d+ layer\(s\); 100\.0 % on nodes of /);
  assert.match(r.stderr, /optimization disabled, 2 thread\(s\)/);
  assert.match(r.stderr, /inputs: 2 files \(\.npy\)/);
});

test('profile --import FILE --model MODEL --json: the fixture maps fully', () => {
  const r = run('--import', ALL, '--model', TINY, '--json');
  assert.equal(r.status, 0, r.stderr);
  const doc = checkJson(r.stdout);
  assert.equal(doc.mappedShare, 1);
  assert.deepEqual(doc.source.files, [ALL]);
  assert.match(r.stderr, /warning: assumed the first/);
});

test("profile --import of another model's profile: exit 1, says how few layers matched", () => {
  const r = run('--import', ALL, '--model', CLS);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /\nonnx-studio profile: only 0 of 6 layer\(s\), 0\.0 % of the time, matched nodes of .*cls_infer\.onnx: is the profile of another model\?/);
  // The summary once: at the end of the table on stdout, not again on stderr.
  const summaryLine = /^onnxruntime.*: [\d.]+ ms of profiled time per inference.*0\.0 % on nodes of /m;
  assert.match(r.stdout, summaryLine);
  assert.doesNotMatch(r.stderr, summaryLine);
  const j = run('--import', ALL, '--model', CLS, '--json');
  assert.equal(j.status, 1);
  assert.equal(checkJson(j.stdout).mappedShare, 0);
  assert.match(j.stderr, summaryLine);
});

test('unusable files and a model ORT refuses: exit 2, one message, no stack', () => {
  const dir = tmp();
  const truncated = join(dir, 'truncated.json');
  writeFileSync(truncated, readFileSync(ALL, 'utf8').slice(0, 5000));
  const text = join(dir, 'notes.txt');
  writeFileSync(text, 'hello\n');
  const fifo = join(dir, 'fifo.json');
  execFileSync('mkfifo', [fifo]);
  const refused = join(dir, 'refused.onnx');
  python(`
import onnx, sys
from onnx import helper, TensorProto
g = helper.make_graph([helper.make_node('NoSuchOp', ['x'], ['y'], name='n')], 'g', [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1])], [helper.make_tensor_value_info('y', TensorProto.FLOAT, [1])])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)]), sys.argv[1])
`, [refused]);
  const cases: [string[], RegExp][] = [
    [['--import', truncated, '--model', TINY], /truncated\.json: not valid JSON/],
    [['--import', text, '--model', TINY], /not a profile ONNX Studio reads/],
    [['--import', fifo, '--model', TINY], /fifo\.json/],
    [['--import', join(dir, 'missing.json'), '--model', TINY], /missing\.json/],
    [['--import', ALL, '--model', join(dir, 'missing.onnx')], /missing\.onnx: no such file/],
    [[join(dir, 'missing.onnx')], /missing\.onnx: no such file/],
    [[refused, '--runs', '1'], /refused\.onnx: .*NoSuchOp/],
  ];
  for (const [args, message] of cases) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at |internal error/);
    assert.equal(r.stdout, '');
  }
});

test('bad usage: exit 64 with the usage', () => {
  const cases = [
    [CLS, '--opt-level', 'fast'],
    [CLS, '--runs', '0'],
    [CLS, '--warmup', 'x'],
    [CLS, '--threads', '-1'],
    [CLS, '--bogus'],
    ['--import', ALL],
    ['--import', '--model', TINY],
    [CLS, '--model', TINY],
    ['--import', ALL, '--model', TINY, '--runs', '3'],
    [],
    [CLS, CLS],
  ];
  for (const args of cases) {
    const r = run(...args);
    assert.equal(r.status, 64, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /onnx-studio profile/);
  }
});

test('the table and --json of one import say the same: rows in the same order, ms and share rounded from timeMs and share, the mapped share', () => {
  const args = ['--import', `${RTX3060}graph.json`, `${RTX3060}profile.json`, '--model', resnet18()];
  const text = run(...args);
  const json = run(...args, '--json');
  assert.equal(text.status, 0, text.stderr);
  assert.equal(json.status, 0, json.stderr);
  const doc = checkJson(json.stdout);
  const rows = text.stdout.split('\n').slice(1, 1 + doc.layers.length);
  doc.layers.forEach((l, i) => {
    const [ms, share] = rows[i]!.trim().split(/\s+/);
    assert.ok(Math.abs(Number(ms) - l.timeMs) <= 5e-5, `${l.name}: ${ms} ms, JSON ${l.timeMs}`);
    assert.equal(share, (l.share * 100).toFixed(1), l.name);
    assert.ok(rows[i]!.includes(l.name), l.name);
  });
  const last = text.stdout.trimEnd().split('\n').at(-1)!;
  assert.ok(last.includes(`${doc.totalTimeMs.toFixed(4)} ms of profiled time per inference`), last);
  assert.ok(last.includes(`${(doc.mappedShare * 100).toFixed(1)} % on nodes of`), last);
});
