import { basename } from 'node:path';
import { DataFileError, listFolder, type FolderEntry } from '../../onnx/io/data-files';
import type { FeedTensor, Sample } from '../types';
import { fitToInput, type Warn } from './fit-to-input';
import { describeImagePlan, planImageInput, type ImageOptions, type ImagePlan } from './image-preprocess';
import { InputOptionsError, type InputSpec } from './input-spec';
import { fileKind, readSampleFile, type FileKind } from './read-file';

export interface InputFolderOptions {
  /** Preprocessing for image files; unset fields come from the model input's shape. */
  image?: ImageOptions;
  /** Said once per kind of event (float64 converted, files skipped, batch dim added). */
  onWarning?: (message: string) => void;
}

/** One sample's source: a file (one-input models) or a sample folder holding one file per input. */
export interface SampleUnit {
  /** The file or folder, as `folder/name`. */
  path: string;
  /** Per model input (in the model's order): the file that feeds it and what it is. */
  files: { path: string; kind: FileKind }[];
  /** A file whose leading dim may be split into several samples (one-input, file units only). */
  splittable: boolean;
}

/** A folder of samples, read lazily: listing and checking names happens at open, values when iterated. */
export interface InputData {
  folder: string;
  units: readonly SampleUnit[];
  /** The image preprocessing in force, when the data has images. */
  imagePlan?: ImagePlan;
  /** "24 files (.npy, .png) in calib/; images resized to 224x224 ...". */
  description: string;
  /** Reads the samples one at a time (a file split along its batch gives several); never all in memory. */
  samples(): Generator<Sample>;
}

/**
 * Opens a folder of inputs for the model inputs `inputs`. One-input model: each file is one
 * sample (.npy, .pb, .png, .jpg/.jpeg, mixed, sorted by name), or a sample folder as below.
 * Several inputs: one subfolder per sample holding `<input name>.npy` or `input_N.pb` (N the
 * input's index; the conformance suite's test_data_set_* layout; other files there, such as
 * output_N.pb, are ignored). Dot files are ignored; top-level files that are not samples for
 * the model (output_N.pb among them) are skipped with a warning; FIFOs, devices, broken
 * links, link loops and folders nested in a sample folder are refused by name.
 */
export function openInputFolder(folder: string, inputs: readonly InputSpec[], options: InputFolderOptions = {}): InputData {
  if (inputs.length === 0) throw new InputOptionsError('the model has no inputs to feed from files');
  const warned = new Set<string>();
  const warn: Warn = (key, message) => {
    if (warned.has(key)) return;
    warned.add(key);
    options.onWarning?.(message);
  };
  const entries = usable(folder, listFolder(folder));
  if (entries.length === 0) throw new DataFileError(`${folder}: the folder is empty`, folder);
  const units: SampleUnit[] = [];
  const skipped: string[] = [];
  for (const e of entries) {
    if (e.kind === 'folder') units.push(sampleFolder(e, inputs));
    else if (inputs.length === 1 && fileKind(e.name) && !/^output_\d+\.pb$/.test(e.name)) units.push({ path: e.path, files: [{ path: e.path, kind: fileKind(e.name)! }], splittable: true });
    else skipped.push(e.name);
  }
  if (units.length === 0) {
    const want = inputs.length === 1 ? '.npy, .pb, .png or .jpg files (one per sample) or sample folders' : `one subfolder per sample holding ${inputs.map((s, i) => `${s.name}.npy or input_${i}.pb`).join(', ')}`;
    throw new DataFileError(`${folder}: no usable samples (found ${describeNames(entries.map((e) => e.name))}); expected ${want}`, folder);
  }
  if (skipped.length) warn('skipped', `${folder}: ${skipped.length} file(s) skipped, not samples for this model: ${describeNames(skipped)}`);
  const imagePlans = inputs.map((spec, i) => (units.some((u) => u.files[i]!.kind === 'png' || u.files[i]!.kind === 'jpeg') ? planImageInput(spec, options.image) : undefined));
  const imagePlan = imagePlans.find((p) => p);
  const kinds = [...new Set(units.flatMap((u) => u.files.map((f) => f.kind)))].map((k) => `.${k === 'jpeg' ? 'jpg' : k}`);
  const what = units.every((u) => u.path === u.files[0]!.path) ? 'files' : 'sample folders';
  const description = `${units.length} ${what} (${kinds.join(', ')}) in ${folder}${imagePlan ? `; ${describeImagePlan(imagePlan)}` : ''}`;
  return {
    folder,
    units,
    imagePlan,
    description,
    // Reads `this.units`, so a copy with fewer units (a held-out split) reads only those.
    *samples(this: InputData) {
      for (const unit of this.units) yield* readUnit(unit, inputs, imagePlans, warn);
    },
  };
}

/** Dot files are not data; FIFOs, devices, broken links and link loops are refused rather than skipped. */
function usable(folder: string, entries: FolderEntry[]): FolderEntry[] {
  const visible = entries.filter((e) => !e.name.startsWith('.'));
  const bad = visible.find((e) => e.kind === 'other' || e.kind === 'broken');
  if (bad) throw new DataFileError(`${bad.path}: ${bad.why}; refused (a data folder holds regular files and sample folders only)`, bad.path);
  return visible;
}

function sampleFolder(e: FolderEntry, inputs: readonly InputSpec[]): SampleUnit {
  const entries = usable(e.path, listFolder(e.path));
  const nested = entries.find((x) => x.kind === 'folder');
  if (nested) throw new DataFileError(`${nested.path}: a folder inside the sample folder ${e.path}; a sample folder holds one file per input`, nested.path);
  const byName = new Map(entries.map((x) => [x.name, x]));
  const files = inputs.map((spec, i) => {
    const found = byName.get(`${spec.name}.npy`) ?? byName.get(`input_${i}.pb`);
    if (!found) throw new DataFileError(`${e.path}: no file for input '${spec.name}' (expected ${spec.name}.npy or input_${i}.pb)`, e.path);
    return { path: found.path, kind: fileKind(found.name)! };
  });
  return { path: e.path, files, splittable: false };
}

function* readUnit(unit: SampleUnit, inputs: readonly InputSpec[], plans: (ImagePlan | undefined)[], warn: Warn): Generator<Sample> {
  const id = basename(unit.path);
  if (unit.splittable) {
    const f = unit.files[0]!;
    const pieces = fitToInput(f.path, inputs[0]!, readSampleFile(f.path, f.kind, plans[0]), true, warn);
    for (let i = 0; i < pieces.length; i++) yield { id: pieces.length > 1 ? `${id}[${i}]` : id, feeds: { [inputs[0]!.name]: pieces[i]! } };
    return;
  }
  const feeds: Record<string, FeedTensor> = {};
  inputs.forEach((spec, i) => {
    const f = unit.files[i]!;
    feeds[spec.name] = fitToInput(f.path, spec, readSampleFile(f.path, f.kind, plans[i]), false, warn)[0]!;
  });
  yield { id, feeds };
}

function describeNames(names: string[]): string {
  const shown = names.slice(0, 5).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}
