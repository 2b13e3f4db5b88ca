// The CLI command line of each transform the editor runs (issue 8, point 10): built from the
// settings (onnxStudio.quantize.*, onnxStudio.fp16.*) and the quick-pick answers. Pure, so
// the unit tests check it without VS Code; the extension passes it to the CLI as argv.

import { defaultOutput, reportPath } from '../optimize/flow/output-names';
import type { CalibrationMethod } from '../optimize/static/ranges';
import type { StaticPreset as QuantizePreset } from '../optimize/static/presets';

export type { CalibrationMethod, QuantizePreset };

export type TransformKind = 'dynamic' | 'static' | 'fp16';

/** Image preprocessing for a calibration folder of images (the CLI's image flags). */
export interface ImagePreprocessing {
  /** "H,W"; empty: the model input's fixed size. */
  size: string;
  layout: 'nchw' | 'nhwc';
  mean: string;
  std: string;
  bgr: boolean;
  scale: number;
}

/** What the settings say (see package.json contributes.configuration). */
export interface TransformSettings {
  /** null: the mode's or preset's own default. */
  perChannel: boolean | null;
  excludeOps: string[];
  targetCosine: number | null;
  keepIoTypes: boolean;
  blockOps: string[];
}

/** What the static quick picks chose. */
export interface StaticChoices {
  /** Calibration folder; none: synthesized inputs (the CLI warns that ranges will be poor). */
  calib?: string;
  /** Absent: the preset's default method. */
  method?: CalibrationMethod;
  preset: QuantizePreset;
  images?: ImagePreprocessing;
}

/**
 * Choices passed to the command by code (other commands, tests). The explorer's context menu
 * passes the selected files there instead, which must not skip the picks.
 */
export const isStaticChoices = (v: unknown): v is StaticChoices =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as StaticChoices).preset === 'string';

/** argv after `dist/cli.js`: always --json, so stdout is the one report document. */
export function transformArgv(kind: TransformKind, model: string, settings: TransformSettings, choices?: StaticChoices): string[] {
  if (kind === 'fp16') {
    const argv = ['fp16', model, settings.keepIoTypes ? '--keep-io-types' : '--no-keep-io-types'];
    if (settings.blockOps.length) argv.push('--block-ops', settings.blockOps.join(','));
    return [...argv, '--json'];
  }
  const argv = ['quantize', model, '--mode', kind];
  if (kind === 'static') {
    if (!choices) throw new Error('static quantization needs its choices (data folder, method, preset)');
    argv.push('--preset', choices.preset);
    if (choices.method) argv.push('--method', choices.method);
    if (choices.calib) argv.push('--calib', choices.calib);
    if (choices.calib && choices.images) argv.push(...imageArgv(choices.images));
  }
  if (settings.perChannel !== null) argv.push(settings.perChannel ? '--per-channel' : '--per-tensor');
  if (settings.excludeOps.length) argv.push('--exclude-ops', settings.excludeOps.join(','));
  // Accuracy-aware fallback is a static-mode feature.
  if (kind === 'static' && settings.targetCosine !== null) argv.push('--target-cosine', String(settings.targetCosine));
  return [...argv, '--json'];
}

function imageArgv(p: ImagePreprocessing): string[] {
  const argv = ['--layout', p.layout, '--scale', String(p.scale)];
  if (p.size) argv.push('--image-size', p.size);
  if (p.mean) argv.push('--mean', p.mean);
  if (p.std) argv.push('--std', p.std);
  if (p.bgr) argv.push('--bgr');
  return argv;
}

/** Image preprocessing presets the static quick pick offers beside the settings' own. */
export const IMAGE_PRESETS: { label: string; detail: string; values: Omit<ImagePreprocessing, 'size'> }[] = [
  { label: 'ImageNet', detail: 'RGB, ×1/255, mean 0.485,0.456,0.406, std 0.229,0.224,0.225, NCHW (torchvision)', values: { layout: 'nchw', mean: '0.485,0.456,0.406', std: '0.229,0.224,0.225', bgr: false, scale: 1 / 255 } },
  { label: '[-1, 1]', detail: 'RGB, ×1/255, mean 0.5, std 0.5, NCHW (PaddleOCR classifier and recognizer)', values: { layout: 'nchw', mean: '0.5,0.5,0.5', std: '0.5,0.5,0.5', bgr: false, scale: 1 / 255 } },
  { label: '[0, 1]', detail: 'RGB, ×1/255, no mean or std, NCHW', values: { layout: 'nchw', mean: '', std: '', bgr: false, scale: 1 / 255 } },
];

/** What the CLI writes for a run: MODEL.int8.onnx / MODEL.fp16.onnx beside the input, and its report MODEL.int8.report.json. */
export function transformProducts(model: string, kind: TransformKind): string[] {
  const output = defaultOutput(model, FLOW_KIND[kind]);
  return [output, reportPath(output)];
}

const FLOW_KIND = { dynamic: 'quantize-dynamic', static: 'quantize-static', fp16: 'fp16' } as const;
