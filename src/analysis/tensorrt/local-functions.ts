import type { Model } from '../../onnx/model/graph';
import type { FunctionProto } from '../../onnx/proto/types';
import type { VersionMatrix } from './versions';

const key = (domain: string, name: string): string => `${domain === 'ai.onnx' ? '' : domain}::${name}`;

/** The model-local functions by `domain::name`. */
export function localFunctions(model: Model): Map<string, FunctionProto> {
  return new Map(model.functions.map((f) => [key(f.domain ?? '', f.name ?? ''), f]));
}

export function localFunctionKey(domain: string, op: string): string {
  return key(domain, op);
}

/**
 * The ops a local function's body uses that the matrix does not support, following nested
 * local functions with a work list (no recursion; each function once).
 */
export function unsupportedBodyOps(start: FunctionProto, functions: Map<string, FunctionProto>, matrix: VersionMatrix): string[] {
  const bad = new Set<string>();
  const queue = [start];
  const seen = new Set([start]);
  for (let i = 0; i < queue.length; i++) {
    for (const n of queue[i]!.node) {
      const domain = n.domain === 'ai.onnx' ? '' : (n.domain ?? '');
      const op = n.op_type ?? '';
      const nested = functions.get(key(domain, op));
      if (nested) {
        if (!seen.has(nested)) {
          seen.add(nested);
          queue.push(nested);
        }
      } else if (domain !== '' || !matrix.ops[op]?.supported) bad.add(domain ? `${domain}::${op}` : op || '(empty op_type)');
    }
  }
  return [...bad];
}
