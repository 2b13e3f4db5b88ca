import { ModelEdit } from '../../onnx/edit/model-edit';
import type { ModelFiles } from '../../onnx/io/model-files';
import { buildModel } from '../../onnx/model/build';
import { Model } from '../../onnx/model/graph';
import type { ModelProto } from '../../onnx/proto/types';
import type { TransformReport } from '../report';
import { applyPlan } from './apply';
import { NothingToConvertError } from './errors';
import { fp16Options, type Fp16Options } from './options';
import { planFloat16, type Plan } from './plan';

/** What the conversion reports (the measured parts of TransformReport come from the runtime layer). */
export type Fp16Result = Pick<TransformReport, 'details' | 'nodesAdded' | 'nodesChanged' | 'keptFloat' | 'keptFloatWhy' | 'warnings'>;

/**
 * Converts a model to float16 in place (its protos): float32 initializers, Constant tensors
 * and value types of every graph, If/Loop/Scan bodies included; Casts where a value meets a
 * reader that needs the other precision (kept graph inputs/outputs, blocked nodes, inputs
 * whose type constraints exclude float16). Weights become computed tensors, converted while
 * the encoder writes them. Throws NothingToConvertError (before changing anything) when no
 * float32 initializer or Constant would be converted; RangeError for bad options.
 */
export function convertToFloat16(model: Model | ModelEdit | ModelProto, options: Partial<Fp16Options> = {}, files?: ModelFiles): Fp16Result {
  const opts = fp16Options(options);
  const m = model instanceof Model ? model : buildModel(model instanceof ModelEdit ? model.proto : model, files);
  const edit = model instanceof ModelEdit ? model : new ModelEdit(m.proto);
  const plan = planFloat16(m, opts);
  const constants = [...plan.defs.values()].filter((d) => (d.kind === 'initializer' || d.kind === 'constant') && d.prec !== 32);
  if (!constants.length) throw new NothingToConvertError(`nothing to convert to float16: ${nothingToConvertReason(plan)}`);
  const r = applyPlan(plan, edit, { maxFinite: opts.maxFinite, minPositive: opts.minPositive });
  const keptFloat: string[] = [];
  const keptFloatWhy: Record<string, string> = {};
  for (const [node, why] of plan.kept) {
    keptFloat.push(node.id);
    keptFloatWhy[node.id] = why;
  }
  const warnings = [...plan.warnings];
  if (r.counts.clamped) warnings.push(`${r.counts.clamped} value(s) beyond ±${opts.maxFinite} were clamped to ±${opts.maxFinite}`);
  if (r.counts.flushed) warnings.push(`${r.counts.flushed} non-zero value(s) below float16's smallest subnormal (2^-24) became 0`);
  const details: Fp16Result['details'] = {
    initializersConverted: r.initializersConverted,
    constantsConverted: r.constantsConverted,
    constantsCopied: r.constantsCopied,
    valuesConverted: r.valuesConverted,
    clampedValues: r.counts.clamped,
    flushedToZero: r.counts.flushed,
    castsInserted: r.castsInserted,
    nodesBlocked: plan.kept.size,
    ...keptBreakdown(plan.kept.values()),
    subgraphsConverted: plan.graphs.length - 1,
    keepIoTypes: opts.keepIoTypes,
    maxFinite: opts.maxFinite,
    minPositive: opts.minPositive,
  };
  if (opts.minPositive > 0) details.raisedToMinPositive = r.counts.raised;
  return { details, nodesAdded: r.nodesAdded, nodesChanged: r.changed.size, keptFloat, keptFloatWhy, warnings };
}

/** Kept nodes by kind of reason: block lists, weights beyond range, exact shape arithmetic, the rest (no float16 in the schema, sequences, …). */
function keptBreakdown(reasons: Iterable<string>): Record<string, number> {
  const counts = { keptByBlockList: 0, keptForRange: 0, keptShapeArithmetic: 0, keptOther: 0 };
  for (const why of reasons) {
    if (why.endsWith('block list')) counts.keptByBlockList++;
    else if (why.includes("float16's range")) counts.keptForRange++;
    else if (why.includes('shape arithmetic')) counts.keptShapeArithmetic++;
    else counts.keptOther++;
  }
  return counts;
}

/** Why no float32 constant converts: every node blocked, constants read only as float32, initializers kept as graph inputs, or none at all. */
function nothingToConvertReason(plan: Plan): string {
  const defs = [...plan.defs.values()];
  const nodes = plan.graphs.reduce((n, g) => n + g.nodes.length, 0);
  if (nodes && plan.kept.size >= nodes) {
    const reasons = new Set(plan.kept.values());
    const blockLists = [...reasons].every((why) => why.endsWith('block list'));
    return blockLists
      ? `all ${nodes} node(s) are kept float32 by the block lists (--block-ops / --block-nodes)`
      : `all ${nodes} node(s) are kept float32 (e.g. ${[...reasons].slice(0, 2).join('; ')})`;
  }
  const constants = defs.filter((d) => d.kind === 'initializer' || d.kind === 'constant' || (d.kind === 'node' && d.node?.opType === 'Constant')).length;
  if (constants) return `the model's ${constants} float32 initializer(s)/Constant(s) are read only as float32 (blocked operators or float32-only inputs)`;
  const asInputs = defs.filter((d) => d.kind === 'fixed32' && d.value.initializer).length;
  if (asInputs) return `the model's ${asInputs} float32 initializer(s) are also graph inputs, kept float32 with the IO types; --no-keep-io-types converts them`;
  return 'the model has no float32 initializer or Constant (already float16, or no float weights)';
}
