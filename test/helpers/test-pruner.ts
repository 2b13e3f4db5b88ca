import { constantTensor } from '../../src/onnx/edit/computed-tensor';
import type { ModelEdit } from '../../src/onnx/edit/model-edit';
import type { ModelFiles } from '../../src/onnx/io/model-files';
import type { ModelProto } from '../../src/onnx/proto/types';
import { Tensor } from '../../src/onnx/tensor';
import { TransformRefusedError } from '../../src/optimize/errors';
import type { NodeIds, PrunedLayer, PruneOptions, Pruner, PruneUnit } from '../../src/optimize/prune/types';
import { graph, model, node, tensorType, valueInfo } from './models';

/**
 * A tiny pruner for the flow's own tests (the real ones are tested by their owners and through
 * the CLI): every MatMul with an initializer weight is a unit; it zeroes floor(ratio · n) of the
 * weight's smallest magnitudes.
 */
export const testPruner: Pruner = {
  units(edit, files, _options, ids) {
    return { units: layersOf(edit, files, ids).map((l) => ({ id: l.id, nodes: [l.id], parameters: l.values.length })), skipped: [] };
  },
  prune(edit: ModelEdit, files: ModelFiles | undefined, options: PruneOptions, ids: NodeIds) {
    const layers: PrunedLayer[] = [];
    for (const l of layersOf(edit, files, ids)) {
      const ratio = options.unitRatios?.[l.id] ?? options.ratio;
      const k = Math.floor(ratio * l.values.length);
      if (k === 0) continue;
      const order = [...l.values.keys()].sort((a, b) => Math.abs(l.values[a]!) - Math.abs(l.values[b]!));
      const out = Float32Array.from(l.values);
      for (const i of order.slice(0, k)) out[i] = 0;
      edit.main.replaceInitializer(l.weight, constantTensor(l.weight, 1, l.dims, out));
      const zeros = out.filter((x) => x === 0).length;
      layers.push({ node: l.id, opType: 'MatMul', weight: l.weight, elementsBefore: out.length, elementsAfter: out.length, zeros, sparsity: zeros / out.length });
    }
    if (!layers.length) throw new TransformRefusedError('nothing to prune');
    const zeros = layers.reduce((s, l) => s + l.zeros, 0);
    const all = layers.reduce((s, l) => s + l.elementsAfter, 0);
    return { layers, skipped: [], sparsity: zeros / all, nodesChanged: layers.length, warnings: [] };
  },
};

function layersOf(edit: ModelEdit, files: ModelFiles | undefined, ids: NodeIds): { id: string; weight: string; dims: number[]; values: Float32Array }[] {
  const out = [];
  for (const n of edit.main.nodes) {
    const init = n.op_type === 'MatMul' ? edit.main.initializer(n.input[1]!) : undefined;
    if (!init) continue;
    const values = new Tensor(init, files).read(Infinity).values as Float32Array;
    out.push({ id: ids.get(n)!, weight: init.name!, dims: init.dims.map(Number), values });
  }
  return out;
}

/** Deterministic pseudo-random floats in (−1, 1). */
export function seeded(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** x[1,16] → MatMul 16×32 → Relu → MatMul 32×32 → Relu → MatMul 32×8 → y, with seeded weights and a bias the pruner leaves. */
export function mlpModel(): ModelProto {
  const w = (name: string, rows: number, cols: number, seed: number) => constantTensor(name, 1, [rows, cols], seeded(rows * cols, seed));
  return model(
    graph({
      input: [valueInfo('x', tensorType(1, [1, 16]))],
      output: [valueInfo('y', tensorType(1, [1, 8]))],
      initializer: [w('w1', 16, 32, 1), w('w2', 32, 32, 2), w('w3', 32, 8, 3), constantTensor('b3', 1, [8], seeded(8, 4))],
      node: [
        node('MatMul', ['x', 'w1'], ['h1'], [], 'fc1'),
        node('Relu', ['h1'], ['r1'], [], 'relu1'),
        node('MatMul', ['r1', 'w2'], ['h2'], [], 'fc2'),
        node('Relu', ['h2'], ['r2'], [], 'relu2'),
        node('MatMul', ['r2', 'w3'], ['h3'], [], 'fc3'),
        node('Add', ['h3', 'b3'], ['y'], [], 'bias3'),
      ],
    }),
    13,
  );
}

export type { PruneUnit };
