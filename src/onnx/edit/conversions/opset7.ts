import type { Conversion } from './scope';
import { intOf } from './attributes';

/**
 * Opset 7 replaced the `broadcast`/`axis` attributes of the elementwise binary operators with
 * numpy broadcasting and removed `is_test`. Legacy broadcasting right-aligns B (suffix
 * matching) unless `axis` says where B starts: the same as numpy when B ends at A's last axis.
 */
export const numpyBroadcast: Conversion = (s) => {
  const broadcast = intOf(s.takeAttribute('broadcast'), 0);
  const axisAttribute = s.takeAttribute('axis');
  if (broadcast && axisAttribute) {
    const axis = intOf(axisAttribute, 0);
    const [a, b] = [s.rank(0), s.rank(1)];
    if (a === undefined || b === undefined) return s.refuse(`it broadcasts its second input from axis ${axis}, and the input ranks are unknown`);
    if ((axis < 0 ? axis + a : axis) !== a - b) s.refuse(`it broadcasts its second input from axis ${axis}, which numpy broadcasting cannot express without a reshape`);
  }
  if (broadcast) s.note('legacy broadcast → numpy broadcasting');
};

export const dropIsTest: Conversion = (s) => {
  if (s.takeAttribute('is_test')) s.note('is_test attribute removed (inference behaviour)');
};

/** Gemm-7 always broadcasts C unidirectionally; Gemm-6's `broadcast` only said whether it may. */
export const gemmBroadcast: Conversion = (s) => {
  if (s.takeAttribute('broadcast')) s.note('broadcast attribute removed');
};
