import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeModelBytes, openModelBytes } from '../src/onnx/open';
import { quantizeStatic, valuesToCalibrate } from '../src/optimize/static/static-qdq';
import { selectRanges } from '../src/optimize/static/ranges';
import { resolveSettings, type StaticPreset } from '../src/optimize/static/presets';
import { collectStats, cosine, npySamples, runModel } from './helpers/static-calibration';

const RESNET = '.cache/models/resnet18.onnx';
const CALIB = '.cache/data/imagenet224/calib';
const EVAL = '.cache/data/imagenet224/eval';

function pythonCheck(bytes: Uint8Array): void {
  const dir = mkdtempSync(join(tmpdir(), 'static-qdq-'));
  const path = join(dir, 'model.onnx');
  writeFileSync(path, bytes);
  execFileSync('/usr/bin/python3', ['-c', 'import onnx,sys; onnx.checker.check_model(sys.argv[1])', path], { stdio: 'pipe' });
}

async function quantizeResnet(preset: StaticPreset) {
  const bytes = new Uint8Array(readFileSync(RESNET));
  const model = openModelBytes(bytes);
  const options = { preset, method: (process.env.METHOD as 'minmax' | undefined) ?? undefined };
  const names = valuesToCalibrate(model, options);
  const settings = resolveSettings(options);
  const stats = await collectStats(bytes, names, 'input', npySamples(CALIB, 16).map((s) => s.tensor));
  const ranges = selectRanges(stats, { method: settings.method, symmetric: settings.symmetricActivations });
  const result = quantizeStatic(model, ranges, options);
  const out = encodeModelBytes(result.model);
  return { bytes, out, result, names };
}

for (const preset of ['cpu', 'tensorrt'] as const) {
  test(`ResNet-18, ${preset} preset: the QDQ model runs in ORT with cosine >= 0.99 against the float model on held-out photos`, async () => {
    const { bytes, out, result } = await quantizeResnet(preset);
    console.log(`# ${preset}: ${JSON.stringify(result.details)} warnings ${result.warnings.length}`);
    const evalSamples = npySamples(EVAL).map((s) => s.tensor);
    const ref = await runModel(bytes, 'input', evalSamples);
    const got = await runModel(out, 'input', evalSamples);
    let worst = 1;
    for (let i = 0; i < ref.length; i++) worst = Math.min(worst, cosine(ref[i]![0]!, got[i]![0]!));
    console.log(`# ${preset}: worst cosine ${worst.toFixed(5)} over ${ref.length} held-out samples; size ${bytes.length} -> ${out.length}`);
    assert.ok(worst >= 0.99, `worst cosine ${worst}`);
    pythonCheck(out);
  });
}
