// `onnx-studio profile` attacked through the real CLI (attack10): hostile names and paths reach the
// terminal escaped (src/cli/printable.ts), a 20 MB layer name neither crashes nor widens the
// table, a run count ORT's trace could not hold is refused as --runs, and no reader costs the
// square of a hostile file's size. Found by attack10; fixed in src/cli and src/profiles/onnxruntime.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CLI, CORPUS_DIR, ROOT } from './helpers/corpus';
import { RTX3060, resnet18 } from './helpers/trtexec-profiles';

const ORT_FIXTURES = join(process.env.ONNX_STUDIO_SHARED ?? join(ROOT, '..', 'shared'), 'fixtures', 'onnxruntime');
const TMP = mkdtempSync(join(tmpdir(), 'attack10-cli-'));
after(() => rmSync(TMP, { recursive: true, force: true }));

const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'profile', ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
const rtxProfile = (): Record<string, unknown>[] => JSON.parse(readFileSync(`${RTX3060}profile.json`, 'utf8')) as Record<string, unknown>[];
const HOSTILE = '\u001b[31mRED\u001b[0m\n<img src=x onerror=alert(1)>\u202e';
/** An escape sequence, or a line that a name forged (it starts with the name's second line). */
const unescaped = (text: string): boolean => /[\u001b\u202e]/.test(text) || /^<img/m.test(text);

test('reader warnings that quote layer names are printed escaped on stderr', () => {
  const path = join(TMP, 'ansi.profile.json');
  writeFileSync(path, JSON.stringify(rtxProfile().map((r, i) => (i === 1 ? { ...r, name: HOSTILE } : r))));
  for (const json of [[], ['--json']]) {
    const r = run('--import', path, '--model', resnet18(), ...json);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!unescaped(r.stderr), `stderr holds the raw name:\n${r.stderr}`);
    if (json.length) assert.equal((JSON.parse(r.stdout) as { layers: { name: string }[] }).layers.filter((l) => l.name === HOSTILE).length, 1);
  }
});

test("the 'only N of M layer(s) matched nodes of MODEL' line prints MODEL escaped", () => {
  const model = join(TMP, 'evil\u001b[31m\nFAKE.onnx');
  symlinkSync(join(CORPUS_DIR, 'silero_vad_v5.onnx'), model);
  const r = run('--import', `${RTX3060}profile.json`, '--model', model, '--json');
  assert.equal(r.status, 1, r.stderr);
  assert.ok(!/\u001b/.test(r.stderr), `stderr holds the raw path:\n${r.stderr}`);
});

test('a refused file whose name holds escapes is named escaped in the error line', () => {
  const path = join(TMP, 'cut\u001b[2J.json');
  writeFileSync(path, readFileSync(`${RTX3060}profile.json`, 'utf8').slice(0, 2000));
  const r = run('--import', path, '--model', resnet18());
  assert.equal(r.status, 2, r.stderr);
  assert.ok(!/\u001b/.test(r.stderr), `stderr holds the raw path:\n${r.stderr}`);
});

test('a 20 MB layer name neither crashes the table (it exited 70) nor pads every row to its width', () => {
  const path = join(TMP, 'giant.profile.json');
  writeFileSync(path, JSON.stringify(rtxProfile().map((r, i) => (i === 1 ? { ...r, name: 'A'.repeat(20_000_000) } : r))));
  const r = run('--import', path, '--model', resnet18());
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /internal error/);
  // 26 rows: a table that cuts long names stays far under the size of the name itself.
  assert.ok(r.stdout.length < 1_000_000, `${r.stdout.length} characters of table`);
});

test('--runs 100000 (allowed) on Silero VAD ends with a profile or a message about --runs, not about a deleted temp file', { timeout: 900_000 }, () => {
  // It was: ~75 s of runs, then exit 2 with "/tmp/onnx-studio-profile-PID-XXXX/ort-profile_….json: 576,801,416 bytes, more than the 268,435,456 a data file may have".
  const r = run(join(CORPUS_DIR, 'silero_vad_v5.onnx'), '--runs', '100000', '--json');
  if (r.status === 0) {
    assert.equal((JSON.parse(r.stdout) as { inferences: number }).inferences, 100000);
    return;
  }
  assert.match(r.stderr, /--runs/);
  assert.ok(!r.stderr.includes('onnx-studio-profile-'), `names a temp file:\n${r.stderr.slice(-600)}`);
});

test('300,000 inserted nodes with no mapped neighbour are placed without rescanning the run for each (100,000 took 30 s, hours for a 256 MB trace)', () => {
  const events: Record<string, unknown>[] = [{ cat: 'Session', name: 'model_run', ts: 0, dur: 1e9 }];
  for (let i = 0; i < 300_000; i++) events.push({ cat: 'Node', name: `ReorderOutput_${i}_kernel_time`, ts: i, dur: 1, args: { op_name: 'ReorderOutput' } });
  const path = join(TMP, 'reorders.json');
  writeFileSync(path, JSON.stringify(events));
  // In a child killed after 90 s (a quadratic placement takes several minutes): the reader works synchronously, so a test timeout cannot stop it. Nothing is timed.
  const r = spawnSync(process.execPath, [CLI, 'profile', '--import', path, '--model', join(ORT_FIXTURES, 'tiny_cnn.onnx'), '--json'], { encoding: 'utf8', maxBuffer: 1 << 30, timeout: 90_000, killSignal: 'SIGKILL' });
  assert.equal(r.signal, null, 'killed after 90 s');
  assert.equal(r.status, 1, r.stderr);
  const p = JSON.parse(r.stdout) as { layers: unknown[]; mappedShare: number };
  assert.equal(p.layers.length, 300_000);
  assert.equal(p.mappedShare, 0);
});
