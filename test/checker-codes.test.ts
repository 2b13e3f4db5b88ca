import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkModel } from '../src/onnx/check/checker';
import { RULES, type RuleName } from '../src/onnx/check/diagnostics';
import { openModel } from '../src/onnx/open';
import type { ModelProto } from '../src/onnx/proto/types';
import { attr, bytesOf, node, reluAddModel, tensorProto, tensorType } from './helpers/models';

/** One generated defect per checker rule, made from the valid Relu → Add model. */
interface CodeCase {
  rule: RuleName;
  /** What python onnx 1.12 says of the model (see PY_CHECK); null: it accepts it. */
  python: RegExp | null;
  mutate(m: ModelProto): void;
}

const nodes = (m: ModelProto) => m.graph!.node;

const CASES: CodeCase[] = [
  { rule: 'invalid-model', python: /ir_version/, mutate: (m) => void (m.ir_version = undefined) },
  { rule: 'unknown-op', python: /No Op registered for Gelu/, mutate: (m) => void (nodes(m)[0]!.op_type = 'Gelu') }, // Gelu is opset 20; the model imports 17
  { rule: 'missing-opset-import', python: /No opset import for domain/, mutate: (m) => void (nodes(m)[0]!.domain = 'com.example.unimported') },
  { rule: 'input-arity', python: /input size 2/, mutate: (m) => void nodes(m)[0]!.input.push('x') },
  { rule: 'output-arity', python: /output size 2/, mutate: (m) => void nodes(m)[0]!.output.push('r2') },
  { rule: 'missing-attribute', python: /Required attribute 'to' is missing/, mutate: (m) => void nodes(m).push(node('Cast', ['y'], ['z'], [], 'cast')) },
  { rule: 'attribute-type', python: /Mismatched attribute type/, mutate: (m) => void nodes(m).push(node('Cast', ['y'], ['z'], [attr('to', 1, 'float')], 'cast')) },
  { rule: 'unknown-attribute', python: /Unrecognized attribute: alpha/, mutate: (m) => void nodes(m)[0]!.attribute.push(attr('alpha', 0.5, 'float')) },
  { rule: 'undefined-value', python: /topologically sorted, however input 'nothing_defines_this'/, mutate: (m) => void (nodes(m)[0]!.input[0] = 'nothing_defines_this') },
  { rule: 'duplicate-definition', python: /single static assignment/, mutate: (m) => void nodes(m).push(node('Relu', ['x'], ['r'], [], 'relu_again')) },
  { rule: 'not-topologically-sorted', python: /topologically sorted, however input 'r'/, mutate: (m) => void nodes(m).reverse() },
  {
    rule: 'cycle',
    python: /topologically sorted, however input 'c2'/,
    mutate: (m) => nodes(m).push(node('Relu', ['c2'], ['c1'], [], 'c_a'), node('Relu', ['c1'], ['c2'], [], 'c_b')),
  },
  { rule: 'type-constraint', python: /unsupported type: tensor\(string\)/, mutate: (m) => void (m.graph!.input[0]!.type = tensorType(8, [1, 4])) },
  { rule: 'tensor-data', python: /cannot reshape array of size 3/, mutate: (m) => void (m.graph!.initializer[0]!.float_data = [1, 2, 3]) },
  {
    rule: 'external-data',
    python: /no-such-weights\.bin/,
    mutate: (m) => {
      const ref = [{ key: 'location', value: 'no-such-weights.bin' }];
      m.graph!.initializer[0] = tensorProto({ name: 'b', dims: [4], data_type: 1, data_location: 1, external_data: ref });
    },
  },
  { rule: 'inference-failed', python: /'step' cannot be 0/, mutate: (m) => sliceByStepZero(m) },
  {
    rule: 'deprecated-op',
    python: /Upsample is deprecated/,
    mutate: (m) => {
      nodes(m).push(node('Upsample', ['y', 'scales'], ['z'], [], 'upsample'));
      m.graph!.initializer.push(tensorProto({ name: 'scales', dims: [2], data_type: 1, float_data: [1, 2] }));
    },
  },
  { rule: 'inferred-type-conflict', python: /differ in dimension 1/, mutate: (m) => void (m.graph!.output[0]!.type = tensorType(1, [1, 5])) },
  {
    // com.microsoft has schemas here: a domain nobody knows stays unchecked.
    rule: 'not-checked',
    python: null,
    mutate: (m) => {
      nodes(m).push(node('Frobnicate', ['y'], ['z'], [], 'custom', 'com.example.custom'));
      m.opset_import.push({ domain: 'com.example.custom', version: 1 });
    },
  },
];

/** Slice of a folded value by step 0, which onnxruntime refuses (see hostile-inputs.test.ts). */
function sliceByStepZero(m: ModelProto): void {
  const ints = (name: string, v: number) => tensorProto({ name, dims: [1], data_type: 7, int64_data: [v] });
  m.graph!.initializer.push(ints('s_start', 0), ints('s_end', 1), ints('s_axis', 0), ints('s_step', 0));
  nodes(m).push(node('Slice', ['b', 's_start', 's_end', 's_axis', 's_step'], ['z'], [], 'slice'));
}

const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-codes-'));
const files = CASES.map((c) => {
  const m = reluAddModel();
  c.mutate(m);
  const path = join(dir, `${RULES[c.rule].code}-${c.rule}.onnx`);
  writeFileSync(path, bytesOf(m));
  return path;
});
const basePath = join(dir, 'valid.onnx');
writeFileSync(basePath, bytesOf(reluAddModel()));

const codesOf = (path: string): string[] => {
  const model = openModel(path);
  try {
    return checkModel(model).map((d) => d.code);
  } finally {
    model.close();
  }
};

test('every checker code has a generated model that triggers it', () => {
  assert.deepEqual(codesOf(basePath), [], 'the unmutated model is clean');
  const triggered = new Set<string>();
  CASES.forEach((c, i) => {
    const codes = codesOf(files[i]!);
    assert.ok(codes.includes(RULES[c.rule].code), `${c.rule}: expected ${RULES[c.rule].code}, got ${codes.join(', ') || 'nothing'}`);
    triggered.add(c.rule);
  });
  assert.deepEqual([...triggered].sort(), Object.keys(RULES).sort(), 'a rule without a case here');
});

test('python onnx rejects each generated defect the checker calls an error or warning, for the same reason, and accepts the rest', () => {
  const r = spawnSync('/usr/bin/python3', ['-c', PY_CHECK, basePath, ...files], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const verdicts = JSON.parse(r.stdout) as Record<string, string | null>;
  assert.equal(verdicts[basePath], null, `python rejects the valid model: ${verdicts[basePath]}`);
  CASES.forEach((c, i) => {
    const verdict = verdicts[files[i]!];
    if (c.python) assert.match(verdict ?? 'valid', c.python, c.rule);
    else assert.equal(verdict, null, c.rule);
  });
});

/**
 * python onnx: null when check_model (full check: strict shape inference too) accepts a file
 * and numpy_helper reads every stored initializer, else the message.
 */
const PY_CHECK = `
import json, sys, onnx
from onnx import numpy_helper
out = {}
for path in sys.argv[1:]:
    try:
        onnx.checker.check_model(path, full_check=True)
        for t in onnx.load(path, load_external_data=False).graph.initializer:
            if t.data_location != onnx.TensorProto.EXTERNAL:
                numpy_helper.to_array(t)
        out[path] = None
    except Exception as e:
        out[path] = str(e).strip().splitlines()[0][:300] or type(e).__name__
print(json.dumps(out))
`;
