// The one compile flow, for the CLI's `compile` and the editor's "Save as ONNX Model": ONNX
// text → binary model, with the external-data references read in or kept (rebased to the
// output's folder, or refused when they would leave it), written atomically and never over
// the text or a file it refers to.
import { dirname, resolve } from 'node:path';
import { ModelFileError, WriteTargetError } from '../errors';
import { FolderExternalData, externalPath, rebaseLocation } from '../io/model-files';
import { FileSource } from '../io/byte-source';
import { NotTextError, readTextFile } from '../io/text-file';
import { checkWritable, outputPath, writeFileAtomic, type ProtectedFile } from '../io/write-file';
import { decodeModelProto, encodeModel } from '../open';
import type { ModelProto } from '../proto/types';
import { Tensor } from '../tensor';
import { positionAt } from './lexer';
import { parseModel } from './parser';
import { externalTensors, inlineExternalData } from './weights';

/** What happens to tensors whose bytes are in files: read into the model, or kept as references. */
export type ReferenceChoice = 'inline' | 'keep';

export interface CompileRequest {
  text: string;
  /** The saved text file: never overwritten; references are relative to its folder. */
  textPath?: string;
  /** For an unsaved text: the folder its references are relative to (e.g. the model it was printed from). */
  referenceFolder?: string;
  target: string;
  references: ReferenceChoice;
}

/** A parse or compile error of the text, 1-based line and column. */
export interface TextError {
  line: number;
  column: number;
  message: string;
}

export type CompileResult =
  | { ok: false; errors: TextError[] }
  | {
      ok: true;
      target: string;
      /** Files the written model refers to (absolute paths); empty when everything was read in. */
      refersTo: string[];
      /** What was done, one line each, for stderr or a message. */
      notes: string[];
    };

/**
 * Compiles an ONNX text and writes the model to `target`. Errors in the text are returned
 * (nothing is written); unusable files throw ModelFileError (a reference missing or refused,
 * an unsaved text with references) or WriteTargetError (the target is the text, a file the
 * text refers to, a folder, in a missing folder, or kept references could not follow it).
 */
export function compileText(req: CompileRequest): CompileResult {
  const parsed = parseText(req.text);
  if (!parsed.ok) return parsed;
  const model = parsed.model;
  const target = outputPath(req.target);
  const folder = req.textPath ? dirname(resolve(req.textPath)) : req.referenceFolder;
  const refs = referencedFiles(model, folder);
  const protect: ProtectedFile[] = [...refs.map((path) => ({ path, why: 'the text refers to it; the written model would replace the bytes it reads' }))];
  if (req.textPath) protect.push({ path: req.textPath, why: 'it is the text being compiled' });
  checkWritable(target, protect);
  const notes: string[] = [];
  let refersTo: string[] = [];
  if (refs.length && folder) {
    const files = new FolderExternalData(folder);
    try {
      if (req.references === 'inline') {
        const read = inlineExternalData(model, files);
        notes.push(`read ${read.tensors} tensor${read.tensors === 1 ? '' : 's'} (${read.bytes.toLocaleString('en-US')} bytes) from ${refs.map(shortName).join(', ')} into the model`);
      } else {
        for (const t of externalTensors(model)) new Tensor(t, files).validate();
        notes.push(...keepReferences(model, folder, dirname(target)));
        refersTo = refs;
      }
    } finally {
      files.close();
    }
  }
  writeFileAtomic(target, (sink) => encodeModel(model, sink), { protect });
  return { ok: true, target, refersTo, notes };
}

/** Parses a text (a leading byte-order mark dropped); errors with line and column. */
export function parseText(text: string): { ok: true; model: ModelProto } | { ok: false; errors: TextError[] } {
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const nul = src.indexOf('\0');
  if (nul >= 0) {
    const p = positionAt(src, nul);
    return { ok: false, errors: [{ line: p.line + 1, column: p.character + 1, message: 'a NUL character: this is binary data, not ONNX text' }] };
  }
  const { model, diagnostics } = parseModel(src);
  if (!diagnostics.length) return { ok: true, model };
  return {
    ok: false,
    errors: diagnostics.map((d) => {
      const p = positionAt(src, d.start);
      return { line: p.line + 1, column: p.character + 1, message: d.message };
    }),
  };
}

/**
 * The files a parsed text refers to, as absolute paths inside `folder`. Throws
 * ModelFileError when there are references but no folder (an unsaved text).
 */
export function referencedFiles(model: ModelProto, folder: string | undefined): string[] {
  const locations = new Set<string>();
  for (const t of externalTensors(model)) locations.add(new Tensor(t).externalRef().location);
  if (!locations.size) return [];
  if (!folder) {
    throw new ModelFileError(
      `the text refers to weights in ${[...locations].map((l) => `'${l}'`).join(', ')}, by paths relative to the text file's folder; save the text beside them first`,
      [...locations][0]!,
    );
  }
  return [...locations].map((l) => externalPath(resolve(folder), l));
}

/** Rewrites each reference relative to the output's folder; refuses one that would leave it. */
function keepReferences(model: ModelProto, fromFolder: string, toFolder: string): string[] {
  const rebased = new Map<string, string>();
  for (const t of externalTensors(model)) {
    for (const e of t.external_data) {
      if (e.key !== 'location' || e.value === undefined) continue;
      const from = e.value;
      const to = rebased.get(from) ?? rebaseLocation(fromFolder, from, toFolder);
      if (to === undefined) {
        throw new WriteTargetError(
          `cannot keep the reference to '${from}': the model in ${toFolder} could not reach it without leaving its folder (external-data rule); write the model in ${fromFolder} or a folder above it, or read the weights into the model`,
          toFolder,
        );
      }
      rebased.set(from, to);
      e.value = to;
    }
  }
  return [...rebased].map(([from, to]) => (from === to ? `kept the references to '${from}'` : `rebased the references to '${from}' as '${to}' (relative to the output's folder)`));
}

const shortName = (path: string): string => `'${path.split(/[\\/]/).pop()}'`;

/**
 * Reads a text file to compile. A binary file is refused quickly (from its first bytes), and
 * an ONNX model given by mistake is named as such.
 */
export function readTextSource(path: string): string {
  try {
    return readTextFile(path);
  } catch (e) {
    if (e instanceof NotTextError && isOnnxModel(path)) {
      throw new ModelFileError(`${path}: this is a binary ONNX model, not text; print it as text with 'onnx-studio text ${path}'`, path, { cause: e });
    }
    throw e;
  }
}

function isOnnxModel(path: string): boolean {
  let source: FileSource | undefined;
  try {
    source = new FileSource(path);
    decodeModelProto(source);
    return true;
  } catch {
    return false;
  } finally {
    source?.close();
  }
}
