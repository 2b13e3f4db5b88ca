import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './corpus';

/** The shared fixtures (../shared beside the clone, as .ci/run lays them out). */
export const TRTEXEC_FIXTURES = join(process.env.ONNX_STUDIO_SHARED ?? join(ROOT, '..', 'shared'), 'fixtures', 'trtexec');
export const RTX3060 = join(TRTEXEC_FIXTURES, 'fuzzylabs-resnet18-rtx3060-fp16', 'resnet18_fp16.');
export const A100 = join(TRTEXEC_FIXTURES, 'trex-resnet18-a100-fp16', 'resnet.onnx.engine.');
export const QAT = join(TRTEXEC_FIXTURES, 'trex-mobilenet-qat', 'mobilenet.qat.onnx.engine.');
export const COOKBOOK = join(TRTEXEC_FIXTURES, 'cookbook-trt10.16');

const MODELS = join(ROOT, '.cache', 'models');

/** torchvision ResNet-18 exported by Debian's python3-torch 1.13 (`/layer1/layer1.0/conv1/Conv` names), made when missing. */
export function resnet18(): string {
  const path = join(MODELS, 'resnet18.onnx');
  if (!existsSync(path)) python([join(ROOT, 'scripts', 'export-torchvision.py'), 'resnet18', path, '14']);
  return path;
}

/** The same model with the `Conv_0 … Gemm_48` node names of torch ≤ 1.12's exporter, as the TREx A100 engine was built from. */
export function resnet18LegacyNames(): string {
  const path = join(MODELS, 'resnet18-legacy-names.onnx');
  if (!existsSync(path)) python([join(ROOT, 'scripts', 'export-torchvision.py'), 'resnet18', path, '14', '--legacy-names']);
  return path;
}

/** Runs Debian's python3 (the reference) and returns what it printed as JSON. */
export function pythonJson<T>(script: string, ...args: string[]): T {
  return JSON.parse(python(['-c', script, ...args])) as T;
}

function python(args: string[]): string {
  const r = spawnSync('/usr/bin/python3', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`/usr/bin/python3 ${args[0]} failed: ${r.stderr}`);
  return r.stdout;
}
