import * as vscode from 'vscode';
import type { PruneSettings } from './prune-args';
import type { CalibrationMethod, ImagePreprocessing, QuantizePreset, TransformSettings } from './transform-args';

/** The onnxStudio.quantize.* / onnxStudio.fp16.* settings for a model (resource scope: per folder). */
export function transformSettings(model: vscode.Uri): TransformSettings {
  const c = vscode.workspace.getConfiguration('onnxStudio', model);
  return {
    perChannel: c.get<boolean | null>('quantize.perChannel', null),
    excludeOps: c.get<string[]>('quantize.excludeOps', []),
    targetCosine: c.get<number | null>('quantize.targetCosine', null),
    keepIoTypes: c.get<boolean>('fp16.keepIoTypes', true),
    blockOps: c.get<string[]>('fp16.blockOps', []),
  };
}

/** The static quick picks' first proposals. */
export function staticDefaults(model: vscode.Uri): { preset: QuantizePreset; method: CalibrationMethod | 'preset'; images: ImagePreprocessing } {
  const c = vscode.workspace.getConfiguration('onnxStudio.quantize', model);
  return {
    preset: c.get<QuantizePreset>('preset', 'tensorrt'),
    method: c.get<CalibrationMethod | 'preset'>('method', 'preset'),
    images: {
      size: c.get<string>('image.size', ''),
      layout: c.get<'nchw' | 'nhwc'>('image.layout', 'nchw'),
      mean: c.get<string>('image.mean', '0.485,0.456,0.406'),
      std: c.get<string>('image.std', '0.229,0.224,0.225'),
      bgr: c.get<boolean>('image.bgr', false),
      scale: c.get<number>('image.scale', 1 / 255),
    },
  };
}

/** The onnxStudio.prune.* settings for a model. */
export function pruneSettings(model: vscode.Uri): PruneSettings {
  const c = vscode.workspace.getConfiguration('onnxStudio.prune', model);
  return {
    scope: c.get<'layer' | 'global'>('scope', 'layer'),
    excludeOps: c.get<string[]>('excludeOps', []),
    excludeNodes: c.get<string[]>('excludeNodes', []),
    ratio: c.get<number | null>('ratio', null),
  };
}
