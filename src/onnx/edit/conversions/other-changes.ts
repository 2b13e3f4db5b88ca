import type { Conversion, ConversionScope } from './scope';
import { intAttr, stringAttr } from '../proto-factory';
import { intOf, stringOf } from './attributes';

/** Changes other than attributes moving to inputs. */

/** Drops trailing outputs nothing reads; refuses when one is read. */
function dropUnreadOutputs(s: ConversionScope, keep: number, why: string): boolean {
  const extra = s.node.output.slice(keep).filter((o) => o !== '');
  const read = extra.find((o) => s.isRead(o));
  if (read !== undefined) s.refuse(`its output '${read}' is read, and ${why}`);
  for (const o of extra) s.dropOutput(o);
  if (s.node.output.length > keep) s.node.output = s.node.output.slice(0, keep);
  return extra.length > 0;
}

/** BatchNormalization-9 removed `spatial` (1, the default, is what remains). */
export const batchNormSpatial: Conversion = (s) => {
  const spatial = s.takeAttribute('spatial');
  if (spatial && intOf(spatial, 1) === 0 && s.rank(0) !== 2) s.refuse('it normalizes per element (spatial=0), which BatchNormalization-9 no longer does');
  if (spatial) s.note('spatial attribute removed');
};

/** BatchNormalization-14 has the running mean/var outputs only in training mode; the saved mean/var are gone. */
export const batchNormOutputs: Conversion = (s) => {
  if (dropUnreadOutputs(s, 1, 'BatchNormalization-14 computes its statistics outputs only in training mode')) s.note('unread statistics outputs dropped');
};

/** Dropout-10's mask is bool, not the data type: a mask nothing reads is dropped, a read one refused. */
export const dropoutMask: Conversion = (s) => {
  if (dropUnreadOutputs(s, 1, 'Dropout-10 changed the mask from the data type to bool')) s.note('unread mask output dropped');
};

export const scatterToScatterElements: Conversion = (s) => {
  s.node.op_type = 'ScatterElements';
  s.note('Scatter (deprecated) → ScatterElements');
};

/** Split-18 needs `num_outputs` when no `split` input says the sizes. */
export const splitNumOutputs: Conversion = (s) => {
  if (s.node.input[1]) return;
  s.setAttribute(intAttr('num_outputs', s.node.output.length));
  s.note(`num_outputs ${s.node.output.length}`);
};

/** RoiAlign-16 added coordinate_transformation_mode with default half_pixel; RoiAlign-10 computed output_half_pixel. */
export const roiAlignMode: Conversion = (s) => {
  if (s.node.attribute.some((a) => a.name === 'coordinate_transformation_mode')) return;
  s.setAttribute(stringAttr('coordinate_transformation_mode', 'output_half_pixel'));
  s.note('coordinate_transformation_mode output_half_pixel (the RoiAlign-10 behaviour)');
};

/** GridSample-20 renamed the modes bilinear → linear and bicubic → cubic. */
export const gridSampleModes: Conversion = (s) => {
  const mode = s.takeAttribute('mode');
  if (!mode) return;
  const old = stringOf(mode, 'bilinear');
  const renamed = old === 'bilinear' ? 'linear' : old === 'bicubic' ? 'cubic' : old;
  s.setAttribute(stringAttr('mode', renamed));
  if (renamed !== old) s.note(`mode ${old} → ${renamed}`);
};
