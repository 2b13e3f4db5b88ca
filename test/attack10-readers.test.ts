// Hostile profile files a careless or malicious user may give `profile --import` (issue 10,
// points 5 and 6): times that overflow when summed, a trtexec log cut inside its profile table,
// a profile that states 0 iterations. Each must end in a ProfileFormatError naming the file
// (the CLI's exit 2), never NaN shares or a silently half-read table.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openModel } from '../src/onnx/open';
import { ProfileFormatError } from '../src/profiles/errors';
import { importProfile } from '../src/profiles/import';
import type { ProfileJson } from '../src/profiles/layer-profile';
import { sqliteEngine } from '../src/profiles/nsys/sqlite-engine';
import { CLI, ROOT } from './helpers/corpus';
import { nsysExport, statsFixtureRun } from './profile-nsys-fixture';
import { COOKBOOK, RTX3060, resnet18 } from './helpers/trtexec-profiles';

const ORT_FIXTURES = join(process.env.ONNX_STUDIO_SHARED ?? join(ROOT, '..', 'shared'), 'fixtures', 'onnxruntime');
const TMP = mkdtempSync(join(tmpdir(), 'attack10-readers-'));
const model = openModel(resnet18());
const tiny = openModel(join(ORT_FIXTURES, 'tiny_cnn.onnx'));
after(() => {
  model.close();
  tiny.close();
  rmSync(TMP, { recursive: true, force: true });
});

const file = (name: string, text: string | Uint8Array): string => {
  const path = join(TMP, name);
  writeFileSync(path, text);
  return path;
};

type Rec = Record<string, unknown>;
const rtxProfile = (): Rec[] => JSON.parse(readFileSync(`${RTX3060}profile.json`, 'utf8')) as Rec[];

async function refused(files: string[], m: typeof model, message: RegExp): Promise<void> {
  await assert.rejects(importProfile(files, m), (e: unknown) => {
    assert.ok(e instanceof ProfileFormatError, `a ProfileFormatError, not ${String(e)}`);
    assert.match(e.message, message);
    assert.ok(e.message.includes(files[0]!), e.message);
    return true;
  });
}

test('layer times that overflow when summed (1.7e308 ms each) are refused, not shown as Infinity ms and NaN %', async () => {
  const huge = file('huge.profile.json', JSON.stringify(rtxProfile().map((r, i) => (i > 0 && i < 4 ? { ...r, timeMs: 1.7e308, averageMs: 1.7e308, medianMs: 1.7e308 } : r))));
  await refused([huge], model, /add up to more than a number can hold/);
  // The same through ORT's reader: node events of 1.7e308 µs.
  const events = JSON.parse(readFileSync(join(ORT_FIXTURES, 'ort_profile_tiny_cnn_opt-disabled.json'), 'utf8')) as Rec[];
  const ort = file('huge-ort.json', JSON.stringify(events.map((e) => (e['cat'] === 'Node' ? { ...e, dur: 1.7e308 } : e))));
  await refused([ort], tiny, /add up to more than a number can hold/);
  // Through the CLI: exit 2, one line, nothing on stdout.
  const r = spawnSync(process.execPath, [CLI, 'profile', '--import', huge, '--model', resnet18(), '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.doesNotMatch(r.stderr, /NaN|internal error|\n\s+at /);
});

test('one huge but finite layer time still reads, with finite shares in [0, 1]', async () => {
  const one = file('one-huge.profile.json', JSON.stringify(rtxProfile().map((r, i) => (i === 1 ? { ...r, timeMs: 1e300, averageMs: 1e300 } : r))));
  const p = await importProfile([one], model);
  assert.ok(Number.isFinite(p.totalTimeMs));
  assert.ok(p.layers.every((l) => l.share >= 0 && l.share <= 1));
  assert.ok(p.mappedShare >= 0 && p.mappedShare <= 1);
});

test('a trtexec log cut inside its --dumpProfile table (before the Total row) is refused, not read as fewer layers', async () => {
  const lines = readFileSync(join(COOKBOOK, 'result-05.log'), 'utf8').split('\n');
  const head = lines.findIndex((l) => l.includes('=== Profile ('));
  const total = lines.findIndex((l) => /\]\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+Total$/.test(l));
  assert.ok(head > 0 && total > head + 2, 'the fixture has a table with a Total row');
  for (const keep of [head + 1, head + 2, head + 7, total]) {
    const cut = file(`cut-${keep}.log`, lines.slice(0, keep).join('\n') + '\n');
    await refused([cut], model, /profile table ends after \d+ row\(s\) without its Total row: the log is cut short/);
  }
  // The whole log, and the log cut just after its Total row, read all 15 layers.
  for (const keep of [lines.length, total + 1]) {
    const whole = file(`whole-${keep}.log`, lines.slice(0, keep).join('\n') + '\n');
    assert.equal((await importProfile([whole], model)).layers.length, total - head - 2);
  }
});

test('an --exportProfile stating 0 iterations beside layers with time is refused', async () => {
  const [, ...rows] = rtxProfile();
  await refused([file('count0.profile.json', JSON.stringify([{ count: 0 }, ...rows]))], model, /states 0 iterations/);
});

test('an nsys export whose CUDA calls share correlation ids: each kernel is charged once, not once per call of its id', async () => {
  const SQL = await sqliteEngine();
  const clean = await nsysExport(statsFixtureRun());
  const db = new SQL.Database(clean);
  let hostile: Uint8Array;
  let kernelMs: number;
  try {
    // 40 more calls for every correlation id, in the same thread, after the capture (nsys never writes two).
    db.run(`WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 40)
      INSERT INTO CUPTI_ACTIVITY_KIND_RUNTIME (start, end, eventClass, globalTid, correlationId, nameId, returnValue)
      SELECT r.start + 1000000000000 * x, r.end + 1000000000000 * x, r.eventClass, r.globalTid, r.correlationId, r.nameId, 0 FROM CUPTI_ACTIVITY_KIND_RUNTIME AS r, c`);
    kernelMs = Number(db.exec('SELECT sum(end - start) FROM CUPTI_ACTIVITY_KIND_KERNEL')[0]!.values[0]![0]) / 1e6;
    hostile = db.export();
  } finally {
    db.close();
  }
  const reference = await importProfile([file('clean.sqlite', clean)], model);
  const p = await importProfile([file('colliding.sqlite', hostile)], model);
  // Every kernel's time once: the total over the capture is the kernel table's sum.
  assert.ok(Math.abs(p.totalTimeMs * p.inferences - kernelMs) < 1e-9 * kernelMs, `${p.totalTimeMs * p.inferences} ms vs ${kernelMs} ms of kernels`);
  assert.equal(p.inferences, reference.inferences);
  assert.ok(Math.abs(p.mappedShare - reference.mappedShare) < 1e-12, `${p.mappedShare} vs ${reference.mappedShare}`);
});

test('a "log" of one endless line is refused from its line length, not carried whole (which ran out of string length at 512 MB and blamed UTF-8)', async () => {
  const path = join(TMP, 'one-line.log');
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, '&&&& RUNNING TensorRT.trtexec [TensorRT v101601] # trtexec\n[I] ');
    const chunk = Buffer.alloc(8 * 1024 * 1024, 0x41);
    for (let i = 0; i < 9; i++) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
  await refused([path], model, /a line of more than 67,108,864 characters, so not a trtexec log/);
  rmSync(path);
});

test('an nsys stats CSV with a 100 MB kernel name reads within 1 GB of heap (it was built a character at a time: V8 ran out of memory and aborted)', () => {
  const path = join(TMP, 'huge_cuda_gpu_kern_sum.csv');
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, 'Time (%),Total Time (ns),Instances,Avg (ns),Med (ns),Min (ns),Max (ns),StdDev (ns),Name\n100.0,1000,1,1000,1000,1000,1000,0,');
    writeSync(fd, Buffer.alloc(100 * 1024 * 1024, 0x42));
    writeSync(fd, '\n');
  } finally {
    closeSync(fd);
  }
  const r = spawnSync(process.execPath, ['--max-old-space-size=1024', CLI, 'profile', '--import', path, '--model', resnet18(), '--json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  rmSync(path);
  // A kernel summary maps no node: exit 1, the kernel kept whole as unmapped time.
  assert.equal(r.status, 1, r.stderr.slice(-2000));
  const doc = JSON.parse(r.stdout) as { layers: { name: string; timeMs: number }[] };
  assert.equal(doc.layers.length, 1);
  assert.equal(doc.layers[0]!.name.length, 100 * 1024 * 1024);
  assert.equal(doc.layers[0]!.timeMs, 0.001);
});

test('profiles that do not go together (one trace twice, an ORT trace beside a trtexec profile) are named as profiles, not as "not a profile"', async () => {
  const trace = join(ORT_FIXTURES, 'ort_profile_tiny_cnn_opt-all.json');
  for (const files of [[trace, trace], [trace, `${RTX3060}profile.json`]]) {
    await refused(files, tiny, /: profiles \((onnxruntime|trtexec), (onnxruntime|trtexec)\) that are not one run's files/);
  }
});

/**
 * `profile --import FILES --model MODEL --json` in a child killed after `limitMs`: a guard against
 * the quadratic costs fixed here (the readers work synchronously, so a test timeout cannot stop
 * them); nothing is timed or compared with a figure.
 */
function importInChild(files: string[], modelPath: string, limitMs: number): ProfileJson {
  const r = spawnSync(process.execPath, [CLI, 'profile', '--import', ...files, '--model', modelPath, '--json'], { encoding: 'utf8', maxBuffer: 1 << 30, timeout: limitMs, killSignal: 'SIGKILL' });
  assert.equal(r.signal, null, `killed after ${limitMs} ms`);
  assert.ok(r.status === 0 || r.status === 1, r.stderr.slice(-2000));
  return JSON.parse(r.stdout) as ProfileJson;
}

test("a Myelin region of 60,000 unnamed kernels: each charged to the region's nodes, the region computed once (it took about 7 minutes)", () => {
  const rows: Rec[] = [{ count: 10 }, { name: '/conv1/Conv_myl0_0', timeMs: 10, averageMs: 1 }];
  for (let i = 1; i <= 60_000; i++) rows.push({ name: `__myl_Gen${i}_myl0_${i}`, timeMs: 0.01, averageMs: 0.001 });
  const p = importInChild([file('region.profile.json', JSON.stringify(rows))], resnet18(), 60_000);
  const conv = model.graph.nodes.find((n) => n.name === '/conv1/Conv')!.id;
  assert.equal(p.layers.length, 60_001);
  assert.ok(p.layers.every((l) => l.onnxNodes.length === 1 && l.onnxNodes[0] === conv));
  assert.equal(p.mappedShare, 1);
  assert.ok(p.warnings.some((w) => w.startsWith('60000 Myelin kernels name no ONNX node')), p.warnings.join('\n'));
});

const NSYS_2023 = join(ROOT, 'test', 'fixtures', 'nsys', 'nsys-2023.4.4');

test('nvtx_kern_sum: an application range around the inferences is still told from the layers', async () => {
  // The real report in the default domain (no TensorRT: prefix, no other library's ranges), with the inference range's rows again under the application's own range name.
  const real = readFileSync(join(NSYS_2023, 'run_nvtx_kern_sum.csv'), 'utf8')
    .split('\n')
    .filter((l) => !/^(cuBLAS|myelin-exec):/.test(l))
    .join('\n')
    .replace(/^TensorRT:/gm, '');
  const framed = real + real.split('\n').filter((l) => l.startsWith('ExecutionContext::enqueueV3,')).map((l) => l.replace('ExecutionContext::enqueueV3', 'appFrame')).join('\n') + '\n';
  const plain = await importProfile([file('plain_nvtx_kern_sum.csv', real)], model);
  const p = await importProfile([file('framed_nvtx_kern_sum.csv', framed)], model);
  assert.ok(!p.layers.some((l) => l.name.startsWith('appFrame')), p.layers.map((l) => l.name).join('\n'));
  assert.deepEqual(p.layers.map((l) => [l.name, l.avgMs]), plain.layers.map((l) => [l.name, l.avgMs]));
});

test('nvtx_kern_sum with 40,000 layer ranges sharing 100 kernels: every range a layer, found without comparing every pair (it took 75 s)', () => {
  const header = 'NVTX Range,Style,PID,TID,NVTX Inst,Kern Inst,Total Time (ns),Avg (ns),Med (ns),Min (ns),Max (ns),StdDev (ns),Kernel Name\n';
  let csv = header;
  for (let i = 0; i < 40_000; i++) csv += `layer${i},PushPop,1,2,6,6,6000,1000.0,1000.0,1000,1000,0.0,kernel${i % 100}\n`;
  const p = importInChild([file('many_nvtx_kern_sum.csv', csv)], resnet18(), 60_000);
  assert.equal(p.layers.length, 40_000);
  assert.ok(p.layers.every((l) => !l.name.endsWith('(outside layer ranges)') && l.timeMs === 0.006 && l.count === 6));
});

test('an --exportTimes file with "1.2.3", 1e999 or negative times is refused, not summarized as null medians', async () => {
  for (const [name, value] of [['dots', '1.2.3'], ['inf', '1e999'], ['neg', '-5']] as const) {
    const times = file(`${name}.timing.json`, `[{ "startEnqMs": 1, "computeMs": 0.3, "latencyMs": 0.3 }, { "startEnqMs": 2, "computeMs": ${value}, "latencyMs": 0.3 }]`);
    await assert.rejects(importProfile([`${RTX3060}profile.json`, times], model), (e: unknown) => {
      assert.ok(e instanceof ProfileFormatError, String(e));
      assert.ok(e.message.startsWith(`${times}: "computeMs": ${value} is not a time`), e.message);
      return true;
    });
  }
});
