import type { InferFn } from '../context';
import { CONTRIB_OPS } from './contrib';
import { CONTROL_OPS } from './control';
import { ELEMENTWISE } from './elementwise';
import { MISC_OPS } from './misc';
import { NN_OPS } from './nn';
import { REDUCE_OPS } from './reduce';
import { TENSOR_OPS } from './tensor';

/** Shape functions of the default and ai.onnx.ml domains, by op type. */
const OPS: Record<string, InferFn> = { ...ELEMENTWISE, ...MISC_OPS, ...NN_OPS, ...REDUCE_OPS, ...CONTROL_OPS, ...TENSOR_OPS };

const BY_DOMAIN: Record<string, Record<string, InferFn>> = { '': OPS, 'ai.onnx.ml': OPS, 'ai.onnx.preview.training': OPS, 'com.microsoft': CONTRIB_OPS };

/** The shape function of an operator, when there is one for its domain. */
export function shapeFunction(domain: string, opType: string): InferFn | undefined {
  const ops = BY_DOMAIN[domain];
  return ops && Object.hasOwn(ops, opType) ? ops[opType] : undefined;
}
