// One trtexec run's files, read, as a LayerProfile: the layers in the profile's order with their
// layer-info facts, mapped onto the model, and warnings for what could not be placed.
import type { Model } from '../../onnx/model/graph';
import { ProfileFormatError } from '../errors';
import { finishProfile, likelyOtherModel, type LayerProfile, type ProfiledLayer } from '../layer-profile';
import type { EngineLayer } from './layer-info';
import { LayerMapper } from './map-layers';
import type { RunFacts } from './metadata';
import type { LayerTimes } from './profile-json';

export interface TrtexecRun {
  files: string[];
  facts: RunFacts;
  times: LayerTimes;
  /** The file the times come from (the profile JSON or the log). */
  timesFile: string;
  layers?: EngineLayer[];
  warnings: string[];
}

export function profileOfRun(run: TrtexecRun, model: Model): LayerProfile {
  const { files, facts, times, timesFile, layers, warnings } = run;
  if (times.rows.every((r) => r.avgMs === 0)) {
    throw new ProfileFormatError(`${timesFile}: every layer took 0 ms over ${times.iterations ?? 'the'} iterations: no time to show (was inference skipped, --skipInference?)`, timesFile);
  }
  if (times.iterations === 0) throw new ProfileFormatError(`${timesFile}: the layers have time but the profile states 0 iterations: no inference to average over`, timesFile);
  if (!layers) warnings.push('no layer information given (--exportLayerInfo with --profilingVerbosity=detailed): layers are mapped by name only, so Myelin kernels and reformats into Myelin regions may stay unmapped');
  if (facts.medianComputeMs !== undefined) facts.settings['medianComputeMs'] = facts.medianComputeMs;
  if (times.iterations !== undefined) facts.settings['iterations'] = times.iterations;

  const inferences = times.iterations ?? 1;
  if (times.iterations === undefined) warnings.push(`${timesFile}: the number of iterations is not stated; times are taken as one inference's`);
  const info = new Map((layers ?? []).map((l) => [l.name, l]));
  if (layers) {
    const missing = times.rows.filter((r) => !info.has(r.name));
    if (missing.length > 0) warnings.push(`${missing.length} of ${times.rows.length} profiled layers are not in the layer information (files of different engines?), e.g. ${quote(missing.slice(0, 3).map((r) => r.name))}`);
  }
  const mapper = new LayerMapper(model, layers ?? [], times.rows.map((r) => r.name));
  const regionWide: string[] = [];
  const rows: ProfiledLayer[] = times.rows.map((r) => {
    const layer = info.get(r.name);
    const mapping = mapper.map(r.name);
    if (mapping.wholeRegion) regionWide.push(r.name);
    return {
      name: r.name,
      ...(layer?.type ? { kind: layer.type } : {}),
      totalMs: r.totalMs,
      avgMs: r.avgMs,
      ...(r.medianMs === undefined ? {} : { medianMs: r.medianMs }),
      count: inferences,
      share: 0,
      onnxNodes: mapping.nodes.map((n) => n.id),
      ...(mapping.overhead ? { overhead: true } : {}),
      ...(layer?.precision ? { precision: layer.precision } : {}),
      ...(layer?.tactic ? { tactic: layer.tactic } : {}),
    };
  });
  if (regionWide.length > 0) warnings.push(`${regionWide.length} Myelin kernels name no ONNX node and have no metadata: charged to every node of their Myelin region, e.g. ${quote(regionWide.slice(0, 3))}`);
  const result = finishProfile({
    source: { tool: 'trtexec', ...defined({ version: facts.version, device: facts.device, precision: facts.precision }), files, settings: facts.settings },
    inferences,
    layers: rows,
    warnings,
  });
  result.warnings.push(...mappingWarnings(result));
  return result;
}

/** What did not map, so a profile of another model says so (how few layers matched, and which). */
function mappingWarnings(p: LayerProfile): string[] {
  const unmapped = p.layers.filter((l) => l.onnxNodes.length === 0);
  if (unmapped.length === 0) return [];
  const mapped = p.layers.filter((l) => l.onnxNodes.length > 0);
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const out = [`${unmapped.length} of ${p.layers.length} layers (${pct(1 - p.mappedShare)} of the time) match no node of the model, e.g. ${quote(unmapped.slice(0, 3).map((l) => l.name))}`];
  if (likelyOtherModel(p)) {
    out.push(`only ${mapped.length} of ${p.layers.length} layers map onto the model: the profile is likely of another model${mapped.length ? `; matched: ${quote(mapped.slice(0, 3).map((l) => l.name))}` : ''}`);
  }
  return out;
}

const quote = (names: string[]) => names.map((n) => `"${n.length > 80 ? `${n.slice(0, 77)}...` : n}"`).join(', ');

function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
