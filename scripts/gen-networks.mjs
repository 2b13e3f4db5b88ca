// Generates synthetic networks for the large-graph benchmarks and tests, written with
// protobufjs (not our encoder, so our reader is tested on another writer's bytes):
//   node scripts/gen-networks.mjs [OUT_DIR]  → net-{flat,ns}-{1k,10k,100k}.onnx, net-flat-1m.onnx
// Blocks of MatMul → Add → Relu with a residual Add every other block (an MLP tower, the
// deep-chain shape real networks have). `ns` names nodes like PyTorch exports
// (/layers.12/mlp/MatMul); `flat` names them n0, n1, … with no namespaces.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ?? join(root, '.cache', 'bench');
const ModelProto = protobuf.parse(readFileSync(join(root, 'src', 'onnx', 'proto', 'onnx.proto'), 'utf8'), { keepCase: true }).root.lookupType('onnx.ModelProto');
const FLOAT = 1;
const WIDTH = 16;

function network(count, namespaced) {
  const node = [];
  let x = 'input';
  let residual = x;
  let k = 0;
  const name = (block, part, op) => (namespaced ? `/layers.${block}/${part}/${op}` : `n${k}`);
  const add = (op, inputs, block, part) => {
    const output = `t${k}`;
    node.push({ op_type: op, input: inputs, output: [output], name: name(block, part, op) });
    k++;
    return output;
  };
  for (let block = 0; k < count; block++) {
    x = add('MatMul', [x, 'W'], block, 'mlp');
    if (k < count) x = add('Add', [x, 'B'], block, 'mlp');
    if (k < count) x = add('Relu', [x], block, 'act');
    if (block % 2 === 1 && k < count) {
      x = add('Add', [x, residual], block, 'residual');
      residual = x;
    }
  }
  const weights = (dims) => ({ dims, data_type: FLOAT, raw_data: Buffer.alloc(4 * dims.reduce((a, b) => a * b, 1)) });
  const tensor = (n, dims) => ({ name: n, type: { tensor_type: { elem_type: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } } } });
  return {
    ir_version: 8,
    producer_name: 'onnx-studio gen-networks',
    opset_import: [{ domain: '', version: 17 }],
    graph: {
      name: `${namespaced ? 'ns' : 'flat'}-${count}`,
      node,
      initializer: [{ name: 'W', ...weights([WIDTH, WIDTH]) }, { name: 'B', ...weights([WIDTH]) }],
      input: [tensor('input', ['batch', WIDTH])],
      output: [tensor(x, ['batch', WIDTH])],
    },
  };
}

mkdirSync(out, { recursive: true });
for (const [label, count] of [['1k', 1000], ['10k', 10_000], ['100k', 100_000], ['1m', 1_000_000]]) {
  for (const kind of ['flat', 'ns']) {
    const path = join(out, `net-${kind}-${label}.onnx`);
    if (existsSync(path) || (label === '1m' && kind === 'ns')) continue;
    const bytes = ModelProto.encode(ModelProto.fromObject(network(count, kind === 'ns'))).finish();
    writeFileSync(path, bytes);
    console.log(`wrote ${path} (${count} nodes, ${(bytes.length / 1024).toFixed(0)} KiB)`);
  }
}
