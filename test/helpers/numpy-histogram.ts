// scripts/python/static_quant_reference.py's one-shot histogram (numpy) of streamed float32 chunks.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NumpyHistogram {
  positive: number[];
  negative: number[];
  min: number;
  max: number;
  count: number;
  percentileSymmetric: number;
  percentileAsymmetric: [number, number];
  entropyBins: number;
  entropySymmetric: number;
}

let dir: string | undefined;
let jobs = 0;

/** numpy's histogram of every finite value of all chunks at this stride and bin count per side, and the ranges read from it. */
export function numpyHistogram(chunks: Float32Array[], stride: number, half: number, percentile = 99.9): NumpyHistogram {
  dir ??= mkdtempSync(join(tmpdir(), 'numpy-histogram-'));
  const job = jobs++;
  const files = chunks.map((c, i) => {
    const p = join(dir!, `job${job}-chunk${i}.bin`);
    writeFileSync(p, new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
    return p;
  });
  const path = join(dir, `job${job}.json`);
  writeFileSync(path, JSON.stringify({ kind: 'histogram', files, stride, half, percentile }));
  return JSON.parse(execFileSync('/usr/bin/python3', ['scripts/python/static_quant_reference.py', path], { maxBuffer: 1 << 28 }).toString()) as NumpyHistogram;
}
