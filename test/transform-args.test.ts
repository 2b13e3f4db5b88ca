// The command lines the editor's transform commands hand to the CLI (issue 8, point 10's flags),
// from settings and quick-pick answers; and the child-process runner they use.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commandLine } from '../src/extension/cli-process';
import { IMAGE_PRESETS, transformArgv, transformProducts, type TransformSettings } from '../src/extension/transform-args';

const DEFAULTS: TransformSettings = { perChannel: null, excludeOps: [], targetCosine: null, keepIoTypes: true, blockOps: [] };

test('dynamic with default settings: the plain command plus --json', () => {
  assert.deepEqual(transformArgv('dynamic', '/m/a b.onnx', DEFAULTS), ['quantize', '/m/a b.onnx', '--mode', 'dynamic', '--json']);
});

test('settings become flags: per-channel or per-tensor, excluded ops; the target cosine in static mode only', () => {
  const settings = { ...DEFAULTS, perChannel: true, excludeOps: ['Gemm', 'Conv'], targetCosine: 0.99 };
  assert.deepEqual(transformArgv('dynamic', 'm.onnx', settings), ['quantize', 'm.onnx', '--mode', 'dynamic', '--per-channel', '--exclude-ops', 'Gemm,Conv', '--json']);
  assert.deepEqual(transformArgv('static', 'm.onnx', { ...settings, perChannel: false }, { preset: 'cpu' }), [
    'quantize', 'm.onnx', '--mode', 'static', '--preset', 'cpu', '--per-tensor', '--exclude-ops', 'Gemm,Conv', '--target-cosine', '0.99', '--json',
  ]);
});

test('static: preset, method, calibration folder and image preprocessing (only with a folder)', () => {
  const images = { size: '48,192', ...IMAGE_PRESETS[1]!.values, bgr: true };
  assert.deepEqual(transformArgv('static', 'm.onnx', DEFAULTS, { preset: 'tensorrt', method: 'entropy', calib: '/data/calib', images }), [
    'quantize', 'm.onnx', '--mode', 'static', '--preset', 'tensorrt', '--method', 'entropy', '--calib', '/data/calib',
    '--layout', 'nchw', '--scale', String(1 / 255), '--image-size', '48,192', '--mean', '0.5,0.5,0.5', '--std', '0.5,0.5,0.5', '--bgr', '--json',
  ]);
  // No folder: synthesized inputs; no method: the preset's own.
  assert.deepEqual(transformArgv('static', 'm.onnx', DEFAULTS, { preset: 'cpu', images }), ['quantize', 'm.onnx', '--mode', 'static', '--preset', 'cpu', '--json']);
  assert.throws(() => transformArgv('static', 'm.onnx', DEFAULTS), /needs its choices/);
});

test('fp16: IO types kept or not, block list only when set', () => {
  assert.deepEqual(transformArgv('fp16', 'm.onnx', DEFAULTS), ['fp16', 'm.onnx', '--keep-io-types', '--json']);
  assert.deepEqual(transformArgv('fp16', 'm.onnx', { ...DEFAULTS, keepIoTypes: false, blockOps: ['Resize', 'TopK'] }), ['fp16', 'm.onnx', '--no-keep-io-types', '--block-ops', 'Resize,TopK', '--json']);
});

test('what a run writes, as the CLI names it: the model and its report beside the input', () => {
  assert.deepEqual(transformProducts('/m/x.onnx', 'dynamic'), ['/m/x.int8.onnx', '/m/x.int8.report.json']);
  assert.deepEqual(transformProducts('/m/x.ONNX', 'static'), ['/m/x.int8.onnx', '/m/x.int8.report.json']);
  assert.deepEqual(transformProducts('/m/x.onnx', 'fp16'), ['/m/x.fp16.onnx', '/m/x.fp16.report.json']);
});

test('the command line the output channel shows quotes what a shell would split or expand', () => {
  assert.equal(commandLine(['onnx-studio', 'quantize', '/m/a b.onnx', "it's", '$HOME', '--json']), `onnx-studio quantize '/m/a b.onnx' 'it'\\''s' '$HOME' --json`);
});
