import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { after } from 'node:test';
import { ModelEdit, OpsetTooOldError } from '../src/onnx/edit/model-edit';
import { AlreadyQuantizedError, findQuantizedNodes, NothingToQuantizeError } from '../src/optimize/already-quantized';
import { quantizeDynamic } from '../src/optimize/dynamic/quantize-dynamic';
import { NonFiniteWeightError } from '../src/optimize/errors';
import { writeModel } from '../src/onnx/io/write-model';
import { CORPUS_DIR, ROOT, SUITE_DIR } from './helpers/corpus';
import { graph, matMulModel, model, node, tensorType, valueInfo } from './helpers/models';
import { openForEdit, quantizeFile, removeOutputs } from './helpers/quantize-run';

after(removeOutputs);

const QUANTIZED_SUITE = ['test_qlinearconv', 'test_qlinearmatmul_2D', 'test_qlinearmatmul_3D', 'test_dynamicquantizelinear', 'test_dynamicquantizelinear_max_adjusted', 'test_matmulinteger', 'test_basic_convinteger', 'test_convinteger_with_padding', 'test_quantizelinear', 'test_dequantizelinear_axis'];

function refusal(path: string): Error {
  const { edit, files } = openForEdit(path);
  try {
    quantizeDynamic(edit, files);
  } catch (e) {
    return e as Error;
  } finally {
    files.close();
  }
  assert.fail(`${path} was quantized`);
}

test("the conformance suite's quantized models are refused, naming the node and its operator", () => {
  for (const name of QUANTIZED_SUITE) {
    const path = join(SUITE_DIR, 'node', name, 'model.onnx');
    const { edit, files } = openForEdit(path);
    const op = edit.main.nodes[0]!.op_type!;
    files.close();
    const e = refusal(path);
    assert.ok(e instanceof AlreadyQuantizedError, `${name}: ${e.message}`);
    assert.match(e.message, /already quantized: do not quantize twice/);
    assert.ok(e.message.includes(`(${op})`), `${name}: ${e.message}`);
  }
});

test('com.microsoft quantized operators (QGemm, DynamicQuantizeMatMul, MatMulNBits, QAttention) are found in subgraphs too; others are not', () => {
  const branch = graph({ output: [valueInfo('z', tensorType(1, [1]))], node: [node('MatMulNBits', ['a', 'b'], ['z'], [], 'nbits', 'com.microsoft')] });
  const m = model(
    graph({
      input: [valueInfo('x', tensorType(1, [2, 2])), valueInfo('cond', tensorType(9, []))],
      output: [valueInfo('y', tensorType(1, [2, 2]))],
      node: [
        node('QGemm', ['x'], ['q'], [], 'qgemm', 'com.microsoft'),
        node('DynamicQuantizeMatMul', ['x'], ['d'], [], 'dqmm', 'com.microsoft'),
        node('QAttention', ['x'], ['att'], [], 'qatt', 'com.microsoft'),
        node('FusedMatMul', ['x', 'x'], ['f'], [], 'fused', 'com.microsoft'),
        node('QuickGelu', ['x'], ['g'], [], 'gelu', 'com.microsoft'),
        node('If', ['cond'], ['y'], [{ name: 'then_branch', type: 5, g: branch, floats: [], ints: [], strings: [], tensors: [], graphs: [], type_protos: [], sparse_tensors: [] }, { name: 'else_branch', type: 5, g: branch, floats: [], ints: [], strings: [], tensors: [], graphs: [], type_protos: [], sparse_tensors: [] }], 'if'),
      ],
    }),
  );
  const found = findQuantizedNodes(new ModelEdit(m)).map((n) => n.name);
  assert.deepEqual(found.sort(), ['dqmm', 'nbits', 'nbits', 'qatt', 'qgemm']);
  assert.throws(() => quantizeDynamic(new ModelEdit(m), undefined), (e: Error) => e instanceof AlreadyQuantizedError && e.message.includes("'qgemm' (com.microsoft::QGemm)") && /and \d+ more|nbits/.test(e.message));
});

test('our own output is refused: quantizing twice is an error, not a second pass', () => {
  const { out } = quantizeFile(join(ROOT, '.cache', 'models', 'resnet18.onnx'));
  const e = refusal(out);
  assert.ok(e instanceof AlreadyQuantizedError);
  assert.match(e.message, /DynamicQuantizeLinear|ConvInteger|MatMulInteger/);
});

test('a model with nothing to quantize says so: no MatMul/Conv/Gemm with a weight, or every candidate excluded', () => {
  const relu = refusal(join(SUITE_DIR, 'node', 'test_relu', 'model.onnx'));
  assert.ok(relu instanceof NothingToQuantizeError, relu.message);
  assert.match(relu.message, /no node would be quantized/);
  // Two activations multiplied: no weight.
  const mm = refusal(join(SUITE_DIR, 'node', 'test_matmul_2d', 'model.onnx'));
  assert.ok(mm instanceof NothingToQuantizeError, mm.message);
  const { edit, files } = openForEdit(join(ROOT, '.cache', 'models', 'resnet18.onnx'));
  assert.throws(() => quantizeDynamic(edit, files, { excludeOps: ['Conv', 'Gemm'] }), NothingToQuantizeError);
  files.close();
});

test('a model below opset 11 is refused with how far the opset must be raised (PP-OCR recognition imports opset 9)', () => {
  const e = refusal(join(CORPUS_DIR, 'ch_PP-OCRv4_rec_infer.onnx'));
  assert.ok(e instanceof OpsetTooOldError, e.message);
  assert.equal(e.have, 9);
  assert.equal(e.need, 11);
});

test('a weight holding NaN or infinity stops the write with an error naming it, and leaves no file', () => {
  for (const bad of [NaN, Infinity]) {
    const edit = new ModelEdit(matMulModel([1, bad, 0.5, 2]));
    quantizeDynamic(edit, undefined);
    const out = join(mkdtempSync(join(tmpdir(), 'dyn-nan-')), 'q.onnx');
    assert.throws(() => writeModel(edit.proto, undefined, out, { protect: [] }), (e: Error) => e instanceof NonFiniteWeightError && e.message.includes("'w'"));
    assert.ok(!existsSync(out));
  }
});
