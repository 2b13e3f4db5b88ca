// TREx's metadata JSON (utils/parse_trtexec_log.py, utils/device_info.py): not written by trtexec,
// but made from its logs and often shared beside the exports. Read for the device, the build's
// precision, the TensorRT version and the run settings when given with the other files.
import { isRecord } from './layer-info';

export interface RunFacts {
  version?: string;
  device?: string;
  precision?: string;
  settings: Record<string, string | number | boolean>;
  medianComputeMs?: number;
}

const INFERENCE_SETTINGS = ['Iterations', 'Duration', 'Batch', 'CUDA Graph', 'Spin-wait', 'Separate profiling', 'Data transfers', 'Inference Streams', 'Streams', 'Input inference shapes', 'Input inference shape'];

export function readMetadata(doc: unknown, into: RunFacts): void {
  if (Array.isArray(doc)) {
    const first = doc[0];
    if (isRecord(first) && typeof first['Name'] === 'string') into.device ??= first['Name'];
    return;
  }
  if (!isRecord(doc)) return;
  const build = doc['build_options'];
  if (isRecord(build) && typeof build['Precision'] === 'string') into.precision ??= build['Precision'];
  const device = doc['device_information'];
  if (isRecord(device) && typeof device['Selected Device'] === 'string') into.device ??= device['Selected Device'];
  const version = doc['version'] ?? doc['TensorRT version'];
  if (typeof version === 'string') into.version ??= version;
  const inference = doc['inference_options'];
  if (isRecord(inference)) {
    for (const key of INFERENCE_SETTINGS) {
      const v = inference[key];
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') into.settings[key] ??= typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
    }
  }
  const summary = doc['performance_summary'];
  if (isRecord(summary) && Array.isArray(summary['GPU Compute Time'])) {
    // TREx stores [min, max, mean, median, p90, p95, p99].
    const median = summary['GPU Compute Time'][3];
    if (typeof median === 'number') into.medianComputeMs ??= median;
  }
}
