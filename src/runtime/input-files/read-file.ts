import { DataFileError, openDataFile, readDataFile } from '../../onnx/io/data-files';
import type { FeedTensor } from '../types';
import { imageToTensor, type ImagePlan } from './image-preprocess';
import { decodeJpeg } from './jpeg';
import { readNpy } from './npy';
import { decodePng } from './png';
import { readTensorPb } from './tensor-pb';

/** Bytes an image file may have (compressed): far above any photograph. */
const MAX_IMAGE_FILE_BYTES = 256 * 2 ** 20;

export type FileKind = 'npy' | 'pb' | 'png' | 'jpeg';

/** What a file name says it holds, or undefined for names that are not sample files. */
export function fileKind(name: string): FileKind | undefined {
  const ext = /\.([^./]+)$/.exec(name)?.[1]?.toLowerCase();
  return ext === 'npy' ? 'npy' : ext === 'pb' ? 'pb' : ext === 'png' ? 'png' : ext === 'jpg' || ext === 'jpeg' ? 'jpeg' : undefined;
}

/**
 * Reads one sample file into a tensor: .npy and .pb as stored, images through `plan` (which
 * the caller settles once per data set). Messages name the file by `path` as given.
 */
export function readSampleFile(path: string, kind: FileKind, plan: ImagePlan | undefined): FeedTensor {
  if (kind === 'png' || kind === 'jpeg') {
    if (!plan) throw new DataFileError(`${path}: an image, but the input it would feed takes no images`, path);
    const bytes = readDataFile(path, MAX_IMAGE_FILE_BYTES);
    return imageToTensor(kind === 'png' ? decodePng(bytes, path) : decodeJpeg(bytes, path), plan);
  }
  const source = openDataFile(path);
  try {
    return kind === 'npy' ? readNpy(source) : readTensorPb(source).tensor;
  } finally {
    source.close();
  }
}
