import { DiskModelFiles } from '../../onnx/io/model-files';
import { decodeModelProto } from '../../onnx/open';
import { SCORE_OPS } from '../compare';

/**
 * Outputs of the main graph that hold class scores: made by Softmax/LogSoftmax/Gemm/MatMul,
 * or by an Add straight after one (a bias). A state or a feature map is no classifier, even
 * when its last axis is long.
 */
export function scoreOutputs(modelPath: string): Set<string> {
  const files = new DiskModelFiles(modelPath);
  try {
    const g = decodeModelProto(files.model).graph;
    if (!g) return new Set();
    const producer = new Map<string, { op: string; inputs: string[] }>();
    for (const n of g.node) for (const o of n.output) producer.set(o, { op: n.op_type ?? '', inputs: n.input });
    const scores = (name: string): boolean => {
      const p = producer.get(name);
      if (!p) return false;
      if (SCORE_OPS.has(p.op)) return true;
      return p.op === 'Add' && p.inputs.some((i) => SCORE_OPS.has(producer.get(i)?.op ?? ''));
    };
    return new Set(g.output.map((o) => o.name ?? '').filter(scores));
  } finally {
    files.close();
  }
}
