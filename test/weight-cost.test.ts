// The accuracy-aware weight stage's cost of keeping a node's weights float. Expected values:
// python onnx's own element counts of the constants each node reads (directly, or for Silero's
// LSTMs through the Slice/Concat/Unsqueeze chains that cut one constant into gate blocks).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { openModel } from '../src/onnx/open';
import { weightValues } from '../src/optimize/flow/weight-cost';
import { CORPUS_DIR } from './helpers/corpus';

const SILERO = join(CORPUS_DIR, 'silero_vad_v5.onnx');

/** Element counts of every Constant (any graph) by output name, from python onnx. */
function pythonConstantSizes(model: string): Record<string, number> {
  const script = `import onnx, sys, json, numpy
sizes = {}
work = [onnx.load(sys.argv[1]).graph]
while work:
    g = work.pop()
    for n in g.node:
        for a in n.attribute:
            if a.type == onnx.AttributeProto.GRAPH: work.append(a.g)
            if n.op_type == 'Constant' and a.name == 'value': sizes[n.output[0]] = int(numpy.prod(a.t.dims))
print(json.dumps(sizes))`;
  const r = spawnSync('/usr/bin/python3', ['-c', script, model], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, number>;
}

test('a recurrent node costs the constants its W and R are cut from; a Conv its weight', () => {
  const model = openModel(SILERO);
  const sizes = pythonConstantSizes(SILERO);
  const nodes = [...model.graphs()].flatMap((g) => g.nodes);
  const lstms = nodes.filter((n) => n.opType === 'LSTM');
  assert.equal(lstms.length, 4, 'two LSTMs in each branch');
  for (const lstm of lstms) {
    // Each branch's LSTMs are named after it (If_0_then_branch__Inline_0__/decoder/rnn/LSTM).
    const prefix = lstm.name.startsWith('If_0_then_branch') ? 'If_0_then_branch' : 'If_0_else_branch';
    const expected = sizes[`${prefix}__Inline_0__decoder.rnn.weight_ih`]! + sizes[`${prefix}__Inline_0__decoder.rnn.weight_hh`]!;
    assert.equal(expected, 2 * 512 * 128);
    assert.equal(weightValues(lstm), expected, lstm.id);
  }
  const conv = nodes.find((n) => n.opType === 'Conv' && n.name.endsWith('encoder/0/reparam_conv/Conv'))!;
  assert.equal(weightValues(conv), Math.max(...conv.inputs.map((i) => sizes[i] ?? 0)));
  assert.equal(weightValues(undefined), 0);
});
