import { broadcast } from '../shape-math';
import type { ConstValue, InferFn, OpContext } from '../context';
import { foldBinary, isIntegerType, numeric, type DimRule } from './fold';

const BOOL = 9;

/** Output 0 has the type and shape of input 0 (its value is another matter). */
export const sameAsInput: InferFn = (c) => c.out(0, c.type(0));

/** Unary ops that shape arithmetic uses, folded when their input is known. */
function unaryFold(f: (x: number) => number): InferFn {
  return (c) => {
    const v = c.value(0);
    c.out(0, c.type(0), v && c.fold(v.elemType, v.dims, (i) => (typeof v.data[i] === 'number' ? f(v.data[i] as number) : null)));
  };
}

const unaryNames = [
  'Abs', 'Acos', 'Acosh', 'Asin', 'Asinh', 'Atan', 'Atanh', 'Ceil', 'Cos', 'Cosh', 'Erf', 'Exp', 'Floor', 'Log', 'Neg',
  'Reciprocal', 'Relu', 'Round', 'Sigmoid', 'Sign', 'Sin', 'Sinh', 'Softplus', 'Softsign', 'Sqrt', 'Tan', 'Tanh', 'Elu',
  'Selu', 'Celu', 'LeakyRelu', 'HardSigmoid', 'HardSwish', 'ThresholdedRelu', 'Shrink', 'Mish', 'Gelu', 'Not', 'BitwiseNot',
  'Softmax', 'LogSoftmax', 'Hardmax', 'LRN', 'MeanVarianceNormalization', 'InstanceNormalization', 'CumSum', 'Trilu',
  'ReverseSequence', 'Scatter', 'ScatterElements', 'ScatterND', 'LpNormalization', 'Swish',
];

const identity: InferFn = (c) => c.out(0, c.type(0), c.value(0));

const boolLike: InferFn = (c) => c.tensor(0, BOOL, c.shape(0));

/** Broadcasting over all inputs; output element type from `elemFrom` input or a fixed type. */
function broadcasting(elem: (c: OpContext) => number | undefined, fold?: DimRule): InferFn {
  return (c) => {
    const shapes = Array.from({ length: c.inputCount }, (_, i) => c.shape(i));
    const elemType = elem(c);
    let value: ConstValue | undefined;
    const a = c.value(0);
    const b = c.value(1);
    if (fold && c.inputCount === 2 && a && b && elemType !== undefined) value = foldBinary(c, a, b, elemType, fold);
    c.tensor(0, elemType, broadcast(shapes), value);
  };
}

const fromInput0 = (c: OpContext): number | undefined => c.elem(0);
const bool = (): number => BOOL;

export const ELEMENTWISE: Record<string, InferFn> = {
  ...Object.fromEntries(unaryNames.map((n) => [n, sameAsInput])),
  Neg: unaryFold((x) => -x),
  Abs: unaryFold(Math.abs),
  Floor: unaryFold(Math.floor),
  Ceil: unaryFold(Math.ceil),
  Sqrt: unaryFold(Math.sqrt),
  Identity: identity,
  IsNaN: boolLike,
  IsInf: boolLike,
  Add: broadcasting(fromInput0, (x, y) => (y === 0 ? x : x === 0 ? y : numeric((p, q) => p + q)(x, y))),
  Sub: broadcasting(fromInput0, (x, y) => (y === 0 ? x : numeric((p, q) => p - q)(x, y))),
  Mul: broadcasting(fromInput0, (x, y) => (y === 1 ? x : x === 1 ? y : numeric((p, q) => p * q)(x, y))),
  Div: broadcasting(fromInput0, (x, y) => (y === 1 ? x : numeric((p, q) => p / q)(x, y))),
  Pow: broadcasting(fromInput0),
  Mod: broadcasting(fromInput0),
  BitShift: broadcasting(fromInput0),
  BitwiseAnd: broadcasting(fromInput0),
  BitwiseOr: broadcasting(fromInput0),
  BitwiseXor: broadcasting(fromInput0),
  PRelu: broadcasting(fromInput0),
  // Dims are never negative: max(dim, 0 or less) is the dim.
  Max: broadcasting(fromInput0, (x, y) => (typeof y === 'number' && y <= 0 && x !== null ? x : typeof x === 'number' && x <= 0 && y !== null ? y : numeric(Math.max)(x, y))),
  Min: broadcasting(fromInput0, numeric(Math.min)),
  Mean: broadcasting(fromInput0),
  Sum: broadcasting(fromInput0),
  And: broadcasting(bool),
  Or: broadcasting(bool),
  Xor: broadcasting(bool),
  // A symbolic dim equals itself and is never negative (exporters compare shapes with -1).
  Equal: broadcasting(bool, (x, y) => (x !== null && x === y ? 1 : (typeof x === 'string' && typeof y === 'number' && y < 0) || (typeof y === 'string' && typeof x === 'number' && x < 0) ? 0 : numeric((p, q) => (p === q ? 1 : 0))(x, y))),
  Greater: broadcasting(bool, numeric((x, y) => (x > y ? 1 : 0))),
  Less: broadcasting(bool, numeric((x, y) => (x < y ? 1 : 0))),
  GreaterOrEqual: broadcasting(bool, numeric((x, y) => (x >= y ? 1 : 0))),
  LessOrEqual: broadcasting(bool, numeric((x, y) => (x <= y ? 1 : 0))),
  Where: (c) => {
    const cond = c.value(0);
    const x = c.value(1);
    const y = c.value(2);
    let value: ConstValue | undefined;
    if (cond && x && y && cond.data.length === x.data.length && x.data.length === y.data.length) {
      value = c.fold(x.elemType, x.dims, (i) => (cond.data[i] === null ? null : cond.data[i] ? x.data[i]! : y.data[i]!));
    }
    c.tensor(0, c.elem(1) ?? c.elem(2), broadcast([c.shape(0), c.shape(1), c.shape(2)]), value);
  },
  Clip: sameAsInput,
  Dropout: (c) => {
    c.out(0, c.type(0), c.value(0));
    c.tensor(1, BOOL, c.shape(0));
  },
  Cast: (c) => {
    const to = c.attrInt('to', 0);
    const v = c.value(0);
    const convert = (d: number): number => (to === BOOL ? (d ? 1 : 0) : isIntegerType(to) ? Math.trunc(d) : d);
    c.tensor(0, to, c.shape(0), v && c.fold(to, v.dims, (i) => (typeof v.data[i] === 'number' ? convert(v.data[i] as number) : v.data[i]!)));
  },
  CastLike: (c) => c.tensor(0, c.elem(1), c.shape(0)),
  Bernoulli: (c) => c.tensor(0, c.attrInt('dtype') ?? c.elem(0), c.shape(0)),
  EyeLike: (c) => c.tensor(0, c.attrInt('dtype') ?? c.elem(0), c.shape(0)),
  RandomNormalLike: (c) => c.tensor(0, c.attrInt('dtype') ?? c.elem(0), c.shape(0)),
  RandomUniformLike: (c) => c.tensor(0, c.attrInt('dtype') ?? c.elem(0), c.shape(0)),
  BatchNormalization: (c) => {
    c.out(0, c.type(0));
    const ch = c.shape(1);
    for (let i = 1; i < c.outputCount; i++) c.tensor(i, c.elem(1) ?? c.elem(0), ch);
  },
};
