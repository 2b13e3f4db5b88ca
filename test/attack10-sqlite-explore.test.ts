// TEMP exploration (not committed)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openModel } from '../src/onnx/open';
import { importProfile } from '../src/profiles/import';
import { sqliteEngine } from '../src/profiles/nsys/sqlite-engine';
import { nsysExport, statsFixtureRun } from './profile-nsys-fixture';

const TMP = mkdtempSync(join(tmpdir(), 'a10sql-'));
const model = openModel('/work/main/.cache/models/resnet18.onnx');

async function edited(name: string, sql: string, patch?: (b: Uint8Array) => void): Promise<string> {
  const SQL = await sqliteEngine();
  const db = new SQL.Database(await nsysExport(statsFixtureRun()));
  db.run(sql);
  const bytes = db.export();
  db.close();
  patch?.(bytes);
  const p = join(TMP, name);
  writeFileSync(p, bytes);
  return p;
}

async function tryit(label: string, path: string) {
  const t0 = Date.now();
  const m0 = process.memoryUsage().rss;
  try {
    const p = await importProfile([path], model);
    console.log(`${label}: OK ${Date.now() - t0} ms rss+${((process.memoryUsage().rss - m0) / 1e6).toFixed(0)}MB layers=${p.layers.length} total=${p.totalTimeMs} mapped=${p.mappedShare} inf=${p.inferences} warn=${p.warnings.map((w) => w.slice(0, 100)).join(' | ')}`);
  } catch (e) {
    console.log(`${label}: ${(e as Error).name} ${Date.now() - t0} ms: ${(e as Error).message.slice(0, 300)}`);
  }
}

test('explore', { timeout: 3_600_000 }, async () => {
  const which = process.env.CASE ?? '';
  const cases: [string, string, ((b: Uint8Array) => void)?][] = [
    ['pagecount', '', (b) => { new DataView(b.buffer, b.byteOffset).setUint32(28, 0xffffffff); }],
    ['pagesize', '', (b) => { new DataView(b.buffer, b.byteOffset).setUint16(16, 1); }],
    ['collide', `
      DELETE FROM CUPTI_ACTIVITY_KIND_RUNTIME WHERE rowid > 20000;
      DELETE FROM CUPTI_ACTIVITY_KIND_KERNEL WHERE rowid > 20000;
      WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 20000)
      INSERT INTO CUPTI_ACTIVITY_KIND_RUNTIME (start, end, eventClass, globalTid, correlationId, nameId, returnValue) SELECT 2000000000 + x, 2000000100 + x, 1, (SELECT globalTid FROM CUPTI_ACTIVITY_KIND_RUNTIME LIMIT 1), 7, 1, 0 FROM c;
      UPDATE CUPTI_ACTIVITY_KIND_KERNEL SET correlationId = 7; UPDATE CUPTI_ACTIVITY_KIND_RUNTIME SET correlationId = 7;`],
    ['collideBig', `
      WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 20000)
      INSERT INTO CUPTI_ACTIVITY_KIND_RUNTIME (start, end, eventClass, globalTid, correlationId, nameId, returnValue) SELECT 2000000000 + x, 2000000100 + x, 1, (SELECT globalTid FROM CUPTI_ACTIVITY_KIND_RUNTIME LIMIT 1) + x * 16777216, 7, 1, 0 FROM c;
      WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 20000)
      INSERT INTO CUPTI_ACTIVITY_KIND_KERNEL (start, end, deviceId, contextId, streamId, correlationId, globalPid, demangledName, shortName, registersPerThread, gridX, gridY, gridZ, blockX, blockY, blockZ, staticSharedMemory, dynamicSharedMemory, localMemoryPerThread, localMemoryTotal, gridId)
      SELECT 9000000000 + x*10, 9000000000 + x*10 + 5, 0, 1, 7, 7, CASE WHEN x % 2 = 0 THEN NULL ELSE 12345 END, 3, 3, 64, 1,1,1,1,1,1,0,0,0,0, x FROM c;
      UPDATE CUPTI_ACTIVITY_KIND_RUNTIME SET correlationId = 7;`],
    ['cyclic', `INSERT INTO NVTX_EVENTS (start, end, eventType, text, globalTid) SELECT end, start, eventType, text, globalTid FROM NVTX_EVENTS WHERE eventType = 59;
      INSERT INTO NVTX_EVENTS (start, end, eventType, text, globalTid) SELECT start + 1000, end + 100000, eventType, text || 'x', globalTid FROM NVTX_EVENTS WHERE eventType = 59;`],
    ['textcols', `UPDATE CUPTI_ACTIVITY_KIND_KERNEL SET start = 'abc' WHERE rowid % 2 = 0; UPDATE NVTX_EVENTS SET start = x'00ff' WHERE rowid % 3 = 0;`],
    ['bignums', `UPDATE CUPTI_ACTIVITY_KIND_KERNEL SET start = -9223372036854775808, end = 9223372036854775807 WHERE rowid = 5;`],
    ['realnums', `UPDATE CUPTI_ACTIVITY_KIND_KERNEL SET end = 1e308, start = -1e308 WHERE rowid < 5;`],
    ['nullnames', `DELETE FROM StringIds;`],
    ['giantname', `UPDATE StringIds SET value = printf('%.*c', 5000000, 'A') WHERE id = 3;`],
    ['ansiname', `UPDATE NVTX_EVENTS SET text = char(27) || '[31m<img src=x onerror=alert(1)>' || char(10) || text WHERE text IS NOT NULL;`],
    ['rows1e6', `
      WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 1000000)
      INSERT INTO CUPTI_ACTIVITY_KIND_KERNEL (start, end, deviceId, contextId, streamId, correlationId, globalPid, demangledName, shortName, registersPerThread, gridX, gridY, gridZ, blockX, blockY, blockZ, staticSharedMemory, dynamicSharedMemory, localMemoryPerThread, localMemoryTotal, gridId)
      SELECT 9000000000 + x*10, 9000000000 + x*10 + 5, 0, 1, 7, 100000000 + x, NULL, 3, 3, 64, 1,1,1,1,1,1,0,0,0,0, x FROM c;`],
    ['nvtx1e6', `
      WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 1000000)
      INSERT INTO NVTX_EVENTS (start, end, eventType, text, globalTid) SELECT x, 4000000000000 - x, 59, 'nest' || x, (SELECT globalTid FROM NVTX_EVENTS LIMIT 1) FROM c;`],
    ['gencol', `CREATE TABLE K2 AS SELECT * FROM CUPTI_ACTIVITY_KIND_KERNEL; DROP TABLE CUPTI_ACTIVITY_KIND_KERNEL;
      CREATE TABLE CUPTI_ACTIVITY_KIND_KERNEL (s0 INTEGER, e0 INTEGER, correlationId INTEGER, globalPid INTEGER, demangledName INTEGER, shortName INTEGER,
        start AS (s0), end AS (e0 + 0));
      INSERT INTO CUPTI_ACTIVITY_KIND_KERNEL (s0, e0, correlationId, globalPid, demangledName, shortName) SELECT start, end, correlationId, globalPid, demangledName, shortName FROM K2; DROP TABLE K2;
      PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = replace(sql, 'e0 + 0', 'e0 + length(printf(''%.*c'', 900000000, ''x''))') WHERE name = 'CUPTI_ACTIVITY_KIND_KERNEL'; PRAGMA writable_schema = OFF;`],
    ['gencolblob', `CREATE TABLE K2 AS SELECT * FROM CUPTI_ACTIVITY_KIND_KERNEL; DROP TABLE CUPTI_ACTIVITY_KIND_KERNEL;
      CREATE TABLE CUPTI_ACTIVITY_KIND_KERNEL (s0 INTEGER, e0 INTEGER, correlationId INTEGER, globalPid INTEGER, demangledName INTEGER, shortName INTEGER,
        start AS (s0), end AS (e0 + 1));
      INSERT INTO CUPTI_ACTIVITY_KIND_KERNEL (s0, e0, correlationId, globalPid, demangledName, shortName) SELECT start, end, correlationId, globalPid, demangledName, shortName FROM K2; DROP TABLE K2;
      PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = replace(sql, 'e0 + 1', 'e0 + (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c)') WHERE name = 'CUPTI_ACTIVITY_KIND_KERNEL'; PRAGMA writable_schema = OFF;`],
    ['slowcol', `CREATE TABLE K2 AS SELECT * FROM CUPTI_ACTIVITY_KIND_KERNEL; DROP TABLE CUPTI_ACTIVITY_KIND_KERNEL;
      CREATE TABLE CUPTI_ACTIVITY_KIND_KERNEL (s0 INTEGER, e0 INTEGER, correlationId INTEGER, globalPid INTEGER, demangledName INTEGER, shortName INTEGER,
        start AS (s0), end AS (e0 + 2));
      INSERT INTO CUPTI_ACTIVITY_KIND_KERNEL (s0, e0, correlationId, globalPid, demangledName, shortName) SELECT start, end, correlationId, globalPid, demangledName, shortName FROM K2; DROP TABLE K2;
      PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = replace(sql, 'e0 + 2', 'e0 + length(replace(hex(zeroblob(100000000)), ''00'', ''ab''))') WHERE name = 'CUPTI_ACTIVITY_KIND_KERNEL'; PRAGMA writable_schema = OFF;`],
    ['emptyStrings', `UPDATE NVTX_EVENTS SET text = '' WHERE text IS NOT NULL;`],
    ['dropRuntimeCols', `ALTER TABLE CUPTI_ACTIVITY_KIND_RUNTIME RENAME TO X; CREATE VIEW CUPTI_ACTIVITY_KIND_RUNTIME AS SELECT * FROM X;`],
    ['triggerView', `DROP TABLE StringIds; CREATE VIEW StringIds AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT x AS id, 'v' AS value FROM c;`],
  ];
  for (const [label, sql, patch] of cases) {
    if (which && !which.split(',').includes(label)) continue;
    await tryit(label, await edited(label + '.sqlite', sql, patch));
  }
});
