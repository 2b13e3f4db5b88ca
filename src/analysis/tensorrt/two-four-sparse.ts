/**
 * Which layers hold 2:4-sparse weights (issue 11 point 2): Conv, Gemm and MatMul whose weight
 * has at least 2 zeros in every group of 4 consecutive values along the reduction axis (Conv:
 * input channels per group; Gemm: K as transB places it; MatMul: B's second-to-last axis), the
 * pattern TensorRT's sparse tensor cores use when the engine is built with --sparsity=enable.
 * The weight is an initializer or Constant, through Identity, or the quantized input of a
 * DequantizeLinear (a pruned model quantized next keeps its zeros as int8 zeros).
 */
import type { Model, Node } from '../../onnx/model/graph';
import type { Tensor } from '../../onnx/tensor';

/** The trtexec option that lets TensorRT choose sparse tactics (trtexec --help: `--sparsity=spec`, "disable", "enable", "force"). */
export const SPARSITY_FLAG = '--sparsity';
export const SPARSITY_ENABLE = `${SPARSITY_FLAG}=enable`;

const sparseLayersHold = (layers: number): string => `${layers} layer${layers === 1 ? '' : 's'} hold${layers === 1 ? 's' : ''} 2:4-sparse weights`;

/** The sentence trt-check and build say about such a model. */
export function twoFourMessage(layers: number): string {
  return `${sparseLayersHold(layers)}: build with ${SPARSITY_ENABLE}`;
}

/** Node ids of the layers whose weight holds the 2:4 pattern, over every graph. */
export function twoFourSparseLayers(model: Model): string[] {
  const found: string[] = [];
  for (const g of model.graphs()) {
    for (const node of g.nodes) {
      const axis = node.domain === '' ? reductionAxisOf(node) : undefined;
      if (axis === undefined) continue;
      const w = weightBehind(node);
      const dims = w?.tensor.dims.length ?? 0;
      if (w && dims >= 2 && holdsTwoFour(w, axis < 0 ? dims + axis : axis)) found.push(node.id);
    }
  }
  return found;
}

/** The reduction axis of the layer's weight (input 1); negative counts from the end; undefined for other ops. */
function reductionAxisOf(node: Node): number | undefined {
  if (node.opType === 'Conv') return 1;
  if (node.opType === 'Gemm') return Number(node.attribute('transB')?.proto.i ?? 0) ? 1 : 0;
  if (node.opType === 'MatMul') return -2;
  return undefined;
}

const NUMERIC = new Set([1, 10, 16, 3, 2]); // float, float16, bfloat16, int8, uint8

/** A stored weight and the value that stands for zero in it (a DequantizeLinear's zero point; 0 for a float weight). */
interface StoredWeight {
  tensor: Tensor;
  zero: number;
}

/** The stored tensor input 1 reads, through Identity and DequantizeLinear; a loop, not recursion. */
function weightBehind(node: Node): StoredWeight | undefined {
  let reader = node;
  let input = 1;
  let zero = 0;
  for (let steps = 0; steps < 100_000; steps++) {
    const t = storedTensor(reader, input);
    if (t) return NUMERIC.has(t.dtype) ? { tensor: t, zero } : undefined;
    const p = valueOf(reader, input)?.producer;
    if (!p || p.domain !== '' || (p.opType !== 'Identity' && p.opType !== 'DequantizeLinear')) return undefined;
    if (p.opType === 'DequantizeLinear') {
      const z = zeroPoint(p);
      if (z === undefined) return undefined;
      zero = z;
    }
    reader = p;
    input = 0;
  }
  return undefined;
}

const valueOf = (reader: Node, input: number) => {
  const read = reader.inputValue(input);
  return read && reader.graph.definitionOf(read);
};

/** The initializer or Constant value that input `input` of `reader` reads directly. */
function storedTensor(reader: Node, input: number): Tensor | undefined {
  const v = valueOf(reader, input);
  if (v?.initializer) return v.initializer;
  const p = v?.producer;
  return p && p.domain === '' && p.opType === 'Constant' ? p.attribute('value')?.tensor() : undefined;
}

/**
 * The stored value that dequantizes to zero: the zero point (0 when absent), when one value
 * holds for the whole tensor; undefined for zero points that differ per channel or cannot be read.
 */
function zeroPoint(dq: Node): number | undefined {
  if (!dq.inputValue(2)) return 0;
  const t = storedTensor(dq, 2);
  if (!t) return undefined;
  try {
    const values = t.read(t.elementCount).values as ArrayLike<number | bigint>;
    const first = Number(values[0] ?? 0);
    for (let i = 1; i < values.length; i++) if (Number(values[i]) !== first) return undefined;
    return first;
  } catch {
    return undefined;
  }
}

/**
 * Every group of 4 along `axis` holds 2 or more zeros (stored values equal to `zero`), and the tensor is not all zeros. The
 * first row of groups (the first 4 · inner values) is read alone first: a dense weight fails
 * there without the whole tensor being read.
 */
function holdsTwoFour({ tensor: t, zero }: StoredWeight, axis: number): boolean {
  const dims = t.dims;
  const length = dims[axis] ?? 0;
  if (length < 4 || length % 4 !== 0) return false;
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  try {
    const first = groupZeros(t.read(4 * inner).values as ArrayLike<number>, 4, inner, zero);
    if (first === 'dense') return false;
    const all = t.elementCount > 4 * inner ? groupZeros(t.read(t.elementCount).values as ArrayLike<number>, length, inner, zero) : first;
    return all === 'pattern';
  } catch {
    return false; // unreadable weights are the checker's to report
  }
}

/** 'dense': a group with fewer than 2 zeros (`zero`: the stored value of 0); 'zeros': all zeros; 'pattern': 2:4 with some non-zero. */
function groupZeros(values: ArrayLike<number>, length: number, inner: number, zero: number): 'dense' | 'zeros' | 'pattern' {
  const outer = Math.floor(values.length / (length * inner));
  let nonZero = false;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * length * inner + i;
      for (let c = 0; c < length; c += 4) {
        let zeros = 0;
        for (let j = 0; j < 4; j++) if (values[base + (c + j) * inner] === zero) zeros++;
        if (zeros < 2) return 'dense';
        if (zeros < 4) nonZero = true;
      }
    }
  }
  return nonZero ? 'pattern' : 'zeros';
}

/**
 * The trtexec options of a build with `sparseLayers` 2:4 layers: --sparsity=enable added when
 * the user gave no --sparsity of their own and this trtexec takes it, with the line to say so.
 */
export function withSparsity(extraArgs: readonly string[], sparseLayers: number, takesFlag: boolean): { args: string[]; note?: string } {
  if (!sparseLayers) return { args: [...extraArgs] };
  const given = extraArgs.find((a) => a.split('=', 1)[0] === SPARSITY_FLAG);
  if (given) return { args: [...extraArgs], note: `${sparseLayersHold(sparseLayers)}: building with ${given}, as given` };
  if (!takesFlag) return { args: [...extraArgs], note: `${twoFourMessage(sparseLayers)}, which this trtexec does not take` };
  return { args: [...extraArgs, SPARSITY_ENABLE], note: `${sparseLayersHold(sparseLayers)}: building with ${SPARSITY_ENABLE} (-- ${SPARSITY_FLAG}=disable builds without)` };
}
