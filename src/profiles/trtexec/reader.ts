// trtexec profiles as one LayerProfile: per-layer times from `--exportProfile` (or a log's
// --dumpProfile table), layer facts from `--exportLayerInfo` (or a log's --dumpLayerInfo lines),
// per-inference times from `--exportTimes`, given together or alone, mapped onto the model.
import type { Model } from '../../onnx/model/graph';
import { ProfileFormatError } from '../errors';
import type { LayerProfile } from '../layer-profile';
import { readFileHead, type FileHead, type ProfileReader } from '../reader';
import { KIND_NAMES, trtexecFileKind, type TrtexecFileKind } from './file-kind';
import { readProfileJson } from './files';
import { parseLayerInfo, type EngineLayer } from './layer-info';
import { readTrtexecLogFile } from './log';
import { readMetadata, type RunFacts } from './metadata';
import { profileOfRun } from './profile-of-run';
import { parseProfileJson, type LayerTimes } from './profile-json';
import { readTimesFile } from './times-json';

export const trtexecReader: ProfileReader = {
  tool: 'trtexec',
  claims: (files: readonly FileHead[]) => files.length > 0 && files.every((f) => trtexecFileKind(f) !== undefined),
  // async: a bad file rejects the promise rather than throwing from the call.
  read: async (files: readonly string[], model: Model) => readTrtexecProfile(files, model),
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
  return trtexecFileKind(readFileHead(path));
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
    if (l.profileCut && !f.profile) throw new ProfileFormatError(`${log}: the per-layer profile table ends after ${l.profile?.rows.length ?? 0} row(s) without its Total row: the log is cut short`, log);
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
    const why = log && !profile ? `${log}: the log has no per-layer profile table (run trtexec with --dumpProfile, or give its --exportProfile JSON)` : `${files.join(', ')}: no per-layer times (give the --exportProfile JSON of the run, or a log of a run with --dumpProfile)`;
    throw new ProfileFormatError(why, log ?? files[0]!);
  }
  return profileOfRun({ files, facts, times, timesFile, layers, warnings }, model);
}
