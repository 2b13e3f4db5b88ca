import { toNumber } from '../proto/byte-range';
import type { FunctionProto, GraphProto, ModelProto, NodeProto, TensorProto } from '../proto/types';
import { resolveSchema } from '../schema/registry';
import { Tensor, toNumbers, type NumericValues } from '../tensor';
import { constantTensor } from './computed-tensor';
import { floatValues } from './conversions/constants';
import { InputTypes } from './conversions/input-types';
import { constantTensors, defaultOpset, isDefaultDomain, mainGraphs, minimumIrVersion, namesRead, withDefaultOpset } from './conversions/model-parts';
import type { ConversionScope } from './conversions/scope';
import { copyModelStructure } from './conversions/structure';
import { changedAt, COMPATIBLE, CONVERSIONS } from './conversions/table';
import type { GraphEdit } from './graph-edit';
import { ModelEdit } from './model-edit';
import { newNode, tensorAttr } from './proto-factory';
import { nodeSubgraphs } from './subgraphs';

const INT64 = 7;

/** The newest opset whose operator changes are classified (conversions/table.ts). */
export const NEWEST_UPGRADE_OPSET = 21;

/** A node that cannot be carried to the target opset (or a request that cannot be met), named. */
export class OpsetUpgradeError extends Error {
  override name = 'OpsetUpgradeError';
  constructor(
    /** The node's name (its first output when it has none); undefined when the whole request is refused. */
    readonly node: string | undefined,
    readonly opType: string | undefined,
    readonly reason: string,
  ) {
    super(node !== undefined ? `node '${node}' (${opType}) cannot be converted to the target opset: ${reason}` : reason);
  }
}

export interface ConvertedNode {
  node: string;
  /** The operator before conversion (Upsample, Scatter change their op type). */
  opType: string;
  /** What was done, one entry per version step. */
  changes: string[];
}

export interface UpgradeResult {
  /** The upgraded model: a new ModelProto sharing tensors with the input, which stays untouched. */
  model: ModelProto;
  fromOpset: number;
  toOpset: number;
  irVersion: { before: number; after: number };
  converted: ConvertedNode[];
  addedInitializers: string[];
  addedNodes: string[];
}

/**
 * Raises the default-domain opset import of a model to `target`, converting every node
 * (main graph, subgraphs at any depth, training graphs, function bodies that import the
 * default domain) whose operator changed meaning on the way; throws OpsetUpgradeError
 * naming the first node that cannot be converted. The IR version is kept unless the target
 * opset needs a newer one. Node names are kept; new constants are initializers of the
 * node's own graph (Constant nodes in function bodies) named after the node.
 */
export function upgradeOpset(model: ModelProto, target: number): UpgradeResult {
  const from = defaultOpset(model.opset_import);
  if (from === undefined) throw new OpsetUpgradeError(undefined, undefined, 'the model imports no default-domain opset to raise');
  if (!Number.isInteger(target) || target > NEWEST_UPGRADE_OPSET) throw new OpsetUpgradeError(undefined, undefined, `opset ${target} is not a target this upgrade knows (up to ${NEWEST_UPGRADE_OPSET})`);
  if (target < from) throw new OpsetUpgradeError(undefined, undefined, `the model imports opset ${from}; lowering it to ${target} is not supported`);
  const irBefore = toNumber(model.ir_version ?? 0);
  const { copy, original } = copyModelStructure(model);
  // Raised first: initializers added below then need no graph input (IR ≥ 4 from opset 9 on).
  const irAfter = Math.max(irBefore, minimumIrVersion(target));
  if (irAfter !== irBefore) copy.ir_version = irAfter;
  const run = new Upgrade(model, copy, original, target);
  if (target > from) {
    for (const g of mainGraphs(copy)) run.graphTree(g, from);
    for (const f of copy.functions) {
      const version = defaultOpset(f.opset_import);
      if (version !== undefined && version < target) run.functionBody(f, version);
    }
  }
  copy.opset_import = withDefaultOpset(copy.opset_import, target);
  copy.functions = copy.functions.map((f) => (defaultOpset(f.opset_import) === undefined ? f : { ...f, opset_import: withDefaultOpset(f.opset_import, target) }));
  return { model: copy, fromOpset: from, toOpset: target, irVersion: { before: irBefore, after: irAfter }, converted: run.converted, addedInitializers: run.addedInitializers, addedNodes: run.addedNodes };
}

/** Where new constants of a node go: its graph's initializers, or Constant nodes in a function body. */
interface Site {
  graph?: GraphProto;
  before: NodeProto[];
  after: NodeProto[];
}

class Upgrade {
  readonly converted: ConvertedNode[] = [];
  readonly addedInitializers: string[] = [];
  readonly addedNodes: string[] = [];
  private readonly edit: ModelEdit;
  private readonly graphEdits: Map<GraphProto, GraphEdit>;
  private readonly reads: Set<string>;
  private constants: Map<string, TensorProto> | undefined;
  private readonly types: InputTypes;

  constructor(
    input: ModelProto,
    private readonly model: ModelProto,
    original: Map<NodeProto, NodeProto>,
    private readonly target: number,
  ) {
    this.types = new InputTypes(input, original);
    this.edit = new ModelEdit(model);
    this.graphEdits = new Map(this.edit.graphs().map((g) => [g.proto, g]));
    this.reads = namesRead(model);
  }

  /** A graph and every subgraph below it, with an explicit work list (any depth). */
  graphTree(root: GraphProto, version: number): void {
    const work = [root];
    while (work.length) {
      const g = work.pop()!;
      g.node = this.convertNodes(g.node, version, g);
      for (const n of g.node) work.push(...nodeSubgraphs(n));
    }
  }

  functionBody(f: FunctionProto, version: number): void {
    f.node = this.convertNodes(f.node, version, undefined);
    for (const n of f.node) for (const g of nodeSubgraphs(n)) this.graphTree(g, version);
  }

  private convertNodes(nodes: NodeProto[], version: number, graph: GraphProto | undefined): NodeProto[] {
    const out: NodeProto[] = [];
    for (const node of nodes) {
      const site: Site = { graph, before: [], after: [] };
      if (isDefaultDomain(node.domain)) this.convertNode(node, version, site);
      out.push(...site.before, node, ...site.after);
    }
    return out;
  }

  private convertNode(node: NodeProto, from: number, site: Site): void {
    const opType = node.op_type ?? '';
    const label = node.name || node.output.find((o) => o) || opType;
    const changes: string[] = [];
    const scope = this.scope(node, opType, label, site, changes);
    for (let v = from + 1; v <= this.target; v++) {
      const op = node.op_type ?? '';
      const conversion = CONVERSIONS[op]?.[v];
      const [before, after] = [site.before.length, site.after.length];
      if (conversion) conversion(scope, v);
      else if (changedAt(op, v) && !COMPATIBLE[v]?.includes(op)) scope.refuse(`${op}-${v} changed its meaning and no conversion to it exists`);
      // Nodes this step inserted speak opset v: the later steps convert them too.
      site.before.splice(before, Infinity, ...this.upgradeInserted(site.before.slice(before), v, site.graph));
      site.after.splice(after, Infinity, ...this.upgradeInserted(site.after.slice(after), v, site.graph));
    }
    const schema = resolveSchema('', node.op_type ?? '', this.target);
    if (!schema) return scope.refuse(`opset ${this.target} has no operator ${node.op_type}`);
    if (schema.deprecated) scope.refuse(`${node.op_type} is deprecated in opset ${this.target}`);
    if (changes.length) this.converted.push({ node: label, opType, changes });
  }

  /** Nodes inserted at opset `version`, converted to the target like the model's own (a bounded depth: one level per opset step). */
  private upgradeInserted(nodes: NodeProto[], version: number, graph: GraphProto | undefined): NodeProto[] {
    if (version === this.target) return nodes;
    const out: NodeProto[] = [];
    for (const n of nodes) {
      const site: Site = { graph, before: [], after: [] };
      this.convertNode(n, version, site);
      out.push(...site.before, n, ...site.after);
    }
    return out;
  }

  private scope(node: NodeProto, opType: string, label: string, site: Site, changes: string[]): ConversionScope {
    const refuse = (why: string): never => {
      throw new OpsetUpgradeError(label, node.op_type, why);
    };
    const constant = (suffix: string, dataType: number, dims: readonly number[], values: NumericValues): string => {
      const name = this.edit.uniqueName(`${label}_${suffix}`);
      const t = constantTensor(name, dataType, dims, values);
      this.constants?.set(name, t);
      const graph = site.graph && this.graphEdits.get(site.graph);
      if (graph) graph.addInitializer(t);
      else if (site.graph) site.graph.initializer = [...site.graph.initializer, t]; // a training graph
      else site.before.push(newNode({ op: 'Constant', name, inputs: [], outputs: [name], domain: node.domain, attributes: [tensorAttr('value', t)] }));
      (site.graph ? this.addedInitializers : this.addedNodes).push(name);
      return name;
    };
    const added = (n: NodeProto): NodeProto => {
      this.addedNodes.push(n.name ?? '');
      return n;
    };
    return {
      node, label, refuse, originalOpType: opType,
      takeAttribute: (name) => {
        const a = node.attribute.find((x) => x.name === name);
        if (!a) return undefined;
        if (a.ref_attr_name) refuse(`its '${name}' attribute refers to the function attribute '${a.ref_attr_name}', which cannot become a constant input`);
        node.attribute = node.attribute.filter((x) => x !== a);
        return a;
      },
      setAttribute: (a) => {
        node.attribute = [...node.attribute.filter((x) => x.name !== a.name), a];
      },
      int64Constant: (suffix, values, dims = [values.length]) => constant(suffix, INT64, dims, BigInt64Array.from(values, BigInt)),
      floatConstant: (suffix, values, dataType, dims = [values.length]) =>
        constant(suffix, dataType, dims, floatValues(dataType, values) ?? refuse(`its new '${suffix}' input would need element type ${dataType}, which is not a floating-point type`)),
      uniqueName: (base) => this.edit.uniqueName(base),
      insertBefore: (n) => site.before.push(added(n)),
      insertAfter: (n) => site.after.push(added(n)),
      elemType: (i) => this.types.typeOf(node, i)?.elemType,
      rank: (i) => this.types.typeOf(node, i)?.shape?.length,
      dim: (i, axis) => {
        const d = this.types.typeOf(node, i)?.shape?.[axis];
        return typeof d === 'number' ? d : undefined;
      },
      dropOutput: (name) => {
        node.output = node.output.map((o) => (o === name ? '' : o));
        if (site.graph?.value_info.some((v) => v.name === name)) site.graph.value_info = site.graph.value_info.filter((v) => v.name !== name);
      },
      isRead: (name) => this.reads.has(name),
      constantValues: (i) => this.constantValues(node.input[i] ?? ''),
      note: (change) => changes.push(change),
    };
  }

  /** Numbers of a constant tensor (initializer or Constant node, any graph: names are unique). */
  private constantValues(name: string): number[] | undefined {
    this.constants ??= constantTensors(this.model);
    const t = this.constants.get(name);
    if (!t) return undefined;
    try {
      const tensor = new Tensor(t);
      const { values } = tensor.read(tensor.elementCount);
      return typeof values[0] === 'string' ? undefined : toNumbers(values as NumericValues);
    } catch {
      return undefined; // external or malformed data: not a constant this upgrade can read
    }
  }

}

