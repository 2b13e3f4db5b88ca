import { openDataFile } from '../onnx/io/data-files';
import type { Model } from '../onnx/model/graph';
import type { LayerProfile, ProfileTool } from './layer-profile';

/** The start of a file given to `profile --import`, for readers to recognize their formats without reading it all. */
export interface FileHead {
  path: string;
  /** The first bytes (up to 64 KiB). */
  head: Uint8Array;
  size: number;
}

const HEAD_BYTES = 64 * 1024;

/** A file's first bytes (up to 64 KiB) and size, for `claims` and for readers that sort their files by kind. */
export function readFileHead(path: string): FileHead {
  const source = openDataFile(path);
  try {
    return { path, size: source.size, head: source.read(0, Math.min(source.size, HEAD_BYTES)) };
  } finally {
    source.close();
  }
}

/**
 * One tool's profile reader (src/profiles/<tool>/). `claims` looks at the given files' heads
 * only; `read` reads them (through src/onnx/io) and maps the layers onto `model`'s nodes,
 * throwing ProfileFormatError for a file it cannot use. The files of one profile may come
 * together (trtexec's layer info + profile + times; an nsys CSV per report).
 */
export interface ProfileReader {
  tool: ProfileTool;
  claims(files: readonly FileHead[]): boolean;
  read(files: readonly string[], model: Model): Promise<LayerProfile>;
}
