import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import { DataFileError } from '../src/onnx/io/data-files';
import type { ImagePlan } from '../src/runtime/input-files/image-preprocess';
import { openInputFolder } from '../src/runtime/input-files/input-folder';
import type { InputSpec } from '../src/runtime/input-files/input-spec';
import { readSampleFile } from '../src/runtime/input-files/read-file';
import { SKIMAGE_DATA } from './helpers/input-fixtures';

// Hostile and broken files: each gets a DataFileError naming the file, never a hang, a crash
// or memory taken for what a header merely claims.
const SPEC: InputSpec[] = [{ name: 'x', dtype: 1, dims: [1, 3, 8, 8] }];
const PLAN: ImagePlan = { input: 'x', height: 8, width: 8, layout: 'nchw', channels: 3, mean: [0, 0, 0], std: [1, 1, 1], bgr: false, scale: 1 / 255, dtype: 1, batched: true };

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([head, body, crc]);
}
function png(width: number, height: number, idat: Uint8Array, colorType = 0): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = colorType;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))]);
}

function refuses(path: string, kind: 'png' | 'npy' | 'pb' | 'jpeg', message: RegExp): void {
  assert.throws(() => readSampleFile(path, kind, PLAN), (e: Error) => e instanceof DataFileError && e.message.startsWith(path) && message.test(e.message), `${path}: ${message.source}`);
}

test('broken and hostile PNGs: truncated, corrupt, 100000x100000 declared, a decompression bomb', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inputs-hostile-png-'));
  const photo = readFileSync(join(SKIMAGE_DATA, 'astronaut.png'));
  const cases: [string, Uint8Array, RegExp][] = [
    ['truncated.png', photo.subarray(0, photo.length >> 1), /truncated: chunk 'IDAT' at byte \d+ declares \d+ bytes, the file ends first/],
    ['no-iend.png', photo.subarray(0, photo.length - 12), /truncated: no IEND chunk/],
    ['huge.png', png(100000, 100000, deflateSync(Buffer.alloc(10))), /declares 100000x100000 pixels, more than the 100,000,000 an input image may have/],
    ['bomb.png', png(100, 100, deflateSync(Buffer.alloc(50 * 2 ** 20))), /corrupt image data .*more data than 100x100 pixels/],
    ['short-data.png', png(100, 100, deflateSync(Buffer.alloc(500))), /corrupt image data: 500 bytes inflated, 10100 expected/],
    ['bad-filter.png', png(2, 1, deflateSync(Buffer.from([9, 1, 2]))), /filter type 9 does not exist/],
    ['not-zlib.png', png(2, 1, Buffer.from('hello')), /corrupt image data/],
    ['text.png', Buffer.from('not an image at all'), /not a PNG file \(bad signature\)/],
  ];
  const flipped = Buffer.from(photo);
  flipped.writeUInt8(flipped[20]! ^ 0xff, 20);
  cases.push(['bad-crc.png', flipped, /corrupt: chunk 'IHDR' at byte 8 fails its CRC/]);
  for (const [name, bytes, message] of cases) {
    writeFileSync(join(dir, name), bytes);
    refuses(join(dir, name), 'png', message);
  }
});

test('hostile .npy and .pb: a huge shape in a tiny file, a header running past the end, garbage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inputs-hostile-npy-'));
  const header = (dict: string, version = 1): Buffer => {
    const text = Buffer.from(dict.padEnd(118, ' ') + '\n', 'latin1');
    const len = Buffer.alloc(version === 1 ? 2 : 4);
    if (version === 1) len.writeUInt16LE(text.length);
    else len.writeUInt32LE(text.length);
    return Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([version, 0]), len, text]);
  };
  const cases: [string, Uint8Array, 'npy' | 'pb', RegExp][] = [
    ['huge.npy', Buffer.concat([header("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 100000), }"), Buffer.alloc(16)]), 'npy', /the header declares shape \(100000, 100000, 100000\), 4,000,000,000,000,000 bytes of values, but the file holds 16 after its header \(truncated\?\)/],
    ['unsafe.npy', Buffer.concat([header("{'descr': '<f4', 'fortran_order': False, 'shape': (10000000000, 10000000000), }"), Buffer.alloc(16)]), 'npy', /the header's shape \(10000000000, 10000000000\) is not a shape of safe sizes/],
    ['big.npy', Buffer.concat([header("{'descr': '<f4', 'fortran_order': False, 'shape': (1000, 1000, 1000), }"), Buffer.alloc(16)]), 'npy', /declares shape \(1000, 1000, 1000\), 4,000,000,000 bytes of values, but the file holds 16 after its header \(truncated\?\)/],
    ['long-header.npy', Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([2, 0, 0xff, 0xff, 0xff, 0x7f])]), 'npy', /the header claims 2,147,483,647 bytes; not an \.npy header/],
    ['cut-header.npy', header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }").subarray(0, 40), 'npy', /the header claims 119 bytes, the file ends before that/],
    ['version9.npy', header("{}", 9), 'npy', /\.npy format version 9\.0 is not known/],
    ['no-dict.npy', header('hello'), 'npy', /the header is not a dict/],
    ['text.npy', Buffer.from('a,b,c\n1,2,3\n'), 'npy', /not an \.npy file/],
    ['garbage.pb', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]), 'pb', /not a serialized ONNX TensorProto/],
    ['empty.pb', Buffer.alloc(0), 'pb', /empty file, not a TensorProto/],
  ];
  for (const [name, bytes, kind, message] of cases) {
    writeFileSync(join(dir, name), bytes);
    refuses(join(dir, name), kind, message);
  }
  // A TensorProto whose dims claim far more than its raw_data holds.
  execFileSync('/usr/bin/python3', ['-c', `import onnx
t = onnx.TensorProto(); t.data_type = 1; t.dims.extend([100000, 100000]); t.raw_data = b'1234'
open('${dir}/claims.pb', 'wb').write(t.SerializeToString())`]);
  refuses(join(dir, 'claims.pb'), 'pb', /has 4 bytes of raw_data, expected 40000000000/);
});

test('a FIFO, a symbolic link loop and a dangling link in a data folder are refused by name, without blocking', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inputs-hostile-dir-'));
  execFileSync('/usr/bin/python3', ['-c', `import numpy as np; np.save('${dir}/000.npy', np.zeros((1, 3, 8, 8), 'float32'))`]);
  execFileSync('mkfifo', [join(dir, 'pipe.npy')]);
  assert.throws(() => openInputFolder(dir, SPEC), (e: Error) => e instanceof DataFileError && e.message === `${join(dir, 'pipe.npy')}: a named pipe; refused (a data folder holds regular files and sample folders only)`);
  refuses(join(dir, 'pipe.npy'), 'npy', /is not a regular file \(a named pipe\); refused/);
  const loop = mkdtempSync(join(tmpdir(), 'inputs-hostile-loop-'));
  symlinkSync(join(loop, 'b.npy'), join(loop, 'a.npy'));
  symlinkSync(join(loop, 'a.npy'), join(loop, 'b.npy'));
  assert.throws(() => openInputFolder(loop, SPEC), (e: Error) => e instanceof DataFileError && e.message === `${join(loop, 'a.npy')}: a symbolic link loop; refused (a data folder holds regular files and sample folders only)`);
  refuses(join(loop, 'a.npy'), 'npy', /too many levels of symbolic links/);
  const dangling = mkdtempSync(join(tmpdir(), 'inputs-hostile-dangling-'));
  symlinkSync(join(dangling, 'gone.npy'), join(dangling, 'x.npy'));
  assert.throws(() => openInputFolder(dangling, SPEC), /x\.npy: a dangling symbolic link; refused/);
  // A folder that links to itself is a sample folder without the input's file, not an endless walk.
  const self = mkdtempSync(join(tmpdir(), 'inputs-hostile-self-'));
  symlinkSync(self, join(self, 'again'));
  assert.throws(() => openInputFolder(self, SPEC), /again: a folder inside the sample folder|again: no file for input 'x'/);
});
