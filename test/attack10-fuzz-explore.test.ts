// TEMP exploration harness (not committed)
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import { test } from 'node:test';
import { openModel } from '../src/onnx/open';
import { FileError } from '../src/onnx/errors';
import { importProfile } from '../src/profiles/import';
import { nsysExport, statsFixtureRun } from './profile-nsys-fixture';

const SH = '/work/shared/fixtures/';
const TMP = mkdtempSync(join(tmpdir(), 'a10fuzz-'));
const resnet = openModel('/work/main/.cache/models/resnet18.onnx');
const tiny = openModel(SH + 'onnxruntime/tiny_cnn.onnx');

let LAST: Uint8Array = new Uint8Array();
function offsets(n: number): number[] {
  const out = new Set<number>();
  const step = Math.max(1, Math.floor(n / (Number(process.env.SAMPLES ?? 300))));
  for (let i = 0; i < n; i += step) out.add(i);
  for (let i = 0; i < Math.min(n, 64); i++) out.add(i);
  if (process.env.LINES) { out.clear(); for (let i = 0; i < LAST.length; i++) if (LAST[i] === 10) out.add(i + 1); }
  for (let i = Math.max(0, n - 64); i < n; i++) out.add(i);
  if (process.env.LINES) { out.clear(); for (let i = 0; i < LAST.length; i++) if (LAST[i] === 10) out.add(i + 1); }
  return [...out].sort((a, b) => a - b);
}

async function fuzz(label: string, bytes: Uint8Array, companions: string[], model: typeof resnet, name: string) {
  const bad: string[] = [];
  const oks: string[] = [];
  const path = join(TMP, name);
  LAST = bytes;
  for (const off of offsets(bytes.length)) {
    writeFileSync(path, bytes.subarray(0, off));
    try {
      const p = await importProfile([path, ...companions], model);
      oks.push(`${off}:${p.layers.length}:${p.warnings.length}:${p.mappedShare.toFixed(2)}`);
      if (!Number.isFinite(p.totalTimeMs) || !(p.mappedShare >= 0 && p.mappedShare <= 1) || p.layers.some((l) => !Number.isFinite(l.avgMs) || !(l.share >= 0 && l.share <= 1))) bad.push(`${off}: non-finite figures total=${p.totalTimeMs} mapped=${p.mappedShare}`);
    } catch (e) {
      if (!(e instanceof FileError)) bad.push(`${off}: ${(e as Error).name}: ${(e as Error).message.slice(0, 200)}`);
    }
  }
  console.log(`${label}: ${bytes.length} bytes, ${offsets(bytes.length).length} cuts, ${oks.length} read, ${bad.length} bad, ok: ${oks.slice(-(Number(process.env.OKS ?? 12))).join(' ')}`);
  for (const b of bad.slice(0, 8)) console.log('   ', b);
}

test('explore', { timeout: 3_600_000 }, async () => {
  const R = SH + 'trtexec/fuzzylabs-resnet18-rtx3060-fp16/';
  for (const f of readdirSync(R).filter((f) => f.endsWith('.json'))) await fuzz(`rtx ${f}`, readFileSync(R + f), f.endsWith('profile.json') ? [] : [R + 'resnet18_fp16.profile.json'], resnet, f);
  for (const f of readdirSync(SH + 'trtexec/cookbook-trt10.16').filter((f) => f.endsWith('.log'))) await fuzz(`cookbook ${f}`, readFileSync(SH + 'trtexec/cookbook-trt10.16/' + f), [], resnet, f);
  for (const f of readdirSync(SH + 'onnxruntime').filter((f) => f.endsWith('.json'))) await fuzz(`ort ${f}`, readFileSync(SH + 'onnxruntime/' + f), [], tiny, f);
  const NS = join(__dirname, '..', '..', 'test', 'fixtures', 'nsys');
  for (const v of readdirSync(NS).filter((d) => d.startsWith('nsys-'))) for (const f of readdirSync(join(NS, v))) await fuzz(`nsys ${v}/${f}`, readFileSync(join(NS, v, f)), [], resnet, f);
  const db = await nsysExport(statsFixtureRun());
  await fuzz('sqlite export', db, [], resnet, 'export.sqlite');
});
