import { openDataFile, readDataFile } from '../../onnx/io/data-files';
import { ProfileFormatError } from '../errors';
import { parseOrtTrace, type OrtTrace } from './trace';

/** Larger profiles are refused before reading: JSON.parse needs several times the text's size. */
export const MAX_ORT_PROFILE_BYTES = 256 * 1024 * 1024;

/** Reads and parses an ORT profiling JSON file (a regular file, size-bounded); throws ProfileFormatError or DataFileError. */
export function readOrtTrace(path: string): OrtTrace {
  const size = dataFileSize(path);
  if (size > MAX_ORT_PROFILE_BYTES) {
    throw new ProfileFormatError(`${path}: ${size.toLocaleString('en-US')} bytes, more than the ${MAX_ORT_PROFILE_BYTES / 2 ** 20} MiB an ONNX Runtime profile may have here (fewer runs make a smaller profile)`, path);
  }
  const bytes = readDataFile(path, MAX_ORT_PROFILE_BYTES);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ProfileFormatError(`${path}: not UTF-8 text, so not an ONNX Runtime profile`, path);
  }
  return parseOrtTrace(text, path);
}

function dataFileSize(path: string): number {
  const source = openDataFile(path);
  try {
    return source.size;
  } finally {
    source.close();
  }
}

const ORT_EVENT = /"cat"\s*:\s*"(Session|Node)"/;

/** Whether the start of a file looks like ORT profiling JSON (an array of trace events with ORT's categories). */
export function looksLikeOrtTrace(head: Uint8Array): boolean {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head).trimStart();
  return (text.startsWith('[') || text.startsWith('{')) && ORT_EVENT.test(text);
}
