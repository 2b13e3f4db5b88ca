import type { NodeFacts } from './node-facts';
import { unknown, violated, type Verdict } from './verdict';

/** An int attribute must equal `expected` (its ONNX default when absent is `fallback`). */
export const intAttrIs = (name: string, expected: number, fallback: number) => (f: NodeFacts): Verdict => {
  const v = f.attrInt(name, fallback);
  return v === expected ? undefined : violated(`\`${name}\` is ${v}, must be ${expected}`);
};

/** A string attribute must be one of `allowed` (`fallback` when absent); `when` limits the check. */
export const stringAttrIn = (name: string, allowed: string[], fallback: string, when?: (f: NodeFacts) => boolean) => (f: NodeFacts): Verdict => {
  if (when && !when(f)) return undefined;
  const v = f.attrString(name, fallback);
  return allowed.includes(v) ? undefined : violated(`\`${name}\` is '${v}' (supported: ${allowed.join(', ')})`);
};

/** Attributes that must not be set (or be left at zero). */
export const attrsUnset = (names: string[]) => (f: NodeFacts): Verdict => {
  const set = names.filter((n) => {
    const a = f.node.attribute(n);
    return a && (a.proto.i !== undefined || a.proto.f !== undefined ? a.int() !== 0 || a.float() !== 0 : true);
  });
  return set.length ? violated(`attribute(s) ${set.map((n) => `\`${n}\``).join(', ')} set`) : undefined;
};

export function dilationsOnes(f: NodeFacts): Verdict {
  const d = f.attrInts('dilations');
  return !d || d.every((x) => x === 1) ? undefined : violated(`\`dilations\` is [${d.join(', ')}]`);
}

/** Pooling over 2 or 3 spatial dims: kernel_shape's length, else the input's rank less 2. */
export function pooling2dOr3d(f: NodeFacts): Verdict {
  const kernel = f.attrInts('kernel_shape');
  const rank = f.rank(0);
  const spatial = kernel?.length ?? (rank === undefined ? undefined : rank - 2);
  if (spatial === undefined) return unknown('the pooling rank is unknown (no kernel_shape, input rank unknown)');
  return spatial === 2 || spatial === 3 ? undefined : violated(`${spatial}D pooling`);
}

/** Recurrent ops: a bidirectional node must use the same activations in both directions. */
export function sameActivationsBothWays(f: NodeFacts): Verdict {
  if (f.attrString('direction', 'forward') !== 'bidirectional') return undefined;
  const acts = f.attrStrings('activations');
  if (!acts || acts.length === 0) return undefined;
  const half = acts.length / 2;
  const forward = acts.slice(0, half).map((s) => s.toLowerCase());
  const reverse = acts.slice(half).map((s) => s.toLowerCase());
  return forward.join() === reverse.join() ? undefined : violated(`activations differ: forward ${forward.join('/')} vs reverse ${reverse.join('/')}`);
}

/** DeformConv: each spatial axis pads the same at its beginning and end. */
export function symmetricPads(f: NodeFacts): Verdict {
  const pads = f.attrInts('pads');
  if (!pads) return undefined;
  const half = pads.length / 2;
  for (let i = 0; i < half; i++) if (pads[i] !== pads[i + half]) return violated(`\`pads\` [${pads.join(', ')}] differ at the beginning and end of axis ${i}`);
  return undefined;
}

export function seedIgnored(f: NodeFacts): Verdict {
  return f.hasAttr('seed') ? unknown('`seed` is set and TensorRT ignores it: random values will differ from other runtimes') : undefined;
}
