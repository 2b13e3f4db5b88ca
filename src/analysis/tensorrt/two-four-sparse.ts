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
      if (w && w.dims.length >= 2 && holdsTwoFour(w, axis < 0 ? w.dims.length + axis : axis)) found.push(node.id);
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

/** The stored tensor input 1 reads, through Identity and DequantizeLinear; a loop, not recursion. */
function weightBehind(node: Node): Tensor | undefined {
  let reader = node;
  let input = 1;
  for (let steps = 0; steps < 100_000; steps++) {
    const read = reader.inputValue(input);
    const v = read && reader.graph.definitionOf(read);
    if (!v) return undefined;
    if (v.initializer) return NUMERIC.has(v.initializer.dtype) ? v.initializer : undefined;
    const p = v.producer;
    if (!p || p.domain !== '') return undefined;
    if (p.opType === 'Constant') {
      const t = p.attribute('value')?.tensor();
      return t && NUMERIC.has(t.dtype) ? t : undefined;
    }
    if (p.opType !== 'Identity' && p.opType !== 'DequantizeLinear') return undefined;
    reader = p;
    input = 0;
  }
  return undefined;
}

/**
 * Every group of 4 along `axis` holds 2 or more zeros, and the tensor is not all zeros. The
 * first row of groups (the first 4 · inner values) is read alone first: a dense weight fails
 * there without the whole tensor being read.
 */
function holdsTwoFour(t: Tensor, axis: number): boolean {
  const dims = t.dims;
  const length = dims[axis] ?? 0;
  if (length < 4 || length % 4 !== 0) return false;
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  try {
    const first = groupZeros(t.read(4 * inner).values as ArrayLike<number>, 4, inner);
    if (first === 'dense') return false;
    const all = t.elementCount > 4 * inner ? groupZeros(t.read(t.elementCount).values as ArrayLike<number>, length, inner) : first;
    return all === 'pattern';
  } catch {
    return false; // unreadable weights are the checker's to report
  }
}

/** 'dense': a group with fewer than 2 zeros; 'zeros': all zeros; 'pattern': 2:4 with some non-zero. */
function groupZeros(values: ArrayLike<number>, length: number, inner: number): 'dense' | 'zeros' | 'pattern' {
  const outer = Math.floor(values.length / (length * inner));
  let nonZero = false;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * length * inner + i;
      for (let c = 0; c < length; c += 4) {
        let zeros = 0;
        for (let j = 0; j < 4; j++) if (values[base + (c + j) * inner] === 0) zeros++;
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
