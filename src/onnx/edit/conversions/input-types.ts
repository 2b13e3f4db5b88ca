import { inferModel, type InferenceResult } from '../../infer/infer';
import { buildModel } from '../../model/build';
import type { Graph, Node } from '../../model/graph';
import type { Shape } from '../../model/value-type';
import type { ModelProto, NodeProto } from '../../proto/types';

/**
 * Element types and shapes of node inputs, from type and shape inference over the input
 * model (run once, on first need: most upgrades never ask). Nodes are the upgrade's copies,
 * mapped back to the input's nodes.
 */
export class InputTypes {
  private inference: { result: InferenceResult; nodes: Map<NodeProto, Node> } | null | undefined;

  constructor(
    private readonly input: ModelProto,
    private readonly original: ReadonlyMap<NodeProto, NodeProto>,
  ) {}

  /** The tensor type of input `input` of a (copied) node; undefined when inference does not know it. */
  typeOf(node: NodeProto, input: number): { elemType: number; shape: Shape } | undefined {
    if (this.inference === undefined) this.inference = this.infer();
    const orig = this.original.get(node);
    const n = orig && this.inference?.nodes.get(orig);
    const v = n?.inputValue(input);
    const t = v && this.inference!.result.typeOf(v);
    return t && t.kind === 'tensor' ? t : undefined;
  }

  private infer(): { result: InferenceResult; nodes: Map<NodeProto, Node> } | null {
    try {
      const built = buildModel(this.input);
      const nodes = new Map<NodeProto, Node>();
      const work: Graph[] = [built.graph, ...built.trainingGraphs];
      while (work.length) {
        const g = work.pop()!;
        for (const n of g.nodes) {
          nodes.set(n.proto, n);
          work.push(...n.subgraphs);
        }
      }
      return { result: inferModel(built), nodes };
    } catch {
      return null; // a model inference cannot build: types stay unknown, and conversions that need them refuse
    }
  }
}
