import type { Conversion } from './scope';
import { stringAttribute, stringOf } from './attributes';

/**
 * Upsample → Resize. Upsample-9 took its scales as an input; Upsample was deprecated at 10,
 * where Resize-10 has exactly its meaning (X, scales; nearest or linear, asymmetric
 * coordinates). Resize-11 added roi and the coordinate transformation modes: a Resize-10
 * keeps its meaning with coordinate_transformation_mode=asymmetric and, for nearest,
 * nearest_mode=floor (x_original = floor(x_resized / scale)).
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

export const resize10To11: Conversion = (s) => {
  const mode = stringOf(s.takeAttribute('mode'), 'nearest');
  if (mode !== 'nearest' && mode !== 'linear') s.refuse(`its mode '${mode}' is neither nearest nor linear`);
  const [x = '', scales = ''] = s.node.input;
  s.node.input = [x, s.floatConstant('roi', [], 1, [0]), scales];
  s.setAttribute(stringAttribute('mode', mode));
  s.setAttribute(stringAttribute('coordinate_transformation_mode', 'asymmetric'));
  if (mode === 'nearest') s.setAttribute(stringAttribute('nearest_mode', 'floor'));
  s.note('Resize-10 → Resize-11: empty roi, asymmetric coordinates' + (mode === 'nearest' ? ', nearest_mode floor' : ''));
};

export const resize13: Conversion = (s) => {
  const a = s.node.attribute.find((x) => x.name === 'coordinate_transformation_mode');
  if (stringOf(a, '') === 'tf_half_pixel_for_nn') s.refuse("its coordinate_transformation_mode 'tf_half_pixel_for_nn' was removed in Resize-13 and no remaining mode computes the same");
};
