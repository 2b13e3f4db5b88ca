// Bad trtexec files are normal input: truncated or foreign JSON, a profile with no time, files
// of two runs, a file far over its limit (refused before it is read), a layer-info graph whose
// tensors loop; each gives a ProfileFormatError naming the file, or a profile with warnings.
// Also the profile of a finished build (`readBuildProfile`).
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Model } from '../src/onnx/model/graph';
import { openModel } from '../src/onnx/open';
import { importProfile } from '../src/profiles/import';
import { readBuildProfile } from '../src/profiles/trtexec/build-profile';
import { scanProfileText } from '../src/profiles/trtexec/files';
import { readTrtexecProfile } from '../src/profiles/trtexec/reader';
import { A100, RTX3060, pythonJson, resnet18 } from './helpers/trtexec-profiles';

let dir: string;
let model: Model;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'trtexec-bad-'));
  model = openModel(resnet18());
});
after(() => {
  model.close();
  rmSync(dir, { recursive: true, force: true });
});

const write = (name: string, text: string | Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const formatError = (file: string, pattern: RegExp) => (e: Error) => {
  assert.equal(e.name, 'ProfileFormatError');
  assert.ok(e.message.includes(file), `names ${file}: ${e.message}`);
  assert.match(e.message, pattern);
  return true;
};

test('a truncated --exportProfile, --exportLayerInfo or --exportTimes file: ProfileFormatError naming it', async () => {
  const profile = write('cut.profile.json', readFileSync(`${RTX3060}profile.json`).subarray(0, 900));
  await assert.rejects(importProfile([profile], model), formatError(profile, /not valid JSON \(cut short\?\), so not a trtexec --exportProfile file/));
  const layers = write('cut.graph.json', readFileSync(`${RTX3060}graph.json`).subarray(0, 5000));
  await assert.rejects(importProfile([layers, `${RTX3060}profile.json`], model), formatError(layers, /cut short/));
  const times = write('cut.timing.json', readFileSync(`${RTX3060}timing.json`).subarray(0, 100_000));
  await assert.rejects(importProfile([`${RTX3060}profile.json`, times], model), formatError(times, /cut short \(no closing "\]"\), so not a trtexec --exportTimes file/));
});

test('foreign files: JSON of another tool, binary, records without times; no reader claims them or the reader says what is wrong', async () => {
  const foreign = write('other.json', '{"traceEvents": []}');
  await assert.rejects(importProfile([foreign], model), formatError(foreign, /not a profile ONNX Studio reads/));
  const binary = write('model.onnx', readFileSync(resnet18()).subarray(0, 4096));
  await assert.rejects(importProfile([binary], model), formatError(binary, /not a profile ONNX Studio reads/));
  const noTimes = write('names.profile.json', '[{"count": 3}, {"name": "/conv1/Conv", "timeMs": "fast"}]');
  await assert.rejects(importProfile([noTimes], model), formatError(noTimes, /record 1 has timeMs "fast", not a time/));
  const stray = write('stray.json', '{"Layers": 3}');
  assert.throws(() => readTrtexecProfile([stray, `${RTX3060}profile.json`], model), formatError(stray, /no "Layers" list/));
});

test('a profile with zero time, and files of two runs given together: refused with the reason', async () => {
  const zero = write('zero.profile.json', JSON.stringify([{ count: 5 }, { name: '/conv1/Conv + /relu/Relu', timeMs: 0, averageMs: 0, medianMs: 0, percentage: 0 }]));
  await assert.rejects(importProfile([zero], model), formatError(zero, /every layer took 0 ms over 5 iterations/));
  await assert.rejects(importProfile([`${RTX3060}profile.json`, zero], model), formatError(zero, /2 trtexec --exportProfile files given/));
});

test('a file over its limit is refused from its size, before it is read', async () => {
  const huge = write('huge.profile.json', '[{ "count" : 1 }\n');
  truncateSync(huge, 3 * 1024 * 1024 * 1024); // sparse: no disk, and it must not be read into memory
  await assert.rejects(importProfile([huge], model), formatError(huge, /3,221,225,472 bytes, more than the 134,217,728 a trtexec --exportProfile file may have/));
});

test('a layer-info graph whose reformats feed each other in a loop ends, with the layers kept unmapped', () => {
  const reformat = (n: number, from: string, to: string) => ({ Name: `Reformatting CopyNode for Input Tensor 0 to {ForeignNode[x${n}...y${n}]}`, LayerType: 'Reformat', Inputs: [{ Name: from }], Outputs: [{ Name: to }] });
  const layers = write('loop.graph.json', JSON.stringify({ Layers: [reformat(1, 'a', 'b'), reformat(2, 'b', 'a')], Bindings: [] }));
  const profile = write('loop.profile.json', JSON.stringify([{ count: 1 }, ...[1, 2].map((n) => ({ name: `Reformatting CopyNode for Input Tensor 0 to {ForeignNode[x${n}...y${n}]}`, timeMs: 1, averageMs: 1 }))]));
  const p = readTrtexecProfile([layers, profile], model);
  assert.equal(p.layers.length, 2);
  assert.equal(p.mappedShare, 0);
  assert.match(p.warnings.join('\n'), /the profile is likely of another model/);
});

test('files of different engines: the rows the layer info lacks are counted in a warning', () => {
  const p = readTrtexecProfile([`${RTX3060}graph.json`, `${A100}profile.json`], model);
  assert.match(p.warnings.join('\n'), /36 of 36 profiled layers are not in the layer information \(files of different engines\?\)/);
});

test('readBuildProfile: the exports of a finished `build --profile`, by the names the build gives them', () => {
  const stem = join(dir, 'resnet18.fp16');
  const outputs = { engine: `${stem}.plan`, log: `${stem}.build.log`, layers: `${stem}.layers.json`, profile: `${stem}.profile.json`, times: `${stem}.times.json` };
  copyFileSync(`${RTX3060}graph.json`, outputs.layers);
  copyFileSync(`${RTX3060}profile.json`, outputs.profile);
  copyFileSync(`${RTX3060}timing.json`, outputs.times);
  const p = readBuildProfile(outputs, model);
  assert.ok(p.mappedShare >= 0.99);
  assert.deepEqual(p.source.files, [outputs.layers, outputs.profile, outputs.times]);
  assert.throws(() => readBuildProfile({ engine: outputs.engine, log: outputs.log }, model), formatError(outputs.engine, /exported no per-layer profile \(build with --profile\)/));
});

test('--exportTimes is scanned in bounded pieces that end at a record: nothing lost or split across pieces', () => {
  const path = `${RTX3060}timing.json`;
  const pieces: string[] = [];
  let records = 0;
  scanProfileText(path, '--exportTimes file', 1 << 30, (text) => {
    pieces.push(text);
    records += [...text.matchAll(/"computeMs"\s*:/g)].length;
  }, { chunkBytes: 4096 });
  assert.equal(pieces.join(''), readFileSync(path, 'utf8'));
  assert.ok(pieces.slice(0, -1).every((p) => /[}\n]$/.test(p) && p.length <= 2 * 4096));
  assert.equal(records, pythonJson<number>(`import json, sys; print(len(json.load(open(sys.argv[1]))))`, path));
});
