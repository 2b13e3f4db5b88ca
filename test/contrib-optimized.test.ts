import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { checkModel } from '../src/onnx/check/checker';
import { inferModel } from '../src/onnx/infer/infer';
import { openModelBytes } from '../src/onnx/open';
import type { ModelProto, NodeProto } from '../src/onnx/proto/types';
import { corpusModels } from './helpers/corpus';
import { feeds } from './helpers/corpus-feeds';
import { attr, bytesOf, decodeBytes, graph, model, node, tensorType, valueInfo } from './helpers/models';
import { FLOAT, feed, inferredText, init, INT64, INT8, ortText, scalar, UINT8 } from './helpers/ort-tensors';

/** Models ONNX Runtime's optimizer rewrote with its com.microsoft operators, checked against ORT's own run. */

/**
 * ONNX Runtime registers its own LayerNormalization-1 in the ONNX domain (not in
 * ContribOperators.md, which lists com.microsoft only) and its optimizer writes it into
 * models of any opset; the registry knows only ONNX's LayerNormalization-17.
 */
const ORT_ONLY_ONNX_OPS = /^E101 LayerNormalization '[^']*': not in opset 9 of 'ai.onnx'/;

/**
 * Lets ONNX Runtime optimize a model at `level`, makes every com.microsoft output of the
 * result a graph output, runs it, and compares each with our inference. Returns the checker's
 * errors, the com.microsoft ops and how many outputs were compared.
 */
async function compareOptimized(bytes: Uint8Array, level: 'extended' | 'all', input: Record<string, ort.Tensor>, dir: string): Promise<{ errors: string[]; ops: string[]; compared: number }> {
  const optimized = join(dir, `optimized-${level}.onnx`);
  await (await ort.InferenceSession.create(bytes, { graphOptimizationLevel: level, optimizedModelFilePath: optimized })).release();
  const proto = decodeBytes(readFileSync(optimized));
  const contrib = proto.graph!.node.filter((n) => n.domain === 'com.microsoft');
  proto.graph!.output.push(...contrib.flatMap((n) => n.output.filter(Boolean)).map((o) => valueInfo(o)));
  const withOutputs = bytesOf(proto);
  const session = await ort.InferenceSession.create(withOutputs);
  const outputs = await session.run(input);
  await session.release();
  const m = openModelBytes(withOutputs);
  const inference = inferModel(m, { inputShapes: Object.fromEntries(Object.entries(input).map(([k, t]) => [k, t.dims.map(Number)])) });
  let compared = 0;
  for (const n of m.graph.nodes.filter((x) => x.domain === 'com.microsoft')) {
    n.outputs.forEach((name, i) => {
      assert.equal(inferredText(inference.inferredType(n.outputValue(i)!)), ortText(outputs[name] as ort.Tensor), `${n.opType} '${n.name}' output '${name}'`);
      compared++;
    });
  }
  const errors = checkModel(m, inference).filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);
  return { errors, ops: contrib.map((n) => n.op_type!), compared };
}

const tally = (ops: string[]): Record<string, number> => ops.reduce<Record<string, number>>((acc, op) => ({ ...acc, [op]: (acc[op] ?? 0) + 1 }), {});

test('models ONNX Runtime optimized (FusedConv, QuickGelu, FusedMatMul): every com.microsoft output inferred as ORT computes it', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ort-optimized-'));
  const ops: string[] = [];
  let compared = 0;
  try {
    for (const path of corpusModels()) {
      const r = await compareOptimized(readFileSync(path), 'extended', feeds(path), dir);
      assert.deepEqual(r.errors.filter((e) => !ORT_ONLY_ONNX_OPS.test(e)), [], basename(path));
      ops.push(...r.ops);
      compared += r.compared;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`# ${compared} outputs of ORT-optimized com.microsoft nodes equal onnxruntime's: ${JSON.stringify(tally(ops))}`);
  assert.deepEqual(tally(ops), { FusedConv: 49, QuickGelu: 7, FusedMatMul: 1 });
  assert.equal(compared, 57);
});

/** A QDQ network as quantizers write it: ORT turns it into QLinearConv (channels-last at level all) and MatMulIntegerToFloat. */
function qdqModel(): ModelProto {
  const qdq = (x: string, scale: string, zp: string): NodeProto[] => [node('QuantizeLinear', [x, scale, zp], [`${x}_q`]), node('DequantizeLinear', [`${x}_q`, scale, zp], [`${x}_dq`])];
  return model(
    graph({
      node: [
        ...qdq('x', 's', 'zu'),
        ...qdq('w', 'sw', 'zi'),
        node('Conv', ['x_dq', 'w_dq'], ['c'], [attr('pads', [1, 1, 1, 1])]),
        ...qdq('c', 's', 'zu'),
        node('Reshape', ['c_dq', 'shape'], ['r']),
        ...qdq('r', 's', 'zu'),
        ...qdq('m', 'sw', 'zi'),
        node('MatMul', ['r_dq', 'm_dq'], ['y']),
      ],
      input: [valueInfo('x', tensorType(FLOAT, [1, 8, 6, 6]))],
      initializer: [scalar('s', FLOAT, 0.05), scalar('zu', UINT8, 128), scalar('sw', FLOAT, 0.01), scalar('zi', INT8, 0), init('w', FLOAT, [16, 8, 3, 3]), init('m', FLOAT, [576, 10]), init('shape', INT64, [2], [1, 576])],
      output: [valueInfo('y', tensorType(FLOAT, [1, 10]))],
    }),
  );
}

test('a QDQ model ONNX Runtime rewrote into QLinearConv and MatMulIntegerToFloat: checked, inferred as ORT computes it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ort-qdq-'));
  try {
    const input = { x: feed(FLOAT, [1, 8, 6, 6]) };
    const extended = await compareOptimized(bytesOf(qdqModel()), 'extended', input, dir);
    const all = await compareOptimized(bytesOf(qdqModel()), 'all', input, dir);
    assert.deepEqual([extended.errors, all.errors], [[], []]);
    assert.deepEqual([extended.ops, all.ops], [['MatMulIntegerToFloat'], ['QLinearConv', 'MatMulIntegerToFloat']]);
    assert.equal(extended.compared + all.compared, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
