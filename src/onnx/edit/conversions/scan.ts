import { intsAttr, newNode } from '../proto-factory';
import type { Conversion } from './scope';

/**
 * Scan-8 scans every input along axis 1 for each item of a batch axis 0 (with optional
 * per-item sequence_lens); Scan-9 has no batch axis. A batch of one converts: inputs lose
 * axis 0 (Squeeze), outputs regain it (Unsqueeze), the body stays as it is (it never saw
 * the batch axis). Squeeze and Unsqueeze are made in their opset-9 form; the upgrade carries
 * them to the target like any other node.
 */
export const scanWithoutBatch: Conversion = (s) => {
  const [lengths = '', ...inputs] = s.node.input;
  if (lengths) return s.refuse('it has sequence_lens, which Scan-9 removed');
  inputs.forEach((name, k) => {
    const batch = s.dim(k + 1, 0);
    if (batch !== 1) s.refuse(`its input '${name}' has a batch axis of ${batch ?? 'unknown'} size; only a batch of one converts to Scan-9`);
  });
  const make = (op: string, input: string, output: string) =>
    newNode({ op, name: s.uniqueName(`${s.label}_${op.toLowerCase()}`), inputs: [input], outputs: [output], attributes: [intsAttr('axes', [0])], domain: s.node.domain });
  s.node.input = inputs.map((name) => {
    const item = s.uniqueName(`${s.label}_${name}_item`);
    s.insertBefore(make('Squeeze', name, item));
    return item;
  });
  s.node.output = s.node.output.map((name) => {
    if (!name) return name;
    const item = s.uniqueName(`${s.label}_${name}_item`);
    s.insertAfter(make('Unsqueeze', item, name));
    return item;
  });
  const directions = s.takeAttribute('directions');
  if (directions) s.setAttribute(intsAttr('scan_input_directions', directions.ints.map(Number)));
  s.note('batch of one: Squeeze inputs → Scan-9 → Unsqueeze outputs');
};
