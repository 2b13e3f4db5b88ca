// The one flow that prints a model as ONNX text for a file (the CLI's `text`, the editor's
// "Open as ONNX Text"): references to bytes stay valid from the text's folder, and no write
// replaces the model or a file it refers to.
import { basename, dirname, resolve } from 'node:path';
import { WriteTargetError } from '../errors';
import { realPath, rebaseLocation } from '../io/model-files';
import { checkWritable, outputPath, writeFileAtomic, type ProtectedFile } from '../io/write-file';
import type { Model } from '../model/graph';
import { Tensor } from '../tensor';
import { printModel } from './printer';
import { externalTensors, inlineExternalData, modelAndDataFiles } from './weights';

export interface TextOutput {
  text: string;
  /** The text's own weights file (large tensors), when it has one. */
  weights?: { path: string; chunks: Uint8Array[] };
  /** Parts of the model the syntax has no place for. */
  dropped: string[];
  /** What was done, one line each. */
  notes: string[];
  /** Files the text refers to (the model, its external data): no write may replace them. */
  protect: ProtectedFile[];
}

/**
 * Prints `model` (opened from `modelPath`) for a text file at `textPath`, or for standard
 * output read from `cwd`. Large tensors refer to the model's own bytes when the text's folder
 * contains the model; otherwise they go to the text's weights file `TEXT.data` (also when
 * `ownWeights`), or inline on standard output. The model's external-data references are
 * rebased to the text's folder, or their bytes read in when they could not be reached from it
 * (they would resolve to an unrelated file there).
 */
export function printModelText(model: Model, modelPath: string, place: { textPath: string; ownWeights?: boolean } | { cwd: string }): TextOutput {
  const modelFile = resolve(modelPath);
  const modelDir = dirname(modelFile);
  const textPath = 'textPath' in place ? resolve(place.textPath) : undefined;
  const textDir = textPath ? dirname(textPath) : resolve((place as { cwd: string }).cwd);
  const notes: string[] = [];
  const protect: ProtectedFile[] = modelAndDataFiles(model.proto, modelFile, 'it is the model being printed');

  const unreachable = new Set<string>();
  for (const t of externalTensors(model.proto)) {
    for (const e of t.external_data) {
      if (e.key !== 'location' || e.value === undefined) continue;
      const to = rebaseLocation(modelDir, e.value, textDir);
      if (to === undefined) unreachable.add(e.value);
      else e.value = to;
    }
  }
  if (unreachable.size && model.files) {
    const read = inlineExternalData(model.proto, model.files, (t) => unreachable.has(new Tensor(t).externalRef().location));
    notes.push(`read ${read.tensors} tensor${read.tensors === 1 ? '' : 's'} from ${[...unreachable].map((l) => `'${l}'`).join(', ')}: the text's folder cannot refer to them`);
  }

  // The model's bytes by its real file: a symlinked model would be refused when the text is compiled.
  const realModel = realPath(modelFile);
  const modelLocation = rebaseLocation(dirname(realModel), basename(realModel), textDir);
  const ownWeights = textPath !== undefined && ('ownWeights' in place && place.ownWeights || modelLocation === undefined);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const weights = ownWeights && textPath
    ? { location: `${basename(textPath)}.data`, append: (b: Uint8Array) => (chunks.push(b), (size += b.length) - b.length) }
    : undefined;
  const printed = printModel(model.proto, weights ? { weights } : modelLocation !== undefined ? { modelLocation } : { inlineLimit: Infinity });
  if (!textPath && modelLocation === undefined) notes.push(`printing away from ${modelFile}, so all tensor values are inline`);
  const out: TextOutput = { text: printed.text, dropped: printed.dropped, notes, protect };
  if (weights && size && textPath) {
    out.weights = { path: `${textPath}.data`, chunks };
    notes.push(`large tensors went to ${basename(textPath)}.data (${size.toLocaleString('en-US')} bytes)`);
  }
  return out;
}

/** Writes the text (and its weights file first), atomically, replacing none of the files it refers to. */
export function writeModelText(out: TextOutput, textPath: string, opts: { replace?: boolean } = {}): void {
  const protect = [...out.protect];
  const path = outputPath(textPath);
  // The text's target is checked before its weights file is written, so a refusal leaves nothing behind.
  const existing = checkWritable(path, protect);
  if (existing && opts.replace === false) throw new WriteTargetError(`${path} already exists`, path);
  if (out.weights) {
    writeFileAtomic(out.weights.path, (sink) => out.weights!.chunks.forEach((c) => sink.write(c)), { protect, replace: opts.replace });
    protect.push({ path: out.weights.path, why: 'the text refers to it' });
  }
  writeFileAtomic(path, (sink) => sink.write(new TextEncoder().encode(out.text)), { protect, replace: opts.replace });
}
