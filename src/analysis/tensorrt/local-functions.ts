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

/**
 * A function reachable from `start` (itself included) that calls itself directly or through
 * others, by name; undefined when there is none. onnx.proto forbids recursive references, and
 * TensorRT, which inlines functions, cannot expand one. Kahn's algorithm over the call graph.
 */
export function recursiveFunction(start: FunctionProto, functions: Map<string, FunctionProto>): string | undefined {
  const reachable = [start];
  const seen = new Set(reachable);
  const callees = new Map<FunctionProto, FunctionProto[]>();
  for (let i = 0; i < reachable.length; i++) {
    const f = reachable[i]!;
    const calls = [...new Set(f.node.map((n) => functions.get(key(n.domain === 'ai.onnx' ? '' : (n.domain ?? ''), n.op_type ?? ''))).filter((x) => x !== undefined))];
    callees.set(f, calls);
    for (const c of calls.filter((x) => !seen.has(x))) {
      seen.add(c);
      reachable.push(c);
    }
  }
  const callers = new Map(reachable.map((f) => [f, 0]));
  for (const calls of callees.values()) for (const c of calls) callers.set(c, callers.get(c)! + 1);
  const done = reachable.filter((f) => callers.get(f) === 0);
  for (let i = 0; i < done.length; i++) {
    for (const c of callees.get(done[i]!)!) if (callers.set(c, callers.get(c)! - 1).get(c) === 0) done.push(c);
  }
  const inCycle = reachable.find((f) => callers.get(f)! > 0);
  return inCycle ? `${inCycle.domain ? `${inCycle.domain}::` : ''}${inCycle.name ?? ''}` : undefined;
}
