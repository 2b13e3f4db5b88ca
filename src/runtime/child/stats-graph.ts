import { constantTensor } from '../../onnx/edit/computed-tensor';
import type { ModelFiles } from '../../onnx/io/model-files';
import { buildModel } from '../../onnx/model/build';
import { intAttr, intsAttr, newNode } from '../../onnx/edit/proto-factory';
import type { ModelProto, NodeProto, TensorProto, ValueInfoProto } from '../../onnx/proto/types';

/** The outputs that carry one value's min and max (ReduceMin, ReduceMax). */
export interface ExtremeOutputs {
  min: string;
  max: string;
}

/**
 * The outputs that carry one value's summary: its min, max, element count and sum, and for
 * Percentile its `k` largest magnitudes. The sum is there to see NaNs: onnxruntime's
 * ReduceMin/ReduceMax skip a NaN that is not the first element (ReduceMax of [1, NaN, 7] is 1),
 * while any NaN makes the sum NaN.
 */
export interface SummaryOutputs extends ExtremeOutputs {
  size: string;
  sum: string;
  top?: string;
}

/**
 * Adds, for each main-graph float32 value, ReduceMin/ReduceMax/Size/ReduceSum nodes (and Abs → Flatten →
 * TopK(k) where `k` is given) whose small results become graph outputs: onnxruntime computes
 * the calibration summaries natively and the activations themselves stay inside the session
 * (its memory planner reuses their buffers, and nothing large is copied out).
 * `taken`: every name the model already uses.
 */
export function addSummaryNodes(model: ModelProto, values: Map<string, number | undefined>, taken: Set<string>): Map<string, SummaryOutputs> {
  return appendSummaries(model, values, taken, true) as Map<string, SummaryOutputs>;
}

/**
 * ReduceMin/ReduceMax only, beside values that also leave the session to be binned: the binning
 * pass itself stops at a NaN the extremes missed, so no sum is needed. onnxruntime runs every
 * node of the graph whatever a run fetches, so the nodes not needed are not added.
 */
export function addExtremeNodes(model: ModelProto, names: readonly string[], taken: Set<string>): Map<string, ExtremeOutputs> {
  return appendSummaries(model, new Map(names.map((n) => [n, undefined])), taken, false);
}

function appendSummaries(model: ModelProto, values: Map<string, number | undefined>, taken: Set<string>, full: boolean): Map<string, ExtremeOutputs | SummaryOutputs> {
  const g = model.graph!;
  const opset = defaultOpset(model);
  const fresh = freshNames(taken);
  const nodes: NodeProto[] = [];
  const inits: TensorProto[] = [];
  const outputs: ValueInfoProto[] = [];
  const out = new Map<string, ExtremeOutputs | SummaryOutputs>();
  const kInputs = new Map<number, string>();
  const output = (name: string): string => {
    outputs.push({ name, metadata_props: [] });
    return name;
  };
  for (const [x, k] of values) {
    const e: ExtremeOutputs = { min: output(fresh(`${x}__calib_min`)), max: output(fresh(`${x}__calib_max`)) };
    // No axes (attribute before opset 18, input since; ReduceSum's since 13): every axis is reduced.
    nodes.push(
      newNode({ op: 'ReduceMin', name: e.min, inputs: [x], outputs: [e.min], attributes: [intAttr('keepdims', 0)] }),
      newNode({ op: 'ReduceMax', name: e.max, inputs: [x], outputs: [e.max], attributes: [intAttr('keepdims', 0)] }),
    );
    if (!full) {
      out.set(x, e);
      continue;
    }
    const s: SummaryOutputs = { ...e, size: output(fresh(`${x}__calib_size`)), sum: output(fresh(`${x}__calib_sum`)) };
    nodes.push(
      newNode({ op: 'Size', name: s.size, inputs: [x], outputs: [s.size] }),
      newNode({ op: 'ReduceSum', name: s.sum, inputs: [x], outputs: [s.sum], attributes: [intAttr('keepdims', 0)] }),
    );
    if (k !== undefined) {
      const abs = fresh(`${x}__calib_abs`);
      const flat = fresh(`${x}__calib_flat`);
      s.top = output(fresh(`${x}__calib_top`));
      const indices = fresh(`${x}__calib_top_indices`);
      nodes.push(newNode({ op: 'Abs', name: abs, inputs: [x], outputs: [abs] }), newNode({ op: 'Flatten', name: flat, inputs: [abs], outputs: [flat], attributes: [intAttr('axis', 0)] }));
      if (opset < 10) {
        nodes.push(newNode({ op: 'TopK', name: s.top, inputs: [flat], outputs: [s.top, indices], attributes: [intAttr('k', k)] }));
      } else {
        let kName = kInputs.get(k);
        if (!kName) {
          kName = fresh(`calib_k${k}`);
          kInputs.set(k, kName);
          inits.push(constantTensor(kName, 7, [1], new BigInt64Array([BigInt(k)])));
        }
        nodes.push(newNode({ op: 'TopK', name: s.top, inputs: [flat, kName], outputs: [s.top, indices] }));
      }
    }
    out.set(x, s);
  }
  // Appended after every node: each reads a value already produced, so the order stays topological.
  g.node = [...g.node, ...nodes];
  g.initializer = [...g.initializer, ...inits];
  g.output = [...g.output, ...outputs];
  return out;
}

/**
 * Adds, for each main-graph float32 value, a ReduceMean over `axes` (keepdims 0) whose result,
 * one mean per channel, becomes a graph output: bias correction's input, computed in the same
 * run as the other summaries. Returns the output name per value.
 */
export function addMeanNodes(model: ModelProto, values: readonly { name: string; axes: number[] }[], taken: Set<string>): Map<string, string> {
  const g = model.graph!;
  const fresh = freshNames(taken);
  const nodes: NodeProto[] = [];
  const inits: TensorProto[] = [];
  const out = new Map<string, string>();
  for (const { name, axes } of values) {
    const mean = fresh(`${name}__calib_mean`);
    // Opset 18 made ReduceMean's axes an input.
    if (defaultOpset(model) >= 18) {
      const axesName = fresh(`${mean}_axes`);
      inits.push(constantTensor(axesName, 7, [axes.length], BigInt64Array.from(axes, BigInt)));
      nodes.push(newNode({ op: 'ReduceMean', name: mean, inputs: [name, axesName], outputs: [mean], attributes: [intAttr('keepdims', 0)] }));
    } else {
      nodes.push(newNode({ op: 'ReduceMean', name: mean, inputs: [name], outputs: [mean], attributes: [intAttr('keepdims', 0), intsAttr('axes', axes)] }));
    }
    out.set(name, mean);
  }
  g.node = [...g.node, ...nodes];
  g.initializer = [...g.initializer, ...inits];
  g.output = [...g.output, ...[...out.values()].map((name): ValueInfoProto => ({ name, metadata_props: [] }))];
  return out;
}

/** Every value and node name the model uses, in every graph: each added node is named as its output, and onnxruntime refuses two nodes of one name. */
export function takenNames(model: ModelProto, files: ModelFiles): Set<string> {
  const taken = new Set<string>();
  for (const g of buildModel(model, files).graphs()) {
    for (const name of g.values.keys()) taken.add(name);
    for (const n of g.nodes) if (n.name) taken.add(n.name);
  }
  return taken;
}

function defaultOpset(model: ModelProto): number {
  return Number(model.opset_import.find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 1);
}

/** Names not in `taken` (and then taken): `base`, else `base1`, `base2`, … */
function freshNames(taken: Set<string>): (base: string) => string {
  return (base) => {
    let name = base;
    for (let k = 1; taken.has(name); k++) name = `${base}${k}`;
    taken.add(name);
    return name;
  };
}
