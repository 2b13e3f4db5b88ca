import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root (tests are bundled into out/test/). */
export const ROOT = join(__dirname, '..', '..');
/** The bundled CLI (npm run build). */
export const CLI = join(ROOT, 'dist', 'cli.js');
export const CORPUS_DIR = join(ROOT, '.cache', 'corpus');
/** The ONNX backend conformance suite from Debian's libonnx-testdata. */
export const SUITE_DIR = '/usr/share/libonnx-testdata/data';

/** Real models nobody here wrote, fetched by scripts/fetch-corpus.sh. */
export function corpusModels(): string[] {
  if (!existsSync(CORPUS_DIR)) throw new Error(`${CORPUS_DIR} is missing: run npm run corpus`);
  return readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.onnx')).sort().map((f) => join(CORPUS_DIR, f));
}

export interface SuiteCase {
  group: string;
  name: string;
  dir: string;
  model: string;
}

/** Every test case of the conformance suite (node, pytorch-converted, pytorch-operator, simple). */
export function suiteCases(groups = ['node', 'pytorch-converted', 'pytorch-operator', 'simple']): SuiteCase[] {
  if (!existsSync(SUITE_DIR)) throw new Error(`${SUITE_DIR} is missing: apt-get install python3-onnx libonnx-testdata`);
  const out: SuiteCase[] = [];
  for (const group of groups) {
    for (const name of readdirSync(join(SUITE_DIR, group)).sort()) {
      const dir = join(SUITE_DIR, group, name);
      const model = join(dir, 'model.onnx');
      if (existsSync(model)) out.push({ group, name, dir, model });
    }
  }
  return out;
}

/** Reference output files of the first data set: output_0.pb, output_1.pb, … */
export function referenceOutputs(dir: string): string[] {
  const ds = join(dir, 'test_data_set_0');
  if (!existsSync(ds)) return [];
  return readdirSync(ds).filter((f) => /^output_\d+\.pb$/.test(f)).sort((a, b) => parseInt(a.slice(7)) - parseInt(b.slice(7))).map((f) => join(ds, f));
}
