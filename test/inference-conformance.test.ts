import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { BufferSource } from '../src/onnx/io/byte-source';
import { inferModel } from '../src/onnx/infer/infer';
import { openModel } from '../src/onnx/open';
import { decodeMessage } from '../src/onnx/proto/decode';
import type { TensorProto } from '../src/onnx/proto/types';
import { dataTypeName } from '../src/onnx/dtypes';
import type { ValueType } from '../src/onnx/model/value-type';
import { referenceOutputs, suiteCases } from './helpers/corpus';

/** Outcome of inference on one suite case, against its reference outputs. */
interface Outcome {
  determined: boolean;
  wrong: string[];
}

const BFLOAT16 = 16;
const UINT16 = 4;

function judge(inferred: (ValueType | null)[], refs: TensorProto[]): Outcome {
  const wrong: string[] = [];
  let determined = refs.length > 0;
  refs.forEach((ref, i) => {
    const t = inferred[i] ?? null;
    const dims = ref.dims.map(Number);
    if (!t || t.kind !== 'tensor' || !t.elemType || !t.shape || !t.shape.every((d) => typeof d === 'number')) determined = false;
    if (!t || t.kind !== 'tensor') return;
    // ONNX 1.12 stores bfloat16 reference outputs as uint16 bit patterns.
    const refType = ref.data_type === UINT16 && t.elemType === BFLOAT16 ? BFLOAT16 : ref.data_type;
    if (t.elemType && t.elemType !== refType) wrong.push(`output ${i}: dtype ${dataTypeName(t.elemType)} ≠ ${dataTypeName(ref.data_type)}`);
    if (!t.shape) return;
    if (t.shape.length !== dims.length) wrong.push(`output ${i}: rank ${t.shape.length} ≠ ${dims.length}`);
    else t.shape.forEach((d, k) => typeof d === 'number' && d !== dims[k] && wrong.push(`output ${i}: dim ${k} ${d} ≠ ${dims[k]}`));
  });
  return { determined, wrong };
}

/**
 * Runs inference on suite cases; returns the fully determined and judged counts, wrong
 * claims, undetermined names, and every shape function that threw (each one a defect: the
 * suite's models are valid).
 */
function judgeCases(groups: string[]): { determined: number; judged: number; wrong: string[]; undetermined: string[]; failures: string[] } {
  const cases = suiteCases(groups);
  let determined = 0;
  let judged = 0;
  const wrong: string[] = [];
  const undetermined: string[] = [];
  const failures: string[] = [];
  for (const c of cases) {
    const refFiles = referenceOutputs(c.dir);
    const model = openModel(c.model);
    try {
      const result = inferModel(model);
      failures.push(...result.failures.map((f) => `${c.name}: ${f.node.opType} '${f.node.id}': ${f.message}`));
      // Sequence/optional outputs are stored as other protos; judge tensor outputs only.
      if (model.graph.outputs.some((o) => o.type && o.type.kind !== 'tensor')) continue;
      const refs = refFiles.map((f) => decodeMessage<TensorProto>(new BufferSource(readFileSync(f)), 'TensorProto'));
      const inferred = model.graph.outputs.map((o) => result.inferredType(o));
      const o = judge(inferred, refs);
      judged++;
      if (o.determined) determined++;
      else undetermined.push(c.name);
      wrong.push(...o.wrong.map((w) => `${c.name}: ${w}`));
    } finally {
      model.close();
    }
  }
  return { determined, judged, wrong, undetermined, failures };
}

test('shape inference on the conformance node tests: never wrong, never failing, ≥ 80 % fully determined', () => {
  const { determined, judged, wrong, undetermined, failures } = judgeCases(['node']);
  const share = (100 * determined) / judged;
  console.log(`# inference fully determines ${determined}/${judged} conformance node tests (${share.toFixed(1)} %)`);
  if (process.env.SHOW_UNDETERMINED) console.log(undetermined.join('\n'));
  assert.deepEqual(wrong, [], 'inference claimed a dtype or dim that the reference output contradicts');
  assert.deepEqual(failures, [], 'a shape function threw on a valid model');
  assert.ok(judged >= 850, `only ${judged} node tests judged`);
  assert.ok(share >= 80, `only ${share.toFixed(1)} % fully determined`);
});

test('shape inference on the pytorch-converted, pytorch-operator and simple suites: never wrong, never failing', () => {
  const { determined, judged, wrong, failures } = judgeCases(['pytorch-converted', 'pytorch-operator', 'simple']);
  console.log(`# inference fully determines ${determined}/${judged} of the other conformance models`);
  assert.deepEqual(wrong, []);
  assert.deepEqual(failures, [], 'a shape function threw on a valid model');
  assert.ok(judged > 100);
});
