// The grammar of TensorRT layer names, as trtexec prints them: fused layers joined with " + ",
// pointwise fusions `PWN(a, PWN(b))`, shuffles the ONNX parser inserts (`reshape_after_Gemm_48`),
// reformat copies ("Reformatting CopyNode for Input Tensor 0 to X"), Myelin regions
// (`{ForeignNode[first...last]}`) and their kernels (`__myl_MulSumAdd_myl24_1`, suffix
// `_myl<region>_<k>`), Myelin shape calls, and the ` [profile N]` suffix of layers built for
// optimization profile N > 0.

/** `X [profile 1]` → `X`. */
export function stripProfileSuffix(name: string): string {
  return name.replace(/ \[profile \d+\]$/, '');
}

export interface ReformatName {
  /** The reformat converts input `tensor` of `target` (Input), or output `tensor` of it (Output). */
  side: 'Input' | 'Output';
  tensor: number;
  target: string;
}

/** "Reformatting CopyNode for Input Tensor 0 to /conv1/Conv + /relu/Relu" → its parts. */
export function reformatName(name: string): ReformatName | undefined {
  const m = /^Reformatting CopyNode for (Input|Output) Tensor (\d+) to (.+)$/s.exec(name);
  return m ? { side: m[1] as 'Input' | 'Output', tensor: Number(m[2]), target: m[3]! } : undefined;
}

/** `{ForeignNode[fc.weight...(Unnamed Layer* 58) [ElementWise]]}` → the first and last layer it names. */
export function foreignNodeEnds(name: string): string[] | undefined {
  const m = /^\{?ForeignNode\[(.*)\]\}?$/s.exec(name);
  if (!m) return undefined;
  const inner = m[1]!;
  const cut = inner.indexOf('...');
  return cut < 0 ? [inner] : [inner.slice(0, cut), inner.slice(cut + 3)];
}

/** `__myl_MulSumAdd_myl24_1` → region `myl24` and the name before the suffix; undefined outside Myelin. */
export function myelinKernel(name: string): { region: string; base: string } | undefined {
  const m = /^(.*)_(myl\d+)_\d+$/s.exec(name);
  return m ? { region: m[2]!, base: m[1]! } : undefined;
}

/** Myelin's shape computations (`dummy_shape_call__mye548_0_myl24_0`, `__mye59_0_myl0_0`): no ONNX node of their own. */
export function isShapeCall(name: string, type?: string): boolean {
  return type === 'shape_call' || /^(?:dummy_shape_call_)?__mye\d+_/.test(name);
}

/** Kernels Myelin generated (`__myl_CastReshCast`): named after the ops they fuse, not after ONNX nodes. */
export function isGeneratedKernel(base: string): boolean {
  return base.startsWith('__myl_') || base.startsWith('__mye');
}

/**
 * The ONNX names a layer's own name states: each " + " part, the names inside `PWN(...)`, the
 * node a parser-inserted shuffle serves (`inserted`), the layers of a DLA subgraph `{a,b,c}`, a
 * Myelin kernel's base name (and, to try
 * when none of these is a node, that base less its last `_N`: `fallback`). TensorRT's
 * own names (`(Unnamed Layer* 849) [Shuffle]`) are left out.
 */
export function namesInLayerName(name: string): { names: string[]; inserted: string[]; fallback: string[] } {
  const names: string[] = [];
  const inserted: string[] = [];
  const fallback: string[] = [];
  for (const raw of name.split(' + ')) {
    const dla = /^\{([^[\]{}]*)\}$/.exec(raw); // DLA subgraphs: `{conv1,relu1,pool1}`
    const parts = raw.startsWith('PWN(') ? raw.replace(/PWN\(/g, '').split(/, /).map((p) => p.replace(/\)+$/, '')) : dla ? dla[1]!.split(',') : [raw];
    for (let part of parts) {
      part = stripProfileSuffix(part.trim());
      if (!part || part.startsWith('(Unnamed Layer*')) continue;
      const shuffle = /^(?:copied_)?(?:(?:un)?squeeze|reshape|transpose|shuffle)(?:_node)?_(?:after|before)_(.+)$/.exec(part);
      if (shuffle) {
        inserted.push(shuffle[1]!);
        continue;
      }
      names.push(part);
      const kernel = myelinKernel(part);
      if (kernel && !isGeneratedKernel(kernel.base)) {
        names.push(kernel.base);
        // Myelin may number a kernel that merges nodes (`node_linear_1_2_myl5_3`): one `_N` less names the first.
        const shorter = /^(.+)_\d+$/.exec(kernel.base)?.[1];
        if (shorter) fallback.push(shorter);
      }
    }
  }
  return { names, inserted, fallback };
}
