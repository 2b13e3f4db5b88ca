// The cpu preset folds a Relu into its producer's Q/DQ range (as ORT's QDQ quantizer does). That
// is only right where every reader of the Relu's output reads it through that pair: a graph
// output, a read inside an If branch and a node kept float read the unclamped value (attack9).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { CLI, ROOT } from './helpers/corpus';
import { cosine, npyFiles, readNpy } from './helpers/quantize-run';
import { assertValidModel } from './helpers/valid-model';

const dir = mkdtempSync(join(tmpdir(), 'attack9-'));
execFileSync('/usr/bin/python3', [join(ROOT, 'test', 'helpers', 'attack9_models.py'), dir]);

/** Quantizes with the cpu preset through the CLI; each output of the int8 model against the float model's (onnxruntime) on every calibration file. */
async function worstCosine(model: string, ...args: string[]): Promise<{ cosines: Record<string, number>; folded: number }> {
  const out = join(dir, `${model}.int8.onnx`);
  const r = spawnSync(process.execPath, [CLI, 'quantize', join(dir, model), '--mode', 'static', '--preset', 'cpu', '--calib', join(dir, 'calib'), '-o', out, '--json', ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const folded = (JSON.parse(r.stdout) as { details: { foldedActivations: number } }).details.foldedActivations;
  assertValidModel(out);
  const float = await ort.InferenceSession.create(join(dir, model));
  const int8 = await ort.InferenceSession.create(out);
  const worst: Record<string, number> = {};
  for (const file of npyFiles(join(dir, 'calib'))) {
    const feeds = { x: readNpy(file) };
    const [a, b] = [await float.run(feeds), await int8.run(feeds)];
    for (const name of float.outputNames) worst[name] = Math.min(worst[name] ?? 1, cosine(a[name]!.data as Float32Array, b[name]!.data as Float32Array));
  }
  await float.release();
  await int8.release();
  return { cosines: worst, folded };
}

test('a Relu whose output is the graph output is not folded away (the output stays clamped)', async () => {
  const { cosines: c, folded } = await worstCosine('relu_output.onnx');
  assert.ok(c.y! > 0.99, JSON.stringify(c));
  assert.equal(folded, 1, 'relu1 (read by a Conv only) still folds');
});

test('a Relu whose output a kept-float node also reads is not folded away', async () => {
  const { cosines: c, folded } = await worstCosine('relu_excluded_reader.onnx', '--exclude-nodes', 'c3');
  assert.ok(c.y1! > 0.99 && c.y2! > 0.99, JSON.stringify(c));
  assert.equal(folded, 0);
});

test('a Relu whose output an If branch reads is not folded away', async () => {
  const { cosines: c } = await worstCosine('relu_in_if.onnx');
  assert.ok(c.y1! > 0.99 && c.y2! > 0.99, JSON.stringify(c));
});
