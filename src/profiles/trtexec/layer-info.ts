// trtexec's engine layer information: `--exportLayerInfo` JSON (`{"Layers": [...], "Bindings": [...]}`)
// and the `--dumpLayerInfo` lines of its log. With `--profilingVerbosity=detailed` each layer is
// an object (TensorRT 8.2 on; 10 adds `Metadata` "[ONNX Layer: …]" lists and `StreamId`); with
// the default `layer_names_only` the layers are bare names.
import { ProfileFormatError } from '../errors';
import { stripProfileSuffix } from './layer-names';

/** One engine layer as the layer info states it. */
export interface EngineLayer {
  name: string;
  /** LayerType: CaskConvolution, Reformat, kgen, shape_call, Myelin... */
  type?: string;
  /** The ONNX node names of `Metadata` (TensorRT 10), in order. */
  onnxNames: string[];
  /** Tensor names read and written (`[profile N]` suffixes removed). */
  inputs: string[];
  outputs: string[];
  /** fp32, fp16, int8... of the data the layer computes on; `fp32→int8` for a reformat that converts. */
  precision?: string;
  /** TacticName, or TacticValue when no name is given (0x0 means none). */
  tactic?: string;
}

/** Reads the `--exportLayerInfo` document; throws ProfileFormatError for anything else. */
export function parseLayerInfo(doc: unknown, path: string): EngineLayer[] {
  const layers = isRecord(doc) ? doc['Layers'] : undefined;
  if (!Array.isArray(layers)) throw new ProfileFormatError(`${path}: no "Layers" list, so not a trtexec --exportLayerInfo file`, path);
  return layers.map((l, i) => {
    if (typeof l === 'string') return { name: stripProfileSuffix(l), onnxNames: [], inputs: [], outputs: [] };
    if (!isRecord(l) || typeof l['Name'] !== 'string') throw new ProfileFormatError(`${path}: layer ${i} has no "Name", so not a trtexec --exportLayerInfo file`, path);
    return layerFromRecord(l);
  });
}

function layerFromRecord(l: Record<string, unknown>): EngineLayer {
  const inputs = tensors(l['Inputs']);
  const outputs = tensors(l['Outputs']);
  const tacticName = typeof l['TacticName'] === 'string' && l['TacticName'] ? l['TacticName'] : undefined;
  const tacticValue = typeof l['TacticValue'] === 'string' && !/^0x0+$/.test(l['TacticValue']) ? l['TacticValue'] : undefined;
  const type = typeof l['LayerType'] === 'string' ? l['LayerType'] : undefined;
  return {
    name: stripProfileSuffix(l['Name'] as string),
    type,
    onnxNames: typeof l['Metadata'] === 'string' ? metadataNames(l['Metadata']) : [],
    inputs: inputs.map((t) => t.name),
    outputs: outputs.map((t) => t.name),
    precision: layerPrecision(type, inputs.map((t) => t.format), outputs.map((t) => t.format)),
    tactic: tacticName ?? tacticValue,
  };
}

function tensors(list: unknown): { name: string; format?: string }[] {
  if (!Array.isArray(list)) return [];
  return list.filter(isRecord).map((t) => ({
    name: stripProfileSuffix(String(t['Name'] ?? '')),
    format: typeof t['Format/Datatype'] === 'string' ? t['Format/Datatype'] : undefined,
  }));
}

/**
 * `[ONNX Layer: /conv1/Conv]\x1e[ONNX Layer: /relu/Relu]` → the names. TensorRT joins the entries
 * of one layer with \x1e and those of a Myelin region with \x1f; a log may print them with the
 * separators dropped (`][`), so both are split.
 */
export function metadataNames(metadata: string): string[] {
  const names: string[] = [];
  for (const part of metadata.split(/[\x1e\x1f]|(?<=\])(?=\[ONNX Layer: )/)) {
    const m = /^\s*\[ONNX Layer: (.*)\]\s*$/s.exec(part);
    if (m && m[1]) names.push(stripProfileSuffix(m[1]));
  }
  return names;
}

/** The datatype word of a `Format/Datatype` ("Channel major FP16 format where channel % 8 == 0", "Half", "Int8"). */
export function formatPrecision(format: string | undefined): string | undefined {
  if (!format) return undefined;
  const f = format.toLowerCase();
  if (/\bfp8\b|\bfloat8|e4m3/.test(f)) return 'fp8';
  if (/\bbf16\b|bfloat16/.test(f)) return 'bf16';
  if (/\bfp16\b|\bhalf\b/.test(f)) return 'fp16';
  if (/\bint8\b/.test(f)) return 'int8';
  if (/\bint4\b/.test(f)) return 'int4';
  if (/\bfp32\b|\bfloat\b/.test(f)) return 'fp32';
  if (/\bint32\b/.test(f)) return 'int32';
  if (/\bint64\b/.test(f)) return 'int64';
  if (/\bbool\b/.test(f)) return 'bool';
  return undefined;
}

/**
 * The precision a layer computes in: its first input's datatype (an INT8 convolution writes FP32
 * or FP16 when it dequantizes), the output's for a layer without inputs; a reformat that changes
 * the datatype shows both ("fp32→int8", a quantize).
 */
function layerPrecision(type: string | undefined, inputs: (string | undefined)[], outputs: (string | undefined)[]): string | undefined {
  const input = formatPrecision(inputs[0]);
  const output = formatPrecision(outputs[0]);
  if (type === 'Reformat' && input && output && input !== output) return `${input}→${output}`;
  return input ?? output;
}

/**
 * One `--dumpLayerInfo` line of a log (`Name: X, LayerType: Y, Inputs: [...], ..., Metadata: ...`),
 * or undefined for any other line. Only the name, type, tactic and metadata are taken: the
 * tensor lists are not JSON there.
 */
export function parseLayerInfoLine(line: string): EngineLayer | undefined {
  const m = /^Name: (.*?), LayerType: ([^,]*),/.exec(line);
  if (!m) return undefined;
  const tactic = /, TacticName: ([^,\s]+),/.exec(line)?.[1];
  const metadata = /, Metadata: (.*)$/.exec(line)?.[1] ?? '';
  const outputs = /, Outputs: \[ \{ Name: (.*?), /.exec(line)?.[1];
  return { name: stripProfileSuffix(m[1]!), type: m[2]!, onnxNames: metadataNames(metadata), inputs: [], outputs: outputs ? [stripProfileSuffix(outputs)] : [], tactic };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
