import type { Conversion, ConversionScope } from './scope';
import { stringAttr } from '../proto-factory';
import { stringOf } from './attributes';

/**
 * Upsample → Resize. Upsample-9 took its scales as an input; Upsample was deprecated at 10,
 * where Resize-10 has exactly its meaning (X, scales; nearest or linear, asymmetric
 * coordinates). Resize-11 added roi and the coordinate transformation modes: a Resize-10
 * keeps its meaning with coordinate_transformation_mode=asymmetric and, for nearest, the
 * nearest_mode that rounds as Resize-10 did.
 */

export const upsampleScalesInput: Conversion = (s) => {
  const scales = s.takeAttribute('scales');
  if (!scales) return s.refuse("it has no 'scales' attribute, which Upsample-7 requires");
  s.node.input = [s.node.input[0] ?? '', s.floatConstant('scales', scales.floats, 1, [scales.floats.length])];
  s.note('scales attribute → input');
};

export const upsampleToResize: Conversion = (s) => {
  s.node.op_type = 'Resize';
  s.note('Upsample (deprecated) → Resize');
};

/**
 * Resize-10's nearest pixel, as onnxruntime computes it: x_original rounded down when
 * upsampling and up when downsampling (an axis of scale 1 lands on whole pixels either way).
 * Upsample scales are ≥ 1 by definition; Resize-10 scales must be constant and not mixed.
 */
function nearestRounding(s: ConversionScope, fromUpsample: boolean): string {
  if (fromUpsample) return 'floor';
  const scales = s.constantValues(1);
  if (!scales) return s.refuse('its nearest rounding depends on whether its scales shrink or grow, and the scales are not constant');
  const down = scales.some((x) => x < 1);
  if (down && scales.some((x) => x > 1)) s.refuse('it shrinks some axes and grows others, which Resize-11 cannot round the way Resize-10 did');
  return down ? 'ceil' : 'floor';
}

export const resize10To11: Conversion = (s) => {
  const mode = stringOf(s.takeAttribute('mode'), 'nearest');
  if (mode !== 'nearest' && mode !== 'linear') s.refuse(`its mode '${mode}' is neither nearest nor linear`);
  const rounding = mode === 'nearest' ? nearestRounding(s, s.originalOpType === 'Upsample') : '';
  const [x = '', scales = ''] = s.node.input;
  s.node.input = [x, s.floatConstant('roi', [], 1, [0]), scales];
  s.setAttribute(stringAttr('mode', mode));
  s.setAttribute(stringAttr('coordinate_transformation_mode', 'asymmetric'));
  if (rounding) s.setAttribute(stringAttr('nearest_mode', rounding));
  s.note(`Resize-10 → Resize-11: empty roi, asymmetric coordinates${rounding && `, nearest_mode ${rounding}`}`);
};

/**
 * Resize-13 removed coordinate_transformation_mode tf_half_pixel_for_nn (x_original =
 * (x + 0.5) / scale). With half_pixel, x_original is 0.5 less, so for nearest the rounding
 * moves instead: floor(v) = round_prefer_ceil(v - 0.5) and round_prefer_floor(v) = ceil(v - 0.5).
 */
const HALF_PIXEL_ROUNDING: Record<string, string> = { floor: 'round_prefer_ceil', round_prefer_floor: 'ceil' };

export const resize13: Conversion = (s) => {
  const mode = s.node.attribute.find((x) => x.name === 'coordinate_transformation_mode');
  if (stringOf(mode, '') !== 'tf_half_pixel_for_nn') return;
  const interpolation = stringOf(s.node.attribute.find((x) => x.name === 'mode'), 'nearest');
  const rounding = stringOf(s.node.attribute.find((x) => x.name === 'nearest_mode'), 'round_prefer_floor');
  const replacement = interpolation === 'nearest' ? HALF_PIXEL_ROUNDING[rounding] : undefined;
  if (!replacement) return s.refuse(`its coordinate_transformation_mode tf_half_pixel_for_nn with ${interpolation} ${rounding} was removed in Resize-13 and no remaining mode computes the same`);
  s.setAttribute(stringAttr('coordinate_transformation_mode', 'half_pixel'));
  s.setAttribute(stringAttr('nearest_mode', replacement));
  s.note(`tf_half_pixel_for_nn with nearest_mode ${rounding} → half_pixel with nearest_mode ${replacement}`);
};
