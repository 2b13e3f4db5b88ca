// Bad nsys input is normal input: truncated, foreign, empty, zero-time and huge files end in a
// ProfileFormatError that names the file, never a crash or a half-read profile.
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openModel } from '../src/onnx/open';
import { ProfileFormatError } from '../src/profiles/errors';
import { importProfile } from '../src/profiles/import';
import { sqliteEngine } from '../src/profiles/nsys/sqlite-engine';
import { ROOT } from './helpers/corpus';
import { nsysExport, RESNET18, RTX3060, rtx3060Layers, statsFixtureRun } from './profile-nsys-fixture';

const REAL_STATS = join(ROOT, 'test', 'fixtures', 'nsys', 'nsys-2022.4.2');
const TMP = mkdtempSync(join(tmpdir(), 'nsys-bad-'));
const model = openModel(RESNET18);
after(() => {
  model.close();
  rmSync(TMP, { recursive: true, force: true });
});

function file(name: string, content: string | Uint8Array): string {
  const path = join(TMP, name);
  writeFileSync(path, content);
  return path;
}

async function refused(files: string[], message: RegExp): Promise<void> {
  await assert.rejects(importProfile(files, model), (e: unknown) => {
    assert.ok(e instanceof ProfileFormatError, `a ProfileFormatError, not ${String(e)}`);
    assert.match(e.message, message);
    assert.ok(files.includes(e.path), `the error names one of the files: ${e.path}`);
    assert.ok(e.message.includes(e.path), e.message);
    return true;
  });
}

/** The fixture export with `sql` run on it. */
async function editedExport(name: string, sql: string): Promise<string> {
  const SQL = await sqliteEngine();
  const db = new SQL.Database(await nsysExport(statsFixtureRun()));
  try {
    db.run(sql);
    return file(name, db.export());
  } finally {
    db.close();
  }
}

const realCsv = (name: string): string => readFileSync(join(REAL_STATS, name), 'utf8');

test('a truncated nvtx_kern_sum CSV (cut inside a row) is refused, naming the row and column', async () => {
  const text = realCsv('run_nvtxkernsum.csv');
  const cut = text.slice(0, text.indexOf('\n', text.length / 2) + 40);
  await refused([file('cut_nvtxkernsum.csv', cut)], /row \d+.*cells for 13 columns|truncated/);
});

test('a CSV cut inside its last cell reads, with a warning that its last row may be cut short', async () => {
  const text = realCsv('run_nvtxkernsum.csv');
  const path = file('cut-name_nvtxkernsum.csv', text.slice(0, text.length - 20));
  const p = await importProfile([path], model);
  assert.ok(p.warnings.some((w) => w.includes(path) && /last row may be cut short/.test(w)), p.warnings.join('\n'));
});

test('a truncated JSON report is refused as invalid JSON', async () => {
  const text = readFileSync(join(REAL_STATS, 'run_nvtxkernsum.json'), 'utf8');
  await refused([file('cut_nvtxkernsum.json', text.slice(0, text.length / 2))], /not valid JSON/);
});

test('a report with a damaged number is refused, naming the cell', async () => {
  const text = realCsv('run_gpukernsum.csv').replace(/\n25\.1,546816,/, '\n25.1,54x816,');
  await refused([file('bad_gpukernsum.csv', text)], /column "Total Time \(ns\)".*"54x816"/);
});

test('foreign files are claimed by no reader: a CSV of another program, a JSON of another tool, binary data', async () => {
  await refused([file('other.csv', 'name,value\nalpha,1\nbeta,2\n')], /not a profile ONNX Studio reads/);
  await refused([file('other.json', '[{"name": "conv", "ms": 1.5}]')], /not a profile ONNX Studio reads/);
  await refused([file('noise.csv', new Uint8Array(4096).map((_, i) => (i * 131 + 7) % 256))], /not a profile ONNX Studio reads/);
  // A real report mixed with a foreign file: nothing is read half.
  await refused([join(REAL_STATS, 'run_nvtxkernsum.csv'), file('other2.csv', 'a,b\n1,2\n')], /not a profile ONNX Studio reads/);
});

test('an empty report alone, or a report with its header only, says so', async () => {
  await refused([join(REAL_STATS, 'nonvtx_nvtxsum.csv')], /not a profile ONNX Studio reads/);
  const header = realCsv('run_nvtxkernsum.csv').split('\n')[0]! + '\n';
  await refused([file('header_nvtxkernsum.csv', header)], /no kernels or NVTX ranges/);
});

test('an SQLite database of another program is not an nsys export', async () => {
  const SQL = await sqliteEngine();
  const db = new SQL.Database();
  db.run("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users VALUES (1, 'ada');");
  const path = file('other.sqlite', db.export());
  db.close();
  await refused([path], /not an Nsight Systems export/);
});

test('a truncated nsys export is refused, not crashed on', async () => {
  const bytes = await nsysExport(statsFixtureRun());
  await refused([file('cut.sqlite', bytes.subarray(0, Math.floor(bytes.length / 2)))], /cannot be read|not a readable SQLite/);
  await refused([file('header-only.sqlite', bytes.subarray(0, 100))], /cannot be read|not a readable SQLite|not an Nsight Systems export/);
});

test('an export whose kernel table is empty, or whose kernels all take zero time', async () => {
  await refused([await editedExport('empty.sqlite', 'DELETE FROM CUPTI_ACTIVITY_KIND_KERNEL')], /has no kernels/);
  const zero = file('zero.sqlite', await nsysExport({ inferences: 3, layers: rtx3060Layers().map((l) => ({ ...l, kernel: 'k', ns: 0 })) }));
  await refused([zero], /zero time/);
});

test('an export without the kernel table (captured without CUDA trace) says what to capture', async () => {
  await refused([await editedExport('nocuda.sqlite', 'DROP TABLE CUPTI_ACTIVITY_KIND_KERNEL')], /without CUDA kernels.*-t cuda,nvtx/);
});

test('a stats report with zero time throughout is refused', async () => {
  const text = realCsv('run_nvtxkernsum.csv').replace(/^([^,]*,[^,]*,\d+,\d+,\d+,\d+),\d+,/gm, '$1,0,');
  await refused([file('zero_nvtxkernsum.csv', text)], /zero time/);
});

test('huge files are refused from their size, before they are read', async () => {
  // Sparse files: their size is what counts, no disk or memory is spent on them.
  const sparse = (name: string, head: string, size: number): string => {
    const path = join(TMP, name);
    const fd = openSync(path, 'w');
    writeSync(fd, head);
    ftruncateSync(fd, size);
    closeSync(fd);
    return path;
  };
  await refused([sparse('huge.sqlite', 'SQLite format 3\0', 600 * 1024 * 1024)], /600 MB, more than the 512 MB/);
  await refused([sparse('huge_nvtxkernsum.csv', realCsv('run_nvtxkernsum.csv'), 300 * 1024 * 1024)], /300 MB, more than the 256 MB/);
});

test('an export beside other files is refused: one export alone holds everything', async () => {
  const path = file('alone.sqlite', await nsysExport(statsFixtureRun()));
  await refused([path, join(REAL_STATS, 'run_nvtxkernsum.csv')], /one nsys SQLite export alone/);
});

test('a truncated --exportLayerInfo beside nsys files is refused, naming it', async () => {
  const info = readFileSync(join(RTX3060, 'resnet18_fp16.graph.json'), 'utf8');
  await refused([join(REAL_STATS, 'run_nvtxkernsum.csv'), file('cut.graph.json', info.slice(0, info.length / 2))], /cut\.graph\.json: not valid JSON/);
});

test('nsys stats\' console table (the default -f column) is recognized and refused: its names are cut at 100 characters', async () => {
  const path = join(ROOT, 'test', 'fixtures', 'nsys', 'nsys-2023.4.4', 'run-column.txt');
  await refused([path], /console table.*cuts names at 100 characters.*-f csv/);
});
