import type { Node } from '../../onnx/model/graph';
import type { NodeNames } from '../node-names';

// TensorRT names the NVTX range of each engine layer after the layer (with profilingVerbosity
// detailed, the names trtexec's layer info has). This file turns such a name into the ONNX
// nodes it covers. To be merged with the trtexec reader's layer-name mapper (same rules).

/** Where a layer's time lands: the nodes it computes (or serves, for a reformat) and whether it is overhead. */
export interface LayerTarget {
  nodes: Node[];
  overhead: boolean;
}

const REFORMAT = /^Reformatting CopyNode for (?:Input|Output) Tensor \d+ to (.+)$/;
const PROFILE_SUFFIX = / \[profile \d+\]$/;
const FOREIGN = /^\{?ForeignNode\[(.*)\]\}?$/;
/** TensorRT's own ranges around a whole inference (not layers): they count inferences. */
export const INFERENCE_RANGE = /^(?:TensorRT:)?(?:ExecutionContext|IExecutionContext)::(?:enqueue|execute)\w*/;

/** The node ids a layer name covers; empty when none of its parts names a node of the model. */
export function layerTarget(rawName: string, names: NodeNames): LayerTarget {
  const direct = resolve(rawName, names);
  const colon = rawName.indexOf(':');
  if (colon < 0) return direct;
  // nsys's NVTX reports write a range of a named domain as `Domain:name` (TensorRT:/conv1/Conv):
  // the reading without the prefix wins when it finds more nodes.
  const unprefixed = resolve(rawName.slice(colon + 1), names);
  return unprefixed.nodes.length > direct.nodes.length ? unprefixed : direct;
}

function resolve(rawName: string, names: NodeNames): LayerTarget {
  let name = rawName.trim().replace(PROFILE_SUFFIX, '');
  let overhead = false;
  const reformat = REFORMAT.exec(name);
  if (reformat) {
    // "… to X": the conversion serves layer X (its input, or the tensor X produced): charged to X.
    name = reformat[1]!.replace(PROFILE_SUFFIX, '');
    overhead = true;
  }
  const nodes: Node[] = [];
  const seen = new Set<Node>();
  for (const part of splitFused(name)) {
    for (const n of partNodes(part, names)) {
      if (!seen.has(n)) {
        seen.add(n);
        nodes.push(n);
      }
    }
  }
  return { nodes, overhead };
}

/** `a + b + c` → [a, b, c]; a whole name that is itself a node name is kept whole (names may contain " + "). */
export function splitFused(name: string): string[] {
  return name.split(' + ').map((p) => p.trim()).filter((p) => p.length > 0);
}

function partNodes(part: string, names: NodeNames): readonly Node[] {
  const named = names.named(part);
  if (named.length > 0) return named;
  const foreign = FOREIGN.exec(part);
  if (foreign) return foreignEnds(foreign[1]!, names);
  // TensorRT sometimes names a layer after the tensor it writes.
  const producer = names.producerOf(part);
  return producer ? [producer] : [];
}

/**
 * `ForeignNode[first...last]` (a Myelin region) names only its first and last member: those
 * two are resolved where they are nodes, or values (an initializer's readers), never guessed
 * in between.
 */
function foreignEnds(inner: string, names: NodeNames): Node[] {
  const ends = inner.split('...').map((s) => s.trim());
  const out: Node[] = [];
  for (const end of ends) {
    const named = names.named(end);
    if (named.length > 0) {
      out.push(...named);
      continue;
    }
    const producer = names.producerOf(end);
    if (producer) {
      out.push(producer);
      continue;
    }
    out.push(...readersOf(end, names));
  }
  return out;
}

/** The nodes that read value `name` (an initializer such as `fc.weight`), outermost graph first. */
function readersOf(name: string, names: NodeNames): readonly Node[] {
  for (const g of names.model.graphs()) {
    const v = g.values.get(name);
    if (v && v.consumers.length > 0) return v.consumers;
  }
  return [];
}
