// Round trips a careless or hostile user breaks: every text `text` writes compiles back, and
// `compile` gives the same weights python onnx reads from the original model.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI } from './helpers/corpus';

const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
const fresh = (): string => mkdtempSync(join(tmpdir(), 'onnx-studio-attack-'));

/** python onnx: a model with one large initializer `w` = arange(4096) as float32, in the model file. */
function pythonModel(path: string): void {
  execFileSync('/usr/bin/python3', ['-c', `
import sys, numpy as np, onnx
from onnx import helper, numpy_helper, TensorProto
w = numpy_helper.from_array(np.arange(4096, dtype=np.float32), 'w')
g = helper.make_graph([helper.make_node('Add', ['x', 'w'], ['y'])], 'g', [helper.make_tensor_value_info('x', TensorProto.FLOAT, [4096])], [helper.make_tensor_value_info('y', TensorProto.FLOAT, [4096])], [w])
onnx.save_model(helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)]), sys.argv[1])
`, path]);
}

/** python onnx's reading of `w`: equal to arange(4096)? */
function pythonHasArange(path: string): boolean {
  const out = execFileSync('/usr/bin/python3', ['-c', `
import sys, numpy as np, onnx
from onnx import numpy_helper
w = {t.name: numpy_helper.to_array(t) for t in onnx.load(sys.argv[1]).graph.initializer}['w']
print(bool(np.array_equal(w, np.arange(4096, dtype=np.float32))))
`, path]);
  return out.toString().trim() === 'True';
}

for (const how of ['symlink', 'hard link'] as const) {
  test(`text of a model reached through a ${how} compiles back (the text does not refer to a file compile refuses)`, () => {
    const dir = fresh();
    mkdirSync(join(dir, 'blobs'));
    mkdirSync(join(dir, 'snapshot'));
    const real = join(dir, 'blobs', 'm.onnx');
    pythonModel(real);
    const model = join(dir, 'snapshot', 'model.onnx');
    if (how === 'symlink') symlinkSync('../blobs/m.onnx', model);
    else linkSync(real, model);
    const text = join(dir, 'snapshot', 'model.onnxtxt');
    const printed = run('text', model, '-o', text);
    assert.equal(printed.status, 0, printed.stderr);
    const compiled = run('compile', text, '-o', join(dir, 'snapshot', 'out.onnx'));
    assert.equal(compiled.status, 0, compiled.stderr);
    assert.ok(pythonHasArange(join(dir, 'snapshot', 'out.onnx')));
  });
}

test('strings and names with control or invisible characters (NUL, CR, bidi override) print as text that compiles back to the same bytes', () => {
  const dir = fresh();
  const model = join(dir, 'm.onnx');
  const script = (body: string): string => `
import sys, json, numpy as np, onnx
from onnx import helper, numpy_helper, TensorProto
${body}`;
  const values = ['a\x00b', 'cr\r\nlf', '\u202eevil', 'bom\ufeff', 'del\x7f\x1b[31m', 'u\\u0041'];
  execFileSync('/usr/bin/python3', ['-c', script(`
vals = json.loads(sys.argv[2])
s = numpy_helper.from_array(np.array([v.encode() for v in vals], dtype=object), 'strs')
n = helper.make_node('Identity', ['x'], [vals[2]], name=vals[1], tag=vals[0], tags=vals[3:])
g = helper.make_graph([n], 'g', [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1])], [helper.make_tensor_value_info(vals[2], TensorProto.FLOAT, [1])], [s])
onnx.save_model(helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)]), sys.argv[1])
`), model, JSON.stringify(values)]);
  const text = join(dir, 'm.onnxtxt');
  assert.equal(run('text', model, '-o', text).status, 0);
  const compiled = run('compile', text, '-o', join(dir, 'out.onnx'));
  assert.equal(compiled.status, 0, compiled.stderr);
  const read = execFileSync('/usr/bin/python3', ['-c', script(`
m = onnx.load(sys.argv[1]); n = m.graph.node[0]; a = {x.name: x for x in n.attribute}
print(json.dumps([[s.decode() for s in m.graph.initializer[0].string_data], n.name, n.output[0], a['tag'].s.decode(), [s.decode() for s in a['tags'].strings]]))
`), join(dir, 'out.onnx')]);
  assert.deepEqual(JSON.parse(read.toString()), [values, values[1], values[2], values[0], values.slice(3)]);
});

test("an output that names a folder ('new/', 'model.onnx/', 'x/.') is refused with exit 2, not written as a file", () => {
  const dir = fresh();
  const model = join(dir, 'm.onnx');
  pythonModel(model);
  const text = join(dir, 'm.onnxtxt');
  assert.equal(run('text', model, '-o', text).status, 0);
  const existing = join(dir, 'keep.onnx');
  pythonModel(existing);
  const before = readFileSync(existing);
  for (const target of [join(dir, 'new') + '/', existing + '/', join(dir, 'new2') + '/.']) {
    for (const args of [['compile', text], ['text', model]]) {
      const r = run(...args, '-o', target);
      assert.equal(r.status, 2, `${args[0]} -o ${target}: ${r.stderr}`);
      assert.match(r.stderr, /names a folder/);
    }
  }
  assert.deepEqual(readdirSync(dir).sort(), ['keep.onnx', 'm.onnx', 'm.onnxtxt']);
  assert.ok(readFileSync(existing).equals(before));
});

test('nested If subgraphs: what python onnx (protobuf) loads opens here, what it refuses is refused with exit 2', () => {
  const dir = fresh();
  // python builds 20..40 nested Ifs and says which it can load back (protobuf's recursion limit).
  const loads = JSON.parse(execFileSync('/usr/bin/python3', ['-c', `
import sys, json, onnx
from onnx import helper, TensorProto
def nested(d):
    leaf = lambda: helper.make_graph([helper.make_node('Identity', ['x'], ['y'])], 'leaf', [], [helper.make_tensor_value_info('y', TensorProto.FLOAT, [1])])
    g = leaf()
    for i in range(d):
        g = helper.make_graph([helper.make_node('If', ['c'], ['y'], then_branch=g, else_branch=leaf())], 'g%d' % (i + 1), [], [helper.make_tensor_value_info('y', TensorProto.FLOAT, [1])])
    return g
out = {}
for d in list(range(20, 41, 4)) + [32, 33]:
    path = '%s/if%d.onnx' % (sys.argv[1], d)
    open(path, 'wb').write(helper.make_model(nested(d), opset_imports=[helper.make_opsetid('', 17)]).SerializeToString())
    try:
        onnx.load(path); out[d] = True
    except Exception:
        out[d] = False
print(json.dumps(out))
`, dir]).toString()) as Record<string, boolean>;
  assert.ok(Object.values(loads).includes(true) && Object.values(loads).includes(false), JSON.stringify(loads));
  for (const [depth, ok] of Object.entries(loads)) {
    const r = run('inspect', join(dir, `if${depth}.onnx`));
    assert.equal(r.status, ok ? 0 : 2, `${depth} nested Ifs (python onnx ${ok ? 'loads' : 'refuses'} it): ${r.stderr}`);
  }
});

test('weights over 2 GiB are not read into a model (compile, or text away from the model): exit 2 with a message, not an internal error', () => {
  const dir = fresh();
  const size = 2 ** 31 + 4096; // a sparse file: no disk is used, and nothing is read
  execFileSync('truncate', ['-s', String(size), join(dir, 'big.bin')]);
  const text = join(dir, 'big.onnxtxt');
  writeFileSync(text, `<\n ir_version: 8,\n opset_import: ["" : 17]\n>\ng (float[1] x) => (float[1] y)\n<float[${size / 4}] w = ["location": "big.bin", "length": "${size}"]>\n{\n y = Identity (x)\n}\n`);
  const inlined = run('compile', text, '-o', join(dir, 'inlined.onnx'));
  assert.equal(inlined.status, 2, inlined.stderr);
  assert.match(inlined.stderr, /over 2 GiB/);
  const kept = run('compile', text, '-o', join(dir, 'kept.onnx'), '--keep-external');
  assert.equal(kept.status, 0, kept.stderr);
  mkdirSync(join(dir, 'elsewhere'));
  const away = run('text', join(dir, 'kept.onnx'), '-o', join(dir, 'elsewhere', 'kept.onnxtxt'));
  assert.equal(away.status, 2, away.stderr);
  assert.match(away.stderr, /over 2 GiB/);
  assert.deepEqual(readdirSync(join(dir, 'elsewhere')), []);
  assert.ok(!readdirSync(dir).includes('inlined.onnx'));
});
