// The one profile shape (DESIGN.md, src/profiles/): what every parser (ONNX Runtime, trtexec,
// Nsight Systems) produces, what `onnx-studio profile --json` prints (through `profileJson`),
// and what the VS Code overlay and tables are built from. Types and small pure helpers only.
import { ProfileFormatError } from './errors';

export type ProfileTool = 'onnxruntime' | 'trtexec' | 'nsys';

/** Where a profile came from and how it was measured (whatever the source states; absent = unknown). */
export interface ProfileSource {
  tool: ProfileTool;
  /** The tool's version as the file states it (ORT 1.30.0, TensorRT 10.16.1). */
  version?: string;
  /** The files read (absolute paths), in the order given. */
  files: string[];
  /** GPU or CPU name. */
  device?: string;
  /** The engine's or run's precision as a whole (fp32, fp16, int8, best). */
  precision?: string;
  /** Run settings as the tool reports them (threads, optimization level, batch, iterations...). */
  settings: Record<string, string | number | boolean>;
}

export interface ProfiledLayer {
  /** The tool's layer, kernel or node name, as written in the file. */
  name: string;
  /** The tool's layer type or op type(s) (ORT op_name, TensorRT LayerType); the ONNX op types come from `onnxNodes`. */
  kind?: string;
  /** Time summed over every measured inference, ms. */
  totalMs: number;
  /** Mean per inference, ms (totalMs / the profile's `inferences`). */
  avgMs: number;
  /** Median of the per-inference times where the source has them. */
  medianMs?: number;
  /** Invocations measured (a layer inside a Loop may run several times per inference). */
  count: number;
  /** avgMs / the profile's totalTimeMs, in [0, 1]. */
  share: number;
  /** Ids (DESIGN.md §2) of the ONNX nodes of the user's model this layer computes; empty: unmapped. */
  onnxNodes: string[];
  /** Time spent converting data for another layer (reformat, Reorder, Memcpy, inserted Cast): charged to the nodes it serves. */
  overhead?: boolean;
  /** Per-layer precision and tactic/kernel (TensorRT layer info). */
  precision?: string;
  tactic?: string;
  /** Bytes, where the source has them (ORT activation_size / output_size). */
  activationBytes?: number;
  outputBytes?: number;
}

export interface LayerProfile {
  source: ProfileSource;
  /** Measured inferences the times are averaged over (warm-up excluded). */
  inferences: number;
  layers: ProfiledLayer[];
  /** Sum of the layers' avgMs: one inference's profiled time. */
  totalTimeMs: number;
  /** Share of the profiled time on layers with at least one ONNX node of the model, in [0, 1]. */
  mappedShare: number;
  /** What the reader could not use or had to guess (skipped records, ambiguous names), one line each. */
  warnings: string[];
}

/** `onnx-studio profile --json`'s document (issue 10): the profile with the figures a script reads first. */
export interface ProfileJson {
  source: ProfileSource;
  inferences: number;
  /** Each layer as ProfiledLayer has it, its mean per inference as `timeMs`. */
  layers: (Omit<ProfiledLayer, 'totalMs' | 'avgMs'> & { timeMs: number })[];
  totalTimeMs: number;
  mappedShare: number;
  warnings: string[];
}

/** Under this share of the time on the model's nodes, a profile is likely of another model (the CLI exits 1). */
export const OTHER_MODEL_SHARE = 0.5;

export function likelyOtherModel(p: LayerProfile): boolean {
  return p.mappedShare < OTHER_MODEL_SHARE;
}

/**
 * Fills `share`, `totalTimeMs` and `mappedShare` from the layers' avgMs and onnxNodes (every
 * parser ends with this, so the figures are computed one way). Layers come back slowest first.
 */
export function finishProfile(p: Omit<LayerProfile, 'totalTimeMs' | 'mappedShare'> & Partial<LayerProfile>): LayerProfile {
  const total = p.layers.reduce((s, l) => s + l.avgMs, 0);
  // Times each finite but adding up past a double's range (1e308 ms in a hostile file) would make every share NaN.
  if (!Number.isFinite(total)) {
    const files = p.source.files.join(', ') || 'the profile';
    throw new ProfileFormatError(`${files}: the layers' times add up to more than a number can hold (${total} ms per inference): not times a profiler wrote`, p.source.files[0] ?? '');
  }
  const mapped = p.layers.reduce((s, l) => s + (l.onnxNodes.length > 0 ? l.avgMs : 0), 0);
  const layers = p.layers.map((l) => ({ ...l, share: total > 0 ? l.avgMs / total : 0 })).sort((a, b) => b.avgMs - a.avgMs);
  return { ...p, layers, totalTimeMs: total, mappedShare: total > 0 ? mapped / total : 0 };
}

export function profileJson(p: LayerProfile): ProfileJson {
  return {
    source: p.source,
    inferences: p.inferences,
    layers: p.layers.map((l) => ({
      name: l.name,
      ...(l.kind ? { kind: l.kind } : {}),
      timeMs: l.avgMs,
      ...(l.medianMs !== undefined ? { medianMs: l.medianMs } : {}),
      share: l.share,
      count: l.count,
      onnxNodes: l.onnxNodes,
      ...(l.overhead ? { overhead: true } : {}),
      ...(l.precision ? { precision: l.precision } : {}),
      ...(l.tactic ? { tactic: l.tactic } : {}),
      ...(l.activationBytes !== undefined ? { activationBytes: l.activationBytes } : {}),
      ...(l.outputBytes !== undefined ? { outputBytes: l.outputBytes } : {}),
    })),
    totalTimeMs: p.totalTimeMs,
    mappedShare: p.mappedShare,
    warnings: p.warnings,
  };
}
