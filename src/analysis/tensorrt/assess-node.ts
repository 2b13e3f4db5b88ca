import type { FunctionProto } from '../../onnx/proto/types';
import { opVersions, resolveSchema } from '../../onnx/schema/registry';
import { checkTypes } from './dtype-check';
import { localFunctionKey, recursiveFunction, unsupportedBodyOps } from './local-functions';
import type { NodeFacts } from './node-facts';
import type { PreflightFinding } from './preflight';
import { ruleFor } from './restrictions';
import { unknown, violated, type Verdict } from './verdict';
import { acceptsOpset, opsetRangeText, versionsSupporting, type TensorRTVersion, type VersionMatrix } from './versions';

export type TrtStatus = 'supported' | 'conditional' | 'unsupported';

export interface NodeAssessment {
  status: TrtStatus;
  reasons: string[];
}

/** What every node's assessment needs besides the node itself. */
export interface AssessContext {
  version: TensorRTVersion;
  matrix: VersionMatrix;
  /** Non-default-domain ops with a TensorRT plugin the user declares (`Op` or `domain::Op`). */
  plugins: ReadonlySet<string>;
  functions: Map<string, FunctionProto>;
  findingsByNode: Map<string, PreflightFinding[]>;
}

/** The verdicts of one node against the chosen version's matrix, restrictions, types and preflight. */
export function assessNode(f: NodeFacts, ctx: AssessContext): NodeAssessment {
  const verdicts = [...operatorVerdicts(f, ctx), modelOpsetVerdict(f, ctx)];
  const notes: string[] = [];
  for (const finding of ctx.findingsByNode.get(f.node.id) ?? []) {
    const text = `${finding.message}: ${finding.advice}`;
    // An info finding is worth knowing but changes nothing TensorRT does: a note, not a verdict.
    if (finding.severity === 'info') notes.push(`note: ${text}`);
    else verdicts.push(finding.severity === 'error' ? violated(text) : unknown(text));
  }
  const a = summarize(verdicts);
  return { status: a.status, reasons: [...a.reasons, ...notes] };
}

export function summarize(verdicts: Verdict[]): NodeAssessment {
  const broken = verdicts.filter((v) => v?.kind === 'violated').map((v) => v!.detail);
  const open = verdicts.filter((v) => v?.kind === 'unknown').map((v) => v!.detail);
  const reasons = [...new Set([...broken, ...open.map((d) => `condition: ${d}`)])];
  return { status: broken.length ? 'unsupported' : open.length ? 'conditional' : 'supported', reasons };
}

function* operatorVerdicts(f: NodeFacts, ctx: AssessContext): Generator<Verdict> {
  const { node } = f;
  const op = node.opType;
  const v = ctx.version;
  if (!op) return yield violated('the node has no op_type');
  const fn = ctx.functions.get(localFunctionKey(node.domain, op));
  if (fn && (node.domain !== '' || !ctx.matrix.ops[op])) return yield* functionVerdicts(fn, ctx);
  if (node.domain !== '') {
    const full = `${node.domain}::${op}`;
    if (ctx.plugins.has(op) || ctx.plugins.has(full)) return yield unknown(`${full} runs as a declared TensorRT plugin, which must be loaded at build time`);
    return yield violated(`${full} is outside the ONNX default domain and no TensorRT plugin is declared for it`);
  }
  const row = ctx.matrix.ops[op];
  if (!row || !row.supported) {
    const later = versionsSupporting(op).filter((x) => Number(x) > Number(v));
    const known = opVersions('', op) ? '' : ' (not an ONNX operator the schema registry knows)';
    const where = row ? `TensorRT ${v} marks ${op} as not supported` : `${op} is not in TensorRT ${v}'s operator matrix${known}`;
    yield violated(`${where}${later.length ? `; TensorRT ${later.join(', ')} supports it` : ''}`);
    for (const phrase of row?.restrictions ?? []) if (ruleFor(phrase)?.kind === 'note' && phrase !== 'Not supported') yield violated(phrase);
    return;
  }
  yield* opsetVerdicts(f, ctx);
  for (const phrase of row.restrictions) {
    const rule = ruleFor(phrase);
    if (!rule || rule.kind === 'condition') yield unknown(phrase);
    else if (rule.kind === 'checked') {
      const verdict = rule.check(f);
      if (verdict) yield { kind: verdict.kind, detail: `${phrase}: ${verdict.detail}` };
    }
  }
  yield* checkTypes(f, row, v, ctx.matrix);
}

/**
 * A default-domain node of a model whose opset lies outside the version's range: the parser
 * refuses the whole model, so every such node is unsupported whatever its own op version.
 */
function modelOpsetVerdict(f: NodeFacts, ctx: AssessContext): Verdict {
  if (f.node.domain !== '' || !f.op || acceptsOpset(ctx.matrix, f.opset)) return undefined;
  const range = opsetRangeText(ctx.matrix);
  return violated(`the model's default-domain opset ${f.opset} is outside TensorRT ${ctx.version}'s range (opset ${range}): its ONNX parser refuses the model; export it with an opset in ${range}`);
}

/** The op version the model resolves to must lie in the version's opset range. */
function* opsetVerdicts(f: NodeFacts, ctx: AssessContext): Generator<Verdict> {
  const { opsetMin, opsetMax } = ctx.matrix;
  const schema = resolveSchema('', f.op, f.opset);
  if (!schema) return;
  if (schema.since > opsetMax) yield violated(`${f.op}-${schema.since} (opset ${f.opset}) is newer than TensorRT ${ctx.version}'s opset range (up to ${opsetMax}): export with opset ${opsetMax} or lower`);
  if (opsetMin !== null && f.opset < opsetMin) {
    const atMin = resolveSchema('', f.op, opsetMin);
    if (atMin && atMin.since !== schema.since) yield violated(`${f.op}-${schema.since} (opset ${f.opset}) predates TensorRT ${ctx.version}'s opset range (${opsetMin}–${opsetMax}): upgrade the model's opset`);
  }
}

function* functionVerdicts(fn: FunctionProto, ctx: AssessContext): Generator<Verdict> {
  const recursive = recursiveFunction(fn, ctx.functions);
  if (recursive) return yield violated(`model-local function '${recursive}' calls itself (directly or through others): ONNX forbids recursive functions and TensorRT cannot inline one`);
  const bad = unsupportedBodyOps(fn, ctx.functions, ctx.matrix);
  if (bad.length) yield violated(`model-local function '${fn.name}' uses ops TensorRT ${ctx.version} does not support: ${bad.join(', ')}`);
  else yield unknown(`model-local function '${fn.name}': TensorRT inlines it; its body ops are all in the matrix, their restrictions are not checked here`);
}
