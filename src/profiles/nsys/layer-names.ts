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

/** The NVTX domain TensorRT writes its ranges in. */
export const TENSORRT_DOMAIN = 'TensorRT';

const DOMAIN_PREFIX = /^([A-Za-z][\w .-]*):(?!:)(.+)$/s;

/** `TensorRT:/conv1/Conv` → `/conv1/Conv`; undefined for a name without a domain prefix. */
export function withoutDomain(name: string): string | undefined {
  return DOMAIN_PREFIX.exec(name)?.[2];
}

/** `TensorRT:/conv1/Conv` → `TensorRT`, as nsys's NVTX reports prefix a range of a named domain. */
export function domainOf(name: string): string | undefined {
  return DOMAIN_PREFIX.exec(name)?.[1];
}

/**
 * When TensorRT's domain is in the capture, only its ranges are layers: other libraries' ranges
 * (Myelin's `myelin-exec:myelinGraphExecute`, cuBLAS calls, the application's own) may sit inside
 * or around them. Undefined: no TensorRT domain, every range counts.
 */
export function onlyTensorRT(names: Iterable<string>): ((name: string) => boolean) | undefined {
  for (const n of names) if (domainOf(n) === TENSORRT_DOMAIN) return (name) => domainOf(name) === TENSORRT_DOMAIN;
  return undefined;
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
