import type { InferFn } from '../context';
import { CONTROL_OPS } from './control';
import { ELEMENTWISE } from './elementwise';
import { MISC_OPS } from './misc';
import { NN_OPS } from './nn';
import { REDUCE_OPS } from './reduce';
import { TENSOR_OPS } from './tensor';

/** Shape functions of the default and ai.onnx.ml domains, by op type. */
export const OPS: Record<string, InferFn> = { ...ELEMENTWISE, ...MISC_OPS, ...NN_OPS, ...REDUCE_OPS, ...CONTROL_OPS, ...TENSOR_OPS };
