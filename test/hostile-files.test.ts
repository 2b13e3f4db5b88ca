// Files chosen as an attacker (or an unlucky user) would: FIFOs, folders where files belong,
// a folder swapped for a symlink while it is read, binary files given as text. Each must end in
// a clear error in bounded time (hang guards only), with no file lost.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ModelFileError } from '../src/onnx/errors';
import { FolderExternalData } from '../src/onnx/io/model-files';
import { compileText } from '../src/onnx/text/compile';
import { CLI } from './helpers/corpus';
import { bytesOf, graph, model, node, tensorType, valueInfo } from './helpers/models';

const FLOAT = 1;
/** Every CLI run is bounded: a hang fails the test instead of blocking the suite. */
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
const fresh = (): string => mkdtempSync(join(tmpdir(), 'onnx-studio-hostile-'));
const mkfifo = (path: string): void => void execFileSync('mkfifo', [path]);

/** A one-line error on stderr: no stack trace. */
function oneLineError(stderr: string): void {
  assert.doesNotMatch(stderr, /\n\s+at /, stderr);
}

/** A text whose weight `w` (4 floats) is read from `location`. */
const textReferring = (location: string): string =>
  `<ir_version: 8, opset_import: ["" : 17]>\ng (float[4] x) => (float[4] y)\n<float[4] w = ["location": "${location}", "offset": "0", "length": "16"]>\n{\n   y = Add(x, w)\n}\n`;

test('a FIFO as the model, as the text or as external data is refused at once (exit 2), never waited on', () => {
  const dir = fresh();
  mkfifo(join(dir, 'pipe.onnx'));
  for (const cmd of ['check', 'inspect', 'text']) {
    const r = run(cmd, join(dir, 'pipe.onnx'));
    assert.equal(r.error, undefined, `${cmd} hung`);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /not a regular file \(a named pipe\)/);
    oneLineError(r.stderr);
  }
  mkfifo(join(dir, 'pipe.onnxtxt'));
  const text = run('compile', join(dir, 'pipe.onnxtxt'), '-o', join(dir, 'out.onnx'));
  assert.equal(text.status, 2, text.stderr);
  mkfifo(join(dir, 'data.bin'));
  writeFileSync(join(dir, 'w.onnxtxt'), textReferring('data.bin'));
  const data = run('compile', join(dir, 'w.onnxtxt'), '-o', join(dir, 'out.onnx'));
  assert.equal(data.error, undefined, 'compile hung on a FIFO as external data');
  assert.equal(data.status, 2, data.stderr);
  assert.match(data.stderr, /external data file 'data\.bin' is not a regular file/);
  assert.deepEqual(readdirSync(dir).sort(), ['data.bin', 'pipe.onnx', 'pipe.onnxtxt', 'w.onnxtxt']);
});

test('external data named with a trailing slash, or through a file, is a clear refusal, not ENOTDIR', () => {
  const dir = fresh();
  writeFileSync(join(dir, 'data.bin'), Buffer.alloc(16));
  for (const [location, message] of [
    ['data.bin/', /names a folder, not a file/],
    ['data.bin/x', /goes through a file as if it were a folder/],
  ] as const) {
    writeFileSync(join(dir, 'w.onnxtxt'), textReferring(location));
    const r = run('compile', join(dir, 'w.onnxtxt'), '-o', join(dir, 'out.onnx'));
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, message);
    oneLineError(r.stderr);
  }
});

test('escape by race: a folder on the external-data path swapped for a symlink to an outside folder never leaks the outside file', async () => {
  const root = fresh();
  const base = join(root, 'base');
  const outside = join(root, 'outside');
  mkdirSync(join(base, 'sub'), { recursive: true });
  mkdirSync(outside);
  const inside = Buffer.alloc(16, 0x11);
  const secret = Buffer.from('SECRET-OUTSIDE!!');
  writeFileSync(join(base, 'sub', 'data.bin'), inside);
  writeFileSync(join(outside, 'data.bin'), secret);
  const textPath = join(base, 'w.onnxtxt');
  const text = textReferring('sub/data.bin');
  writeFileSync(textPath, text);
  // The attacker: swaps base/sub for a symlink to the outside folder and back, as fast as it can.
  const swapper = spawn(
    process.execPath,
    [
      '-e',
      `const fs = require('fs'); const [sub, real, outside] = process.argv.slice(1); let n = 0;
       for (;;) { try { fs.renameSync(sub, real); fs.symlinkSync(outside, sub); if (++n === 1) process.stdout.write('swapping\\n'); fs.unlinkSync(sub); fs.renameSync(real, sub); } catch {} }`,
      join(base, 'sub'),
      join(base, 'sub.real'),
      outside,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    await once(swapper.stdout, 'data');
    // Many reads where the external data is opened (the window is small), and whole compiles.
    let read = 0;
    for (let i = 0; i < 5000; i++) {
      const files = new FolderExternalData(base);
      try {
        const bytes = files.openExternal({ location: 'sub/data.bin', offset: 0, length: 16 }).read(0, 16);
        assert.deepEqual(Buffer.from(bytes), inside, `read ${i}: the outside file was read`);
        read++;
      } catch (e) {
        assert.ok(e instanceof ModelFileError, `read ${i}: ${(e as Error).stack}`);
      } finally {
        files.close();
      }
    }
    const out = join(root, 'out.onnx');
    let written = 0;
    for (let i = 0; i < 200; i++) {
      try {
        compileText({ text, textPath, target: out, references: 'inline' });
        written++;
        assert.equal(readFileSync(out).indexOf(secret), -1, `compile ${i}: the outside file was copied into the output`);
        assert.notEqual(readFileSync(out).indexOf(inside), -1);
      } catch (e) {
        assert.ok(e instanceof ModelFileError, `compile ${i}: ${(e as Error).stack}`);
        assert.doesNotMatch(e.message, /SECRET/);
      }
    }
    assert.ok(read + written > 0, 'some reads got through the swapping');
  } finally {
    swapper.kill();
  }
});

test('a binary model given to compile is named as such (exit 2) at once; other binary data too', () => {
  const dir = fresh();
  const m = model(graph({ node: [node('Relu', ['x'], ['y'])], input: [valueInfo('x', tensorType(FLOAT, [2]))], output: [valueInfo('y', tensorType(FLOAT, [2]))] }));
  writeFileSync(join(dir, 'm.onnx'), bytesOf(m));
  const r = run('compile', join(dir, 'm.onnx'), '-o', join(dir, 'out.onnx'));
  assert.equal(r.error, undefined);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /this is a binary ONNX model, not text/);
  oneLineError(r.stderr);
  writeFileSync(join(dir, 'noise.onnxtxt'), Buffer.from([0x3c, 0xff, 0xfe, 0x00, 0x41]));
  const noise = run('compile', join(dir, 'noise.onnxtxt'), '-o', join(dir, 'out.onnx'));
  assert.equal(noise.status, 2, noise.stderr);
  assert.match(noise.stderr, /binary .* not text/);
  assert.deepEqual(readdirSync(dir).sort(), ['m.onnx', 'noise.onnxtxt']);
});

test('a text starting with a byte-order mark compiles', () => {
  const dir = fresh();
  writeFileSync(join(dir, 'bom.onnxtxt'), '\uFEFF<ir_version: 8, opset_import: ["" : 17]>\ng (float[2] x) => (float[2] y)\n{\n   y = Relu(x)\n}\n');
  const r = run('compile', join(dir, 'bom.onnxtxt'), '-o', join(dir, 'bom.onnx'));
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(run('check', join(dir, 'bom.onnx')).status, 0);
});

test('outputs: equal to the input, in a missing folder, or a folder exit 2 with one line and write nothing', () => {
  const dir = fresh();
  const text = join(dir, 't.onnxtxt');
  writeFileSync(text, textReferring('data.bin'));
  writeFileSync(join(dir, 'data.bin'), Buffer.alloc(16));
  const m = model(graph({ node: [node('Relu', ['x'], ['y'])], input: [valueInfo('x', tensorType(FLOAT, [2]))], output: [valueInfo('y', tensorType(FLOAT, [2]))] }));
  writeFileSync(join(dir, 'm.onnx'), bytesOf(m));
  mkdirSync(join(dir, 'folder'));
  const before = readdirSync(dir).sort();
  for (const args of [
    ['compile', text, '-o', text],
    ['compile', text, '-o', join(dir, 'missing', 'o.onnx')],
    ['compile', text, '-o', join(dir, 'folder')],
    ['compile', text, '-o', join(dir, 'data.bin')],
    ['text', join(dir, 'm.onnx'), '-o', join(dir, 'm.onnx')],
    ['text', join(dir, 'm.onnx'), '-o', join(dir, 'missing', 't.onnxtxt')],
    ['text', join(dir, 'm.onnx'), '-o', join(dir, 'folder')],
  ]) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /refusing to write over|does not exist|it is a folder/);
  }
  assert.deepEqual(readdirSync(dir).sort(), before);
  assert.deepEqual(readdirSync(join(dir, 'folder')), []);
  assert.deepEqual(readFileSync(join(dir, 'data.bin')), Buffer.alloc(16));
});

test('usage errors exit 64 in every subcommand: unknown options, missing values, wrong positionals', () => {
  for (const args of [['check', '--bogus', 'x'], ['inspect'], ['text', 'x', '-o'], ['compile', 'x'], ['compile', 'x', '-o', 'y', '--weights'], ['text', 'x', '--weights'], ['view', 'x', '--port'], ['view', '.', '--port', 'abc'], ['nope']]) {
    const r = run(...args);
    assert.equal(r.status, 64, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /usage/);
  }
});

test('view without code-server installed says how to set it up (exit 2)', () => {
  const root = fresh();
  mkdirSync(join(root, 'dist'));
  copyFileSync(CLI, join(root, 'dist', 'cli.js'));
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'view', root], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /bash .*scripts\/setup-vscode\.sh/);
  oneLineError(r.stderr);
});
