// The model worker (dist/model-worker.js, one worker thread per opened model): parses the file,
// runs inference, checks external data, and answers the host's requests about the model, so the
// extension host's event loop never does work proportional to the model. Terminated on close.
import { parentPort } from 'node:worker_threads';
import { nodeFacts } from '../analysis/node-details';
import { writeNpy } from '../analysis/npy';
import { summarizeModel } from '../analysis/summary';
import { twoFourSparseLayers } from '../analysis/tensorrt/two-four-sparse';
import { tensorStatistics } from '../analysis/tensor-stats';
import { inferModel, type InferenceResult } from '../onnx/infer/infer';
import { describeFileProblem } from '../onnx/io/open-errors';
import { writeFileAtomic } from '../onnx/io/write-file';
import type { Graph, Model } from '../onnx/model/graph';
import { openModel } from '../onnx/open';
import { compileText, parseText, referencedFiles } from '../onnx/text/compile';
import { printModelText, writeModelText } from '../onnx/text/text-output';
import { modelAndDataFiles } from '../onnx/text/weights';
import type { Tensor } from '../onnx/tensor';
import type { ModelWorkerRequests, WorkerRequest, WorkerResponse } from '../protocol/model-worker';
import { pack } from './columns';
import { describeOpenError } from './graph-document';
import { findGraph, graphPayload, modelInfo, tooLargeMessage } from './graph-payload';
import { outlineChildren } from './outline-levels';

let path = '';
let model: Model | undefined;
let inference: InferenceResult | undefined;

type Handlers = { [M in keyof ModelWorkerRequests]: (params: ModelWorkerRequests[M]['params']) => ModelWorkerRequests[M]['result'] };

const handlers: Handlers = {
  'model/open': (p) => {
    model?.close();
    model = inference = undefined;
    path = p.path;
    try {
      model = openModel(path);
      if (p.infer) inference = inferModel(model);
      return { ok: true, info: modelInfo(path, model), warnings: externalDataProblems(model) };
    } catch (e) {
      return { ok: false, error: describeOpenError(path, e) };
    }
  },
  'model/summary': () => summarizeModel(opened()),
  'model/two-four': () => twoFourSparseLayers(opened()),
  'graph/get': ({ graphId, orMain }) => {
    const m = opened();
    const g = findGraph(m, graphId) ?? (orMain ? m.graph : undefined);
    if (!g) throw new Error(`no graph '${graphId}' in this model`);
    return { graph: graphPayload(g, inferred(m)), tooLarge: tooLargeMessage(g) };
  },
  'node/details': ({ nodeId }) => {
    const m = opened();
    const n = m.node(nodeId);
    if (!n) throw new Error(`no node '${nodeId}'`);
    return nodeFacts(n, m.opsetImports, inferred(m));
  },
  'node/locate': ({ nodeId }) => {
    const n = opened().node(nodeId);
    return n ? { graphId: n.graph.id } : null;
  },
  'nodes/list': () => {
    const list = { id: [] as string[], name: [] as string[], op: [] as string[], graphId: [] as string[] };
    for (const g of opened().graphs()) {
      for (const n of g.nodes) {
        list.id.push(n.id);
        list.name.push(n.name);
        list.op.push(n.opType);
        list.graphId.push(g.id);
      }
    }
    return list;
  },
  'outline/children': ({ parent }) => outlineChildren(opened(), parent),
  'tensor/read': ({ graphId, name }) => tensorStatistics(tensor(graphId, name)),
  'tensor/find': ({ graphId, name }) => {
    tensor(graphId, name);
    return null;
  },
  'tensor/save': ({ graphId, name, target }) => {
    const t = tensor(graphId, name);
    let note: string | undefined;
    // Neither the model nor its external data may be replaced by the .npy.
    writeFileAtomic(target, (sink) => (note = writeNpy(t, sink)), { protect: modelAndDataFiles(opened().proto, path) });
    return { note };
  },
  'text/print': ({ path: modelPath, textPath }) =>
    orFileProblem(modelPath, () => {
      const m = openModel(modelPath);
      try {
        const printed = printModelText(m, modelPath, { textPath });
        const out = { ok: true as const, text: printed.text, notes: printed.notes, dropped: printed.dropped };
        try {
          writeModelText(printed, textPath, { replace: false });
          return out;
        } catch (e) {
          // A file in the way (or an unusable folder): the host opens the text unsaved instead.
          const problem = describeFileProblem(textPath, e);
          if (!problem) throw e;
          return { ...out, notWritten: problem.message };
        }
      } finally {
        m.close();
      }
    }),
  'text/references': ({ text, folder }) =>
    orFileProblem(folder ?? '', () => {
      const parsed = parseText(text);
      return parsed.ok ? { ok: true as const, files: referencedFiles(parsed.model, folder) } : parsed;
    }),
  'text/compile': (req) =>
    orFileProblem(req.target, () => {
      const result = compileText(req);
      return result.ok ? { ok: true as const, notes: result.notes } : result;
    }),
};

/** Runs `work`; a problem with a file (missing, refused, an unusable target) becomes `{ok: false, problem}`. */
function orFileProblem<T>(path: string, work: () => T): T | { ok: false; problem: string } {
  try {
    return work();
  } catch (e) {
    const problem = describeFileProblem(path, e);
    if (!problem) throw e;
    return { ok: false, problem: problem.message };
  }
}

function opened(): Model {
  if (!model) throw new Error('the model is not loaded');
  return model;
}

/** Inference, run on first need when the model was opened without it (Inspect). */
function inferred(m: Model): InferenceResult {
  return (inference ??= inferModel(m));
}

function tensor(graphId: string, name: string): Tensor {
  const g = findGraph(opened(), graphId);
  const t = g && storedTensor(g, name);
  if (!t) throw new Error(`'${name}' has no stored values: it is computed when the model runs`);
  return t;
}

/** The tensor behind a value name: an initializer (here or outside) or a Constant node's value. */
function storedTensor(g: Graph, name: string): Tensor | undefined {
  const v = g.resolve(name);
  if (v?.initializer) return v.initializer;
  const p = v?.producer;
  if (p && p.opType === 'Constant' && p.domain === '') return p.attribute('value')?.tensor();
  return undefined;
}

/** External data files that are missing or refused (each named once); the graph still shows. */
function externalDataProblems(m: Model): string[] {
  const problems = new Set<string>();
  for (const g of m.graphs()) {
    for (const t of g.initializers) {
      if (!t.isExternal) continue;
      try {
        t.validate();
      } catch (e) {
        problems.add((e as Error).message);
      }
    }
  }
  return [...problems].slice(0, 20);
}

parentPort?.on('message', (m: WorkerRequest) => {
  let reply: { response: WorkerResponse; transfer: ArrayBuffer[] };
  try {
    const { packed, transfer } = pack((handlers[m.method] as (p: unknown) => unknown)(m.params));
    reply = { response: { id: m.id, result: packed }, transfer };
  } catch (e) {
    reply = { response: { id: m.id, error: e instanceof Error ? e.message : String(e) }, transfer: [] };
  }
  parentPort!.postMessage(reply.response, reply.transfer);
});
