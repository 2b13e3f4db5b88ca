// Every real profile fixture (trtexec JSON and logs, ORT traces, nsys stats CSV/JSON) and an nsys
// SQLite export, cut at the first and last 64 bytes, at every line break (files under 100 KB) and at 150 offsets
// between: each cut reads as a profile with finite figures, or is refused with a FileError naming
// it (the CLI's exit 2); nothing else (a TypeError, a RangeError, NaN shares) may come out.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FileError } from '../src/onnx/errors';
import { openModel } from '../src/onnx/open';
import { importProfile } from '../src/profiles/import';
import { ROOT } from './helpers/corpus';
import { COOKBOOK, RTX3060, resnet18 } from './helpers/trtexec-profiles';
import { nsysExport, statsFixtureRun } from './profile-nsys-fixture';

const ORT_FIXTURES = join(process.env.ONNX_STUDIO_SHARED ?? join(ROOT, '..', 'shared'), 'fixtures', 'onnxruntime');
const NSYS = join(ROOT, 'test', 'fixtures', 'nsys');
const TMP = mkdtempSync(join(tmpdir(), 'attack10-cuts-'));
const resnet = openModel(resnet18());
const tiny = openModel(join(ORT_FIXTURES, 'tiny_cnn.onnx'));
after(() => {
  resnet.close();
  tiny.close();
  rmSync(TMP, { recursive: true, force: true });
});

function cuts(bytes: Uint8Array): number[] {
  const at = new Set<number>();
  const step = Math.max(1, Math.floor(bytes.length / 150));
  for (let i = 0; i < bytes.length; i += step) at.add(i);
  for (let i = 0; i < Math.min(64, bytes.length); i++) at.add(i).add(bytes.length - 1 - i);
  // Every line break of the smaller files (a cut there leaves whole rows); the 2.9 MB --exportTimes file has 10,000.
  if (bytes.length < 100_000) bytes.forEach((b, i) => b === 0x0a && at.add(i + 1));
  return [...at].filter((i) => i >= 0 && i < bytes.length).sort((a, b) => a - b);
}

/** Cuts `bytes` (written under `name`) and imports each cut with `companions`; returns what went wrong. */
async function cutAndRead(name: string, bytes: Uint8Array, model: typeof resnet, companions: string[] = []): Promise<string[]> {
  const path = join(TMP, name);
  const bad: string[] = [];
  for (const at of cuts(bytes)) {
    writeFileSync(path, bytes.subarray(0, at));
    try {
      const p = await importProfile([path, ...companions], model);
      const figures = [p.totalTimeMs, p.mappedShare, ...p.layers.flatMap((l) => [l.avgMs, l.share])];
      if (!figures.every(Number.isFinite) || p.mappedShare > 1 || p.layers.some((l) => l.share > 1)) bad.push(`${name} cut at ${at}: figures ${p.totalTimeMs} ms, mapped ${p.mappedShare}`);
    } catch (e) {
      if (!(e instanceof FileError) || !e.message.includes(path)) bad.push(`${name} cut at ${at}: ${String(e)}`);
    }
  }
  return bad;
}

test('trtexec JSON and logs cut anywhere: a profile or a FileError naming the cut file', async () => {
  const bad: string[] = [];
  for (const kind of ['profile', 'graph', 'timing', 'profile.metadata']) {
    const companions = kind === 'profile' ? [] : [`${RTX3060}profile.json`];
    bad.push(...(await cutAndRead(`rtx.${kind}.json`, readFileSync(`${RTX3060}${kind}.json`), resnet, companions)));
  }
  for (const log of readdirSync(COOKBOOK).filter((f) => f.endsWith('.log'))) bad.push(...(await cutAndRead(log, readFileSync(join(COOKBOOK, log)), resnet)));
  assert.deepEqual(bad, []);
});

test('ORT traces cut anywhere: a profile or a FileError naming the cut file', async () => {
  const bad: string[] = [];
  for (const f of readdirSync(ORT_FIXTURES).filter((n) => n.endsWith('.json'))) bad.push(...(await cutAndRead(f, readFileSync(join(ORT_FIXTURES, f)), tiny)));
  assert.deepEqual(bad, []);
});

test('nsys stats reports and an nsys SQLite export cut anywhere: a profile or a FileError naming the cut file', async () => {
  const bad: string[] = [];
  for (const version of readdirSync(NSYS).filter((d) => d.startsWith('nsys-'))) {
    for (const f of readdirSync(join(NSYS, version))) bad.push(...(await cutAndRead(`${version}_${f}`, readFileSync(join(NSYS, version, f)), resnet)));
  }
  bad.push(...(await cutAndRead('export.sqlite', await nsysExport(statsFixtureRun()), resnet)));
  assert.deepEqual(bad, []);
});
