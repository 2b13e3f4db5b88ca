// trtexec profiles as one LayerProfile: per-layer times from `--exportProfile` (or a log's
// --dumpProfile table), layer facts from `--exportLayerInfo` (or a log's --dumpLayerInfo lines),
// per-inference times from `--exportTimes`, given together or alone, mapped onto the model.
import type { Model } from '../../onnx/model/graph';
import { ProfileFormatError } from '../errors';
import { finishProfile, type LayerProfile, type ProfiledLayer } from '../layer-profile';
import type { FileHead, ProfileReader } from '../reader';
import { KIND_NAMES, trtexecFileKind, type TrtexecFileKind } from './file-kind';
import { readProfileHead, readProfileJson } from './files';
import { parseLayerInfo, type EngineLayer } from './layer-info';
import { readTrtexecLogFile } from './log';
import { LayerMapper } from './map-layers';
import { readMetadata, type RunFacts } from './metadata';
import { parseProfileJson, type LayerTimes } from './profile-json';
import { readTimesFile } from './times-json';

export const trtexecReader: ProfileReader = {
  tool: 'trtexec',
  claims: (files: readonly FileHead[]) => files.length > 0 && files.every((f) => trtexecFileKind(f) !== undefined),
  read: (files: readonly string[], model: Model) => Promise.resolve(readTrtexecProfile(files, model)),
};

/** The files of one trtexec run, by kind (the kind decided from `heads`, or from each file's start). */
export type TrtexecFiles = Partial<Record<TrtexecFileKind, string[]>>;

/**
 * Reads the given trtexec files (any of layer info, profile, times, log, TREx metadata; at most
 * one of each but metadata) and maps the layers onto `model`. Throws ProfileFormatError naming the
 * file for a file it cannot use, and when no file holds per-layer times.
 */
export function readTrtexecProfile(files: readonly string[], model: Model, kinds?: readonly (TrtexecFileKind | undefined)[]): LayerProfile {
  const byKind: TrtexecFiles = {};
  files.forEach((path, i) => {
    const kind = kinds?.[i] ?? sniff(path);
    if (!kind) throw new ProfileFormatError(`${path}: not a trtexec output file (--exportLayerInfo, --exportProfile, --exportTimes JSON or a trtexec log)`, path);
    (byKind[kind] ??= []).push(path);
  });
  for (const kind of ['layers', 'profile', 'times', 'log'] as const) {
    const given = byKind[kind] ?? [];
    if (given.length > 1) throw new ProfileFormatError(`${given.join(', ')}: ${given.length} trtexec ${KIND_NAMES[kind]}s given; one run's files go together (at most one of each)`, given[1]!);
  }
  return readRun(byKind, model, [...files]);
}

function sniff(path: string): TrtexecFileKind | undefined {
  const { size, head } = readProfileHead(path, 64 * 1024);
  return trtexecFileKind({ path, size, head });
}

function readRun(f: TrtexecFiles, model: Model, files: string[]): LayerProfile {
  const warnings: string[] = [];
  const facts: RunFacts = { settings: {} };
  let times: LayerTimes | undefined;
  let timesFile = '';
  let layers: EngineLayer[] | undefined;

  const log = f.log?.[0];
  if (log) {
    const l = readTrtexecLogFile(log);
    Object.assign(facts, { version: l.version, device: l.device, precision: l.precision, medianComputeMs: l.medianComputeMs });
    Object.assign(facts.settings, l.settings);
    if (l.profile && l.profile.rows.length > 0) [times, timesFile] = [l.profile, log];
    if (l.profileTables > 1) warnings.push(`${log}: ${l.profileTables} profile tables; the last is read`);
    if (l.layers?.length) layers = l.layers;
  }
  const profile = f.profile?.[0];
  if (profile) [times, timesFile] = [parseProfileJson(readProfileJson(profile, KIND_NAMES.profile), profile), profile];
  const layerFile = f.layers?.[0];
  if (layerFile) layers = parseLayerInfo(readProfileJson(layerFile, KIND_NAMES.layers), layerFile);
  for (const m of f.metadata ?? []) readMetadata(readProfileJson(m, KIND_NAMES.metadata), facts);
  const timesPath = f.times?.[0];
  if (timesPath) {
    const t = readTimesFile(timesPath);
    facts.settings['timedInferences'] = t.inferences;
    facts.medianComputeMs = t.medianComputeMs;
    if (t.medianLatencyMs !== undefined) facts.settings['medianLatencyMs'] = t.medianLatencyMs;
  }

  if (!times) {
    const given = files[0]!;
    const why = log && !profile ? `${log}: the log has no per-layer profile table (run trtexec with --dumpProfile, or give its --exportProfile JSON)` : `${files.join(', ')}: no per-layer times (give the --exportProfile JSON of the run, or a log of a run with --dumpProfile)`;
    throw new ProfileFormatError(why, log ?? given);
  }
  if (times.rows.every((r) => r.avgMs === 0)) {
    throw new ProfileFormatError(`${timesFile}: every layer took 0 ms over ${times.iterations ?? 'the'} iterations: no time to show (was inference skipped, --skipInference?)`, timesFile);
  }
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
  if (p.mappedShare < 0.5) {
    out.push(`only ${mapped.length} of ${p.layers.length} layers map onto the model: the profile is likely of another model${mapped.length ? `; matched: ${quote(mapped.slice(0, 3).map((l) => l.name))}` : ''}`);
  }
  return out;
}

const quote = (names: string[]) => names.map((n) => `"${n.length > 80 ? `${n.slice(0, 77)}...` : n}"`).join(', ');

function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
