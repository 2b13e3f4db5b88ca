import type { Conversion } from './scope';
import type { AttributeProto, NodeProto } from '../../proto/types';
import { intAttr, newNode } from '../proto-factory';
import { intOf } from './attributes';

/**
 * Softmax, LogSoftmax and Hardmax before 13 flatten the input to 2-D at `axis` (default 1)
 * and normalize each row; from 13 they normalize along the one axis `axis` (default -1).
 * The same when `axis` is the last axis: then only the axis is said explicitly. Otherwise
 * (or when the rank is unknown) the old meaning is spelled out: Flatten(axis) → op(axis=-1)
 * → Reshape to the input's shape. The node keeps its name; the new ones are named after it.
 */
export const singleAxis: Conversion = (s) => {
  const node = s.node;
  const axis = intOf(s.takeAttribute('axis'), 1);
  const rank = s.rank(0);
  const normalized = rank !== undefined && axis < 0 ? axis + rank : axis;
  if (rank !== undefined && normalized === rank - 1) {
    s.setAttribute(intAttr('axis', normalized));
    s.note(`axis ${axis} is the last axis: kept`);
    return;
  }
  const [x = ''] = node.input;
  const [y = ''] = node.output;
  const flat = s.uniqueName(`${s.label}_2d_input`);
  const rows = s.uniqueName(`${s.label}_2d_output`);
  const shape = s.uniqueName(`${s.label}_input_shape`);
  const make = (op: string, suffix: string, inputs: string[], outputs: string[], attributes: AttributeProto[] = []): NodeProto =>
    newNode({ op, name: s.uniqueName(`${s.label}_${suffix}`), inputs, outputs, attributes, domain: node.domain });
  s.insertBefore(make('Flatten', 'flatten', [x], [flat], [intAttr('axis', axis)]));
  s.insertBefore(make('Shape', 'shape', [x], [shape]));
  node.input = [flat];
  node.output = [rows];
  s.setAttribute(intAttr('axis', -1));
  s.insertAfter(make('Reshape', 'reshape', [rows, shape], [y]));
  s.note(`axis ${axis} of an input of rank ${rank ?? 'unknown'}: Flatten → ${node.op_type}(axis=-1) → Reshape`);
};
