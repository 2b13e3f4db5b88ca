// Integer and bool outputs (class ids, masks) are compared element by element: cosine of an
// ArgMax index says little, and a cosine target judged on it would push every node to float.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import type { TransformReport } from '../src/optimize/report';
import { CLI, ROOT } from './helpers/corpus';
import { cosine, npyFiles, readNpy } from './helpers/quantize-run';

const dir = mkdtempSync(join(tmpdir(), 'discrete-outputs-'));
execFileSync('/usr/bin/python3', [join(ROOT, 'test', 'helpers', 'attack9_models.py'), dir]);

test('ArgMax and Greater outputs: the report gives the share of equal elements (as onnxruntime computes it), and the cosine target is judged on the float output only', async () => {
  const model = join(dir, 'argmax_outputs.onnx');
  const out = join(dir, 'argmax.int8.onnx');
  const calib = join(dir, 'calib');
  const r = spawnSync(process.execPath, [CLI, 'quantize', model, '--mode', 'static', '--preset', 'cpu', '--calib', calib, '--eval', calib, '--target-cosine', '0.9', '-o', out, '--json'], { encoding: 'utf8' });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  const report = JSON.parse(r.stdout) as TransformReport;
  const float = await ort.InferenceSession.create(model);
  const int8 = await ort.InferenceSession.create(out);
  let equalIdx = 0, equalFlag = 0, nIdx = 0, nFlag = 0;
  let worstY = 1;
  for (const file of npyFiles(calib)) {
    const feeds = { x: readNpy(file) };
    const [a, b] = [await float.run(feeds), await int8.run(feeds)];
    const [ia, ib] = [a.idx!.data as BigInt64Array, b.idx!.data as BigInt64Array];
    for (let i = 0; i < ia.length; i++) equalIdx += Number(ia[i] === ib[i]);
    nIdx += ia.length;
    const [fa, fb] = [a.flag!.data as Uint8Array, b.flag!.data as Uint8Array];
    for (let i = 0; i < fa.length; i++) equalFlag += Number(fa[i] === fb[i]);
    nFlag += fa.length;
    worstY = Math.min(worstY, cosine(a.y!.data as Float32Array, b.y!.data as Float32Array));
  }
  await float.release();
  await int8.release();
  const byName = Object.fromEntries(report.outputs.map((o) => [o.name, o]));
  assert.equal(byName.idx!.exactMatch, equalIdx / nIdx);
  assert.equal(byName.flag!.exactMatch, equalFlag / nFlag);
  assert.equal(byName.y!.exactMatch, undefined, 'the float output is judged by cosine');
  assert.ok(Math.abs(byName.y!.cosine - worstY) < 1e-6, `${byName.y!.cosine} vs ${worstY}`);
  const target = report.targets?.find((t) => t.name === 'cosine');
  assert.ok(target && Math.abs(target.got - worstY) < 1e-6, JSON.stringify(report.targets));
});
