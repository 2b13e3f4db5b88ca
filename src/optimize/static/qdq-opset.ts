/**
 * The opset static QDQ quantization needs, and raising a model to it before calibration:
 * QuantizeLinear/DequantizeLinear exist from opset 10, their `axis` (per-channel weights) from
 * 13. The flow calls `upgradeForStatic` first and calibrates and quantizes the model it
 * returns, so the calibrated value names are those of the model that is quantized.
 */
import { upgradeOpset, type UpgradeResult } from '../../onnx/edit/opset-upgrade';
import { toNumber } from '../../onnx/proto/byte-range';
import type { ModelProto } from '../../onnx/proto/types';
import { resolveSettings, type StaticOptions } from './presets';

/** Lowest opset with QuantizeLinear/DequantizeLinear, and with their `axis` (per channel). */
export const QDQ_MIN_OPSET = 10;
export const PER_CHANNEL_MIN_OPSET = 13;

export function opsetNeeded(options: StaticOptions): number {
  return resolveSettings(options).perChannel ? PER_CHANNEL_MIN_OPSET : QDQ_MIN_OPSET;
}

export function defaultOpset(model: ModelProto): number {
  const entry = model.opset_import.find((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx');
  return entry ? toNumber(entry.version ?? 0) : 0;
}

/**
 * The model to calibrate and quantize: `model` itself when its opset suffices, else a copy
 * raised to the opset the options need (every node whose operator changed converted, or
 * OpsetUpgradeError naming the one that cannot be). The input is not changed.
 */
export function upgradeForStatic(model: ModelProto, options: StaticOptions): { model: ModelProto; upgrade?: UpgradeResult } {
  const need = opsetNeeded(options);
  if (defaultOpset(model) >= need) return { model };
  const upgrade = upgradeOpset(model, need);
  return { model: upgrade.model, upgrade };
}
