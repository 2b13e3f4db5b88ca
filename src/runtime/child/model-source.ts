import { dirname, resolve } from 'node:path';
import { DiskModelFiles, FolderExternalData, type ModelFiles } from '../../onnx/io/model-files';
import { decodeModelProto, encodeModelBytes } from '../../onnx/open';
import type { GraphProto, ModelProto, NodeProto, TensorProto } from '../../onnx/proto/types';

/** What ORT needs to create a session from memory: the model's bytes and each external-data file it names. */
export interface ModelBuffer {
  bytes: Uint8Array;
  externalData: { path: string; data: Uint8Array }[];
}

/**
 * Decodes a model file (weights left in the file), lets `edit` change the proto, and encodes
 * the result into memory with its external data files read through src/onnx/io (the model's
 * folder rules apply). ORT resolves external data of a model loaded from bytes against the
 * working directory, so the files travel as `externalData` keyed by their location.
 */
export function editedModelBuffer(modelPath: string, edit: (model: ModelProto, files: ModelFiles) => void): ModelBuffer {
  const files = new DiskModelFiles(modelPath);
  try {
    const model = decodeModelProto(files.model);
    edit(model, files);
    const bytes = encodeModelBytes(model);
    return { bytes, externalData: readExternalFiles(modelPath, externalLocations(model)) };
  } finally {
    files.close();
  }
}

function readExternalFiles(modelPath: string, locations: Set<string>): ModelBuffer['externalData'] {
  if (locations.size === 0) return [];
  const folder = new FolderExternalData(dirname(resolve(modelPath)));
  try {
    return [...locations].map((path) => {
      const file = folder.openExternal({ location: path, offset: 0, length: undefined });
      return { path, data: file.read(0, file.size).slice() };
    });
  } finally {
    folder.close();
  }
}

/** Every external-data location a tensor of the model names, in every graph (walked without recursion). */
export function externalLocations(model: ModelProto): Set<string> {
  const out = new Set<string>();
  const visit = (t: TensorProto | undefined): void => {
    if (!t || t.data_location !== 1) return;
    const location = t.external_data.find((e) => e.key === 'location')?.value;
    if (location) out.add(location);
  };
  const nodeLists: NodeProto[][] = model.functions.map((f) => f.node);
  const graphs: GraphProto[] = model.graph ? [model.graph] : [];
  while (graphs.length || nodeLists.length) {
    const g = graphs.pop();
    if (g) {
      g.initializer.forEach(visit);
      for (const s of g.sparse_initializer) visit(s.values);
      nodeLists.push(g.node);
    }
    for (const n of nodeLists.pop() ?? []) {
      for (const a of n.attribute) {
        visit(a.t);
        a.tensors.forEach(visit);
        if (a.g) graphs.push(a.g);
        graphs.push(...a.graphs);
      }
    }
  }
  return out;
}

/** Decodes a model's structure (weights left in the file) for a look that changes nothing. */
export function withDecodedModel<T>(modelPath: string, look: (model: ModelProto, files: ModelFiles) => T): T {
  const files = new DiskModelFiles(modelPath);
  try {
    return look(decodeModelProto(files.model), files);
  } finally {
    files.close();
  }
}
