import type { Model, Node } from '../../onnx/model/graph';
import type { EngineLayer } from '../trtexec/layer-info';
import { LayerMapper } from '../trtexec/map-layers';

// TensorRT names the NVTX range of each engine layer after the layer (with profilingVerbosity
// detailed, the names trtexec's layer info has), so the trtexec reader's LayerMapper maps them:
// from the names alone, or also from the engine's `--exportLayerInfo` (Metadata, tensors) when
// it is given beside the nsys files. Specific to nsys: its reports write a range of a named
// domain as `Domain:name` (TensorRT:/conv1/Conv).

/** Where a layer's time lands: the nodes it computes (or serves, for a reformat) and whether it is overhead. */
export interface LayerTarget {
  nodes: Node[];
  overhead: boolean;
}

/** TensorRT's own ranges around a whole inference (not layers): they count inferences. */
export const INFERENCE_RANGE = /^(?:TensorRT:)?(?:ExecutionContext|IExecutionContext)::(?:enqueue|execute)\w*/;

/** `TensorRT:/conv1/Conv` → `/conv1/Conv`; undefined for a name without a domain prefix. */
export function withoutDomain(name: string): string | undefined {
  const m = /^([A-Za-z][\w .-]*):(?!:)(.+)$/s.exec(name);
  return m ? m[2] : undefined;
}

/**
 * Maps range names (as nsys writes them) onto the model's nodes. `rangeNames`: every range of the
 * profile (Myelin regions are read from them); `layers`: the engine's layer info, if given.
 */
export function nsysLayerMapper(model: Model, rangeNames: readonly string[], layers: readonly EngineLayer[] = []): (name: string) => LayerTarget {
  const names = rangeNames.flatMap((n) => [n, withoutDomain(n) ?? []].flat());
  const mapper = new LayerMapper(model, layers, names);
  return (name) => {
    const direct = mapper.map(name);
    const bare = withoutDomain(name);
    if (bare === undefined) return { nodes: direct.nodes, overhead: direct.overhead };
    const unprefixed = mapper.map(bare);
    const best = unprefixed.nodes.length > direct.nodes.length ? unprefixed : direct;
    return { nodes: best.nodes, overhead: best.overhead };
  };
}
