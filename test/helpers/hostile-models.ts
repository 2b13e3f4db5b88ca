import type { ModelProto, TensorProto } from '../../src/onnx/proto/types';
import { AttributeType } from '../../src/onnx/proto/types';
import { attr, graph, model, node, tensorProto, tensorType, valueInfo } from './models';

/**
 * Tiny models whose values ask inference and checking for huge or endless work: each once
 * made the checker allocate gigabytes or spin (a few bytes of model for a 10^8-element fold).
 * Shared by the hostile-input tests (bounded memory, a hang guard) and bench/hostile.ts (timings).
 */
export interface HostileModel {
  name: string;
  /** What the model asks for. */
  asks: string;
  model(): ModelProto;
}

const INT64 = 7;
const FLOAT = 1;
const ints = (name: string, values: (number | bigint)[], dims = [values.length]): TensorProto => tensorProto({ name, dims, data_type: INT64, int64_data: values });
const scalar = (name: string, v: number): TensorProto => ints(name, [v], []);
const constant = (out: string, t: TensorProto) => node('Constant', [], [out], [attr('value', t)], out);
const outputY = [valueInfo('y')];
const floatInput = (name: string, dims: number[]) => valueInfo(name, tensorType(FLOAT, dims));
/** A 1-D int64 graph input whose declared length is huge: a rank for Reshape, Expand, ConstantOfShape. */
const declaredLength = (name: string) => valueInfo(name, tensorType(INT64, [2 ** 30]));
/** 4096 int64 values: the most one folded value may hold. */
const wide = (name: string) => constant(name, ints(name, Array.from({ length: 4096 }, (_, i) => i)));

/** A Scan over one input that claims `numScanInputs` scan inputs. */
export function scanModel(numScanInputs: number): ModelProto {
  const body = graph({ name: 'body', node: [node('Identity', ['s'], ['t'])], input: [floatInput('s', [1])], output: [floatInput('t', [1])] });
  return model(graph({ node: [node('Scan', ['x'], ['y'], [attr('body', body), attr('num_scan_inputs', numScanInputs)], 'scan')], input: [floatInput('x', [1])], output: outputY }));
}

export const HOSTILE_MODELS: HostileModel[] = [
  {
    name: 'constant-of-shape',
    asks: 'ConstantOfShape([20000, 10000]) folded: 2*10^8 elements',
    model: () => model(graph({ node: [constant('s', ints('s', [20000, 10000])), node('ConstantOfShape', ['s'], ['y'], [], 'fill')], output: outputY })),
  },
  {
    name: 'constant-of-shape-huge-dims',
    asks: 'ConstantOfShape([2^62, 2^62, 0]): dims whose product overflows a double',
    model: () => model(graph({ node: [node('ConstantOfShape', ['s'], ['y'], [], 'fill')], initializer: [ints('s', [2n ** 62n, 2n ** 62n, 0])], output: outputY })),
  },
  {
    name: 'constant-of-shape-declared-length',
    asks: 'ConstantOfShape of an input declared int64[2^30]: a rank of 2^30',
    model: () => model(graph({ node: [node('ConstantOfShape', ['s'], ['y'], [], 'fill')], input: [declaredLength('s')], output: outputY })),
  },
  {
    name: 'range',
    asks: 'Range(0, 10^8, 1) folded: 10^8 elements',
    model: () => model(graph({ node: [node('Range', ['a', 'b', 'd'], ['y'], [], 'range')], initializer: [scalar('a', 0), scalar('b', 1e8), scalar('d', 1)], output: outputY })),
  },
  {
    name: 'range-delta-zero',
    asks: 'Range(0, 10, 0): a range that never ends',
    model: () => model(graph({ node: [node('Range', ['a', 'b', 'd'], ['y'], [], 'range')], initializer: [scalar('a', 0), scalar('b', 10), scalar('d', 0)], output: outputY })),
  },
  {
    name: 'reshape-declared-length',
    asks: 'Reshape to a shape input declared int64[2^30]',
    model: () => model(graph({ node: [node('Reshape', ['x', 's'], ['y'], [], 'reshape')], input: [floatInput('x', [4]), declaredLength('s')], output: outputY })),
  },
  {
    name: 'expand-declared-length',
    asks: 'Expand to a shape input declared int64[2^30]',
    model: () => model(graph({ node: [node('Expand', ['x', 's'], ['y'], [], 'expand')], input: [floatInput('x', [4]), declaredLength('s')], output: outputY })),
  },
  {
    name: 'expand-huge-target',
    asks: 'Expand to [10^5, 10^5]: 10^10 elements',
    model: () => model(graph({ node: [node('Expand', ['x', 's'], ['y'], [], 'expand')], input: [floatInput('x', [1])], initializer: [ints('s', [1e5, 1e5])], output: outputY })),
  },
  {
    name: 'tile-huge',
    asks: 'Tile [10^5] by 10^5: 10^10 elements',
    model: () => model(graph({ node: [node('Tile', ['x', 'r'], ['y'], [], 'tile')], input: [floatInput('x', [1e5])], initializer: [ints('r', [1e5])], output: outputY })),
  },
  {
    name: 'pad-huge',
    asks: 'Pad [10] by 10^9 on each side',
    model: () => model(graph({ node: [node('Pad', ['x', 'p'], ['y'], [], 'pad')], input: [floatInput('x', [10])], initializer: [ints('p', [1e9, 1e9])], output: outputY })),
  },
  {
    name: 'reshape-symbols',
    asks: '8000 Reshapes of [4096 symbolic dims] to [-1, the same 4095 reversed]: each symbol sought among 4096',
    model: () => {
      const symbols = Array.from({ length: 4096 }, (_, i) => `d${i}`);
      const reshapes = Array.from({ length: 8000 }, (_, i) => node('Reshape', ['z', 'target'], [i === 7999 ? 'y' : `r${i}`], [], `reshape${i}`));
      const target = [node('Shape', ['x'], ['s'], [], 'shape'), node('Slice', ['s', 'one', 'big'], ['tail'], [], 'tail'), node('Concat', ['minus1', 'tail'], ['target'], [attr('axis', 0)], 'target')];
      const initializer = [ints('one', [1]), ints('big', [1e9]), ints('minus1', [-1])];
      const input = [valueInfo('x', tensorType(FLOAT, symbols)), valueInfo('z', tensorType(FLOAT, [...symbols].reverse()))];
      return model(graph({ node: [...target, ...reshapes], input, initializer, output: outputY }));
    },
  },
  {
    name: 'concat-many',
    asks: 'Concat of 3*10^4 folded 4096-element values: 1.2*10^8 elements',
    model: () => model(graph({ node: [wide('c'), node('Concat', Array<string>(30000).fill('c'), ['y'], [attr('axis', 0)], 'concat')], output: outputY })),
  },
  {
    name: 'slice-step-zero',
    asks: 'Slice with step 0 of a folded value: a loop that never ends',
    model: () =>
      model(graph({
        node: [node('Slice', ['c', 'b', 'e', 'a', 'st'], ['y'], [], 'slice')],
        initializer: [ints('c', [1, 2, 3]), ints('b', [2]), ints('e', [0]), ints('a', [0]), ints('st', [0])],
        output: outputY,
      })),
  },
  {
    name: 'fold-chain',
    asks: '12000 Adds, each folding 4096 elements: 5*10^7 elements kept',
    model: () => {
      const n = 12000;
      const adds = Array.from({ length: n }, (_, i) => node('Add', [i === 0 ? 'c' : `v${i - 1}`, 'one'], [i === n - 1 ? 'y' : `v${i}`], [], `add${i}`));
      return model(graph({ node: [wide('c'), ...adds], initializer: [scalar('one', 1)], output: outputY }));
    },
  },
  {
    name: 'scan-inputs',
    asks: 'Scan with num_scan_inputs 2^28: axes arrays of 2^28',
    model: () => scanModel(2 ** 28),
  },
  {
    name: 'sparse-constant',
    asks: 'a sparse Constant of dense size 2^62 with one value',
    model: () => {
      const sparse = { values: tensorProto({ dims: [1], data_type: FLOAT, float_data: [1] }), indices: ints('', [0, 0], [1, 2]), dims: [2 ** 31, 2 ** 31] };
      const a = { ...attr('sparse_value', 0), type: AttributeType.SPARSE_TENSOR, i: undefined, sparse_tensor: sparse };
      return model(graph({ node: [node('Constant', [], ['y'], [a], 'sparse')], output: outputY }));
    },
  },
  {
    name: 'sparse-initializer',
    asks: 'a sparse initializer of dense size 2^62 with one value',
    model: () =>
      model(graph({
        node: [node('Identity', ['sp'], ['y'], [], 'identity')],
        sparse_initializer: [{ values: tensorProto({ name: 'sp', dims: [1], data_type: FLOAT, float_data: [1] }), indices: ints('', [0, 0], [1, 2]), dims: [2 ** 31, 2 ** 31] }],
        output: outputY,
      })),
  },
];
