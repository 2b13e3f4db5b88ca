import matrixJson from './matrix-data.json';

/** The TensorRT releases whose ONNX parser operator matrix we carry (scripts/tensorrt-matrix.mjs). */
export const TENSORRT_VERSIONS = ['8.6', '10.1', '11.1'] as const;
export type TensorRTVersion = (typeof TENSORRT_VERSIONS)[number];
export const NEWEST_TENSORRT: TensorRTVersion = '11.1';

/** One row of a matrix: Supported (Y/N), Supported Types, and the restriction phrases. */
export interface MatrixRow {
  supported: boolean;
  /** Names as the matrix writes them: FP32, FP16, BF16, INT32, INT64, INT8, FP8, FP4, INT4, UINT8, BOOL. */
  types: string[];
  restrictions: string[];
}

export interface VersionMatrix {
  file: string;
  /** Inclusive opset range of the default domain the header states; null when it states no lower bound (8.6). */
  opsetMin: number | null;
  opsetMax: number;
  /** The ONNX data types the header lists (DOUBLE, FLOAT32, …). */
  dataTypes: string[];
  notes: string[];
  ops: Record<string, MatrixRow>;
}

const MATRICES = (matrixJson as unknown as { versions: Record<TensorRTVersion, VersionMatrix> }).versions;

export function matrixFor(version: TensorRTVersion): VersionMatrix {
  return MATRICES[version];
}

/** Whether the version's ONNX parser takes a model whose default-domain opset is `opset`. */
export function acceptsOpset(m: VersionMatrix, opset: number): boolean {
  return opset <= m.opsetMax && (m.opsetMin === null || opset >= m.opsetMin);
}

/** The range as the matrix header states it: `9–20`, or `up to 17` without a lower bound. */
export function opsetRangeText(m: Pick<VersionMatrix, 'opsetMin' | 'opsetMax'>): string {
  return m.opsetMin === null ? `up to ${m.opsetMax}` : `${m.opsetMin}–${m.opsetMax}`;
}

/** `8.6`, `10`, `10.1`, `11`, `11.1` (and `8`) → the matrix version; undefined for anything else. */
export function parseTensorRTVersion(text: string): TensorRTVersion | undefined {
  const t = text.trim();
  const exact = TENSORRT_VERSIONS.find((v) => v === t);
  if (exact) return exact;
  return TENSORRT_VERSIONS.find((v) => v.split('.')[0] === t);
}

/** The versions (oldest first) whose matrix marks `op` as supported. */
export function versionsSupporting(op: string): TensorRTVersion[] {
  return TENSORRT_VERSIONS.filter((v) => MATRICES[v].ops[op]?.supported);
}
