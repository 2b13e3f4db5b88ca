import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { WriteTargetError } from '../src/onnx/errors';
import { WriteCancelled, writeFileAtomic } from '../src/onnx/io/write-file';

const fresh = (): string => mkdtempSync(join(tmpdir(), 'onnx-studio-write-'));
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const writeText = (path: string, s: string, opts = {}): void => writeFileAtomic(path, (sink) => sink.write(bytes(s)), opts);
/** Every file in a folder: a left-over temp file shows up here. */
const listing = (dir: string): string[] => readdirSync(dir).sort();

// A child run of this same bundle (before any test is declared): starts a write, checks its temp file exists, and exits from inside it.
const CHILD_EXIT = '--child-exit-during-write';
if (process.argv[2] === CHILD_EXIT) {
  const target = process.argv[3]!;
  writeFileAtomic(target, (sink) => {
    sink.write(bytes('half'));
    process.exit(listing(join(target, '..')).some((n) => n.endsWith('.tmp')) ? 3 : 4);
  });
}

test('writes the whole file and leaves nothing else in the folder; replaces an existing file and keeps its permissions', () => {
  const dir = fresh();
  const out = join(dir, 'out.onnx');
  writeText(out, 'first');
  assert.equal(readFileSync(out, 'utf8'), 'first');
  chmodSync(out, 0o640);
  writeText(out, 'second');
  assert.equal(readFileSync(out, 'utf8'), 'second');
  assert.equal(statSync(out).mode & 0o777, 0o640);
  assert.deepEqual(listing(dir), ['out.onnx']);
});

test('a symlink planted at every name the writer could predict does not redirect the write', () => {
  const dir = fresh();
  const victim = join(dir, 'victim.txt');
  writeFileSync(victim, 'precious');
  // The old writer used OUT.tmp-PID; plant that and the pattern's hidden variants for this pid.
  for (const name of [`out.onnx.tmp-${process.pid}`, '.out.onnx.tmp', 'out.onnx.tmp']) symlinkSync(victim, join(dir, name));
  writeText(join(dir, 'out.onnx'), 'result');
  assert.equal(readFileSync(victim, 'utf8'), 'precious');
  assert.equal(readFileSync(join(dir, 'out.onnx'), 'utf8'), 'result');
  // Temp names are random: two writes use different ones (nothing to predict).
  const names = new Set<string>();
  for (let i = 0; i < 2; i++) {
    writeFileAtomic(join(dir, 'out.onnx'), () => {
      for (const n of listing(dir)) if (/^\.out\.onnx\.[0-9a-f]{16}\.tmp$/.test(n)) names.add(n);
    });
  }
  assert.equal(names.size, 2);
});

test('no temp file is left after the producer throws, or after a cancel', () => {
  const dir = fresh();
  const out = join(dir, 'out.onnx');
  writeText(out, 'old');
  assert.throws(
    () =>
      writeFileAtomic(out, (sink) => {
        sink.write(bytes('partial'));
        throw new Error('producer failed');
      }),
    /producer failed/,
  );
  let chunks = 0;
  assert.throws(() => writeFileAtomic(out, (sink) => ['a', 'b', 'c'].forEach((c) => sink.write(bytes(c))), { cancelled: () => ++chunks > 1 }), WriteCancelled);
  assert.equal(readFileSync(out, 'utf8'), 'old');
  assert.deepEqual(listing(dir), ['out.onnx']);
});

test('a process that exits in the middle of a write leaves no temp file', () => {
  const dir = fresh();
  const r = spawnSync(process.execPath, [__filename, CHILD_EXIT, join(dir, 'out.onnx')], { encoding: 'utf8' });
  assert.equal(r.status, 3, r.stderr);
  assert.deepEqual(listing(dir), []);
});

test('unusable targets are WriteTargetError: a missing folder, a folder, a protected file, a hard link or symlink to it', () => {
  const dir = fresh();
  const input = join(dir, 'model.onnx');
  writeFileSync(input, 'model bytes');
  mkdirSync(join(dir, 'folder'));
  linkSync(input, join(dir, 'hard.onnx'));
  symlinkSync(input, join(dir, 'soft.onnx'));
  const protect = [{ path: input, why: 'it is the input' }];
  for (const [target, message] of [
    [join(dir, 'missing', 'out.onnx'), /folder .* does not exist/],
    [join(dir, 'folder'), /it is a folder/],
    [input, /refusing to write over .*it is the input/],
    [join(dir, 'hard.onnx'), /same file as .*model\.onnx/],
    [join(dir, 'soft.onnx'), /same file as .*model\.onnx/],
  ] as const) {
    assert.throws(() => writeText(target, 'x', { protect }), (e: unknown) => e instanceof WriteTargetError && message.test(e.message), target);
  }
  assert.equal(readFileSync(input, 'utf8'), 'model bytes');
  assert.deepEqual(listing(dir), ['folder', 'hard.onnx', 'model.onnx', 'soft.onnx']);
});

test('replace: false refuses an existing file and creates a new one', () => {
  const dir = fresh();
  const out = join(dir, 'text.onnxtxt');
  writeText(out, 'mine', { replace: false });
  assert.throws(() => writeText(out, 'theirs', { replace: false }), /already exists/);
  assert.equal(readFileSync(out, 'utf8'), 'mine');
  assert.deepEqual(listing(dir), ['text.onnxtxt']);
});

