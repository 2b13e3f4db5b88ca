// What the language server knows of one ONNX text document: the parse, the model built from it,
// inference and checker findings mapped back to text ranges. Uses the one parser of src/onnx/text.
import { checkModel } from '../onnx/check/checker';
import { externalDataBeside, type ModelFiles } from '../onnx/io/model-files';
import { inferModel, type InferenceResult } from '../onnx/infer/infer';
import { buildModel } from '../onnx/model/build';
import type { Model, Node } from '../onnx/model/graph';
import type { NodeProto } from '../onnx/proto/types';
import { parseModel, type ParseResult, type TextDiagnostic } from '../onnx/text/parser';
import { allTensors } from '../onnx/text/weights';
import { Tensor } from '../onnx/tensor';

interface Finding extends TextDiagnostic {
  severity: 'error' | 'warning' | 'info';
  code?: string;
}

export interface DocumentAnalysis {
  parse: ParseResult;
  model: Model;
  inference: InferenceResult;
  findings: Finding[];
  nodeOf(proto: NodeProto): Node | undefined;
}

/** `path`: the document's file path, against whose folder external-data references resolve. */
export function analyze(text: string, path: string | undefined): DocumentAnalysis {
  const parse = parseModel(text);
  const files: ModelFiles | undefined = path ? externalDataBeside(path) : undefined;
  try {
    return analyzeWith(parse, files);
  } finally {
    files?.close();
  }
}

function analyzeWith(parse: ParseResult, files: ModelFiles | undefined): DocumentAnalysis {
  const model = buildModel(parse.model, files);
  const inference = inferModel(model);
  const findings: Finding[] = parse.diagnostics.map((d) => ({ ...d, severity: 'error' }));
  const byProto = new Map<NodeProto, Node>();
  for (const g of model.graphs()) for (const n of g.nodes) byProto.set(n.proto, n);
  if (parse.diagnostics.length === 0) {
    const ranges = new Map(parse.map.nodes.map((e) => [e.node, e]));
    const nodeRange = (id: string | undefined): { start: number; end: number } => {
      const n = id ? model.node(id) : undefined;
      const r = n && ranges.get(n.proto);
      return r ? { start: r.opStart, end: r.opEnd } : { start: 0, end: 1 };
    };
    for (const d of checkModel(model, inference)) {
      if (d.rule === 'tensor-data' || d.rule === 'external-data') continue; // reported below with their text range
      findings.push({ ...nodeRange(d.nodeId), message: d.message, severity: d.severity, code: d.code } satisfies Finding);
    }
    findings.push(...weightFindings(parse, files));
  }
  return { parse, model, inference, findings, nodeOf: (p) => byProto.get(p) };
}

/** The text's folder, against which its external-data references resolve; undefined when it is gone. */
/** External-data references that are missing, short or refused, at the tensor's name in the text. */
function weightFindings(parse: ParseResult, files: ModelFiles | undefined): Finding[] {
  const out: Finding[] = [];
  const definitions = new Map<string, { start: number; end: number }>();
  for (const v of parse.map.values) if (v.definition && !definitions.has(v.name)) definitions.set(v.name, v);
  for (const t of allTensors(parse.model)) {
    if (t.data_location !== 1) continue;
    const at = definitions.get(t.name ?? '') ?? { start: 0, end: 1 };
    try {
      if (!files) throw new Error('save the document first: external data is found relative to its folder');
      new Tensor(t, files).validate();
    } catch (e) {
      out.push({ start: at.start, end: at.end, message: (e as Error).message, severity: 'error', code: 'E303' });
    }
  }
  return out;
}
