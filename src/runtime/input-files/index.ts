// Calibration and evaluation inputs read from files (issue 8, point 5): the public surface.
export { openCalibrationData, type CalibrationSplit } from './calibration-split';
export { describeImagePlan, imageToTensor, planImageInput, type ImageOptions, type ImagePlan } from './image-preprocess';
export { openInputFolder, type InputData, type InputFolderOptions, type SampleUnit } from './input-folder';
export { InputOptionsError, modelInputSpecs, type InputSpec } from './input-spec';
export { readNpy, readNpyHeader } from './npy';
export { decodePng, MAX_IMAGE_PIXELS, type DecodedImage } from './png';
export { decodeJpeg } from './jpeg';
export { fileKind, readSampleFile, type FileKind } from './read-file';
export { readTensorPb, type NamedTensor } from './tensor-pb';
export { DataFileError } from '../../onnx/io/data-files';
export { imageOptionsFromFlags, type ImageFlags } from './image-flags';
