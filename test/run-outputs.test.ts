// The outputs an external program writes for us go through writeFileAtomic's primitives: the same
// `.NAME.<hex>.tmp` names, the same removal of what was not renamed into place, the checked
// rename; the log we write ourselves is private until committed.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { test } from 'node:test';
import { WriteTargetError } from '../src/onnx/errors';
import { removeTempFiles } from '../src/onnx/io/write-file';
import { commitOutput, discardOutput, openLogWriter, pendingOutput, wasWritten } from '../src/toolchains/run-outputs';

const folder = (): string => mkdtempSync(join(tmpdir(), 'onnx-studio-run-outputs-'));

test('a log: a private temp file beside the target, the usual permissions once committed', () => {
  const dir = folder();
  const target = join(dir, 'm.fp16.build.log');
  const out = pendingOutput(target);
  assert.equal(dirname(out.temp), dir);
  assert.match(basename(out.temp), /^\.m\.fp16\.build\.log\.[0-9a-f]{16}\.tmp$/);
  const log = openLogWriter(out);
  log.write('&&&& RUNNING');
  log.close();
  assert.equal(statSync(out.temp).mode & 0o777, 0o600);
  commitOutput(out, []);
  assert.equal(readFileSync(target, 'utf8'), '&&&& RUNNING\n');
  assert.equal(statSync(target).mode & 0o777, 0o666 & ~process.umask());
  assert.deepEqual(readdirSync(dir), ['m.fp16.build.log']);
  removeTempFiles();
  assert.ok(existsSync(target), 'a committed output is no longer a temp file');
});

test('what the program did not write is not committed; discarded and uncommitted temp files go', () => {
  const dir = folder();
  const engine = pendingOutput(join(dir, 'm.plan'));
  assert.equal(wasWritten(engine), false);
  writeFileSync(engine.temp, '');
  assert.equal(wasWritten(engine), false, 'empty');
  writeFileSync(engine.temp, 'plan');
  assert.equal(wasWritten(engine), true);
  discardOutput(engine);
  const left = pendingOutput(join(dir, 'm.layers.json'));
  writeFileSync(left.temp, '{}');
  removeTempFiles();
  assert.deepEqual(readdirSync(dir), []);
});

test('the commit checks the target again: never over a protected file, a WriteTargetError when the rename fails', () => {
  const dir = folder();
  const model = join(dir, 'm.onnx');
  writeFileSync(model, 'model');
  const link = join(dir, 'm.plan');
  symlinkSync(model, link);
  const out = pendingOutput(link);
  writeFileSync(out.temp, 'plan');
  assert.throws(() => commitOutput(out, [{ path: model, why: 'it is the model being built' }]), (e: unknown) => e instanceof WriteTargetError && /refusing to write over .*it is the model being built/.test(e.message));
  assert.equal(readFileSync(model, 'utf8'), 'model');
  const gone = pendingOutput(join(dir, 'x.plan'));
  assert.throws(() => commitOutput(gone, []), WriteTargetError, 'no temp file to rename');
  removeTempFiles();
  assert.deepEqual(readdirSync(dir).sort(), ['m.onnx', 'm.plan']);
});
