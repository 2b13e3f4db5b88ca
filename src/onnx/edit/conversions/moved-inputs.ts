import type { Conversion, ConversionScope } from './scope';
import { floatOf } from './attributes';

/**
 * Attributes that became inputs: Slice-10, TopK-10, Pad-11, Clip-11, Dropout-12, Split-13,
 * Squeeze/Unsqueeze-13, ReduceSum-13, the other Reduce* ops at 18, DFT-20. Each new input is
 * a constant named after the node (`<node>_axes`); an absent optional attribute stays an
 * absent input, so the operator's default (the same in both versions) applies.
 */

/** Sets input `index` to `name`, padding skipped optional inputs with ''. */
function setInput(s: ConversionScope, index: number, name: string): void {
  const input = [...s.node.input];
  while (input.length < index) input.push('');
  input[index] = name;
  s.node.input = input;
}

/** Moves an ints attribute to input `index` as a 1-D int64 tensor; returns whether it was there. */
function intsToInput(s: ConversionScope, attribute: string, index: number, required = false): boolean {
  const a = s.takeAttribute(attribute);
  if (!a) {
    if (required) s.refuse(`it has no '${attribute}' attribute, which its version requires`);
    return false;
  }
  setInput(s, index, s.int64Constant(attribute, a.ints));
  return true;
}

const trimEmptyTail = (s: ConversionScope): void => {
  const input = [...s.node.input];
  while (input.length && input[input.length - 1] === '') input.pop();
  s.node.input = input;
};

export const sliceInputs: Conversion = (s) => {
  if (s.node.input.length > 1) return; // already in the input form (a Slice-10 in a mislabelled model is not ours to judge)
  intsToInput(s, 'starts', 1, true);
  intsToInput(s, 'ends', 2, true);
  intsToInput(s, 'axes', 3);
  s.note('starts, ends, axes attributes → inputs');
};

export const topKInput: Conversion = (s) => {
  const k = s.takeAttribute('k');
  if (!k) return s.refuse("it has no 'k' attribute, which TopK-1 requires");
  setInput(s, 1, s.int64Constant('k', [k.i ?? 0], [1]));
  s.note('k attribute → input');
};

/** A scalar of X's floating-point type: Pad's value and Clip's bounds are typed like the data. */
function dataScalar(s: ConversionScope, suffix: string, value: number): string {
  const type = s.elemType(0);
  if (type === undefined) s.refuse(`the element type of its input '${s.node.input[0]}' is unknown, and the new '${suffix}' input must have it`);
  return s.floatConstant(suffix, [value], type, []);
}

export const padInputs: Conversion = (s) => {
  intsToInput(s, 'pads', 1, true);
  const value = s.takeAttribute('value');
  if (value && floatOf(value, 0) !== 0) setInput(s, 2, dataScalar(s, 'value', floatOf(value, 0)));
  s.note('pads, value attributes → inputs');
};

export const clipInputs: Conversion = (s) => {
  const min = s.takeAttribute('min');
  const max = s.takeAttribute('max');
  if (min) setInput(s, 1, dataScalar(s, 'min', floatOf(min, 0)));
  if (max) setInput(s, 2, dataScalar(s, 'max', floatOf(max, 0)));
  trimEmptyTail(s);
  s.note('min, max attributes → inputs');
};

export const dropoutRatioInput: Conversion = (s) => {
  const ratio = s.takeAttribute('ratio');
  // Dropout-12's ratio is its own float type (T1); float32 is one of them.
  if (ratio) setInput(s, 1, s.floatConstant('ratio', [floatOf(ratio, 0.5)], 1, []));
  s.note('ratio attribute → input');
};

export const splitInput: Conversion = (s) => {
  if (intsToInput(s, 'split', 1)) s.note('split attribute → input');
};

/** Squeeze/Unsqueeze-13, ReduceSum-13, Reduce*-18: `axes` becomes input 1. */
export const axesInput: Conversion = (s) => {
  if (intsToInput(s, 'axes', 1)) s.note('axes attribute → input');
};

export const dftAxisInput: Conversion = (s) => {
  const axis = s.takeAttribute('axis');
  // DFT-17's axis defaults to 1; DFT-20's input defaults to -2: say the old axis explicitly.
  setInput(s, 2, s.int64Constant('axis', [axis?.i ?? 1], []));
  s.note('axis attribute → input');
};
