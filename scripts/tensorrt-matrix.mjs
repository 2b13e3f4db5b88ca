// Generates src/analysis/tensorrt/matrix-data.json from the ONNX-TensorRT parser's operator
// matrices (docs/operators.md of onnx/onnx-tensorrt at the 8.6, 10.1 and 11.1 releases; see
// ../shared/fixtures/tensorrt/SOURCES.md). Committed because the documents live outside the
// repository; test/trt-matrix.test.ts checks that the committed file equals this script's output.
// Run: node scripts/tensorrt-matrix.mjs [FIXTURE_DIR [OUT_JSON]]   (OUT_JSON '-' prints to stdout)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = process.argv[2] ?? join(process.env.ONNX_STUDIO_SHARED ?? join(root, '..', 'shared'), 'fixtures', 'tensorrt');
const out = process.argv[3] ?? join(root, 'src', 'analysis', 'tensorrt', 'matrix-data.json');

const VERSIONS = [
  { version: '8.6', file: 'operators-8.6.md' },
  { version: '10.1', file: 'operators-10.1.md' },
  { version: '11.1', file: 'operators.md' },
];

/** "opset 9 to opset 24" or "up to Opset 17": the inclusive range the header states (min null when unstated). */
function opsetRange(text) {
  const range = /opset (\d+) to opset (\d+)/i.exec(text);
  if (range) return { opsetMin: Number(range[1]), opsetMax: Number(range[2]) };
  const upTo = /up to opset (\d+)/i.exec(text);
  if (upTo) return { opsetMin: null, opsetMax: Number(upTo[1]) };
  throw new Error('no opset range in the header');
}

/** "DOUBLE, FLOAT32, ..., and BOOL" → the listed names. */
function dataTypes(text) {
  const m = /following ONNX data types: ([^\n]+)/.exec(text);
  if (!m) throw new Error('no data type list in the header');
  return m[1].replace(/\band\b/g, ',').split(',').map((s) => s.trim()).filter(Boolean);
}

/** Misspelt type names in the sources (10.1's ConstantOfShape row says INF64), read as meant. */
const TYPE_TYPOS = { INF64: 'INT64' };

/** Free text of a restriction cell → one phrase per sentence or <br /> line, without the final period. */
function phrases(text) {
  return text
    .split(/<br\s*\/?>/)
    .flatMap((part) => part.split(/(?<=\.)\s+(?=[A-Z`])/))
    .map((s) => s.replace(/\s+/g, ' ').trim().replace(/\.$/, '').trim())
    .filter(Boolean);
}

function parseMatrix(text) {
  const ops = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = line.split('|').slice(1).map((c) => c.trim());
    const [op, supported, types = '', ...rest] = cells;
    if (!op || op === 'Operator' || /^-+$/.test(op)) continue;
    if (supported !== 'Y' && supported !== 'N') throw new Error(`unparsed row: ${line}`);
    const typeList = /^[A-Z0-9, ]*$/.test(types) ? types.split(',').map((s) => s.trim()).filter(Boolean).map((t) => TYPE_TYPOS[t] ?? t) : [];
    const prose = typeList.length || !types ? [] : [types];
    ops[op] = { supported: supported === 'Y', types: typeList, restrictions: phrases([...prose, ...rest.filter(Boolean)].join(' ')) };
  }
  return ops;
}

export function buildMatrixData(dir = fixtures) {
  const versions = {};
  for (const { version, file } of VERSIONS) {
    const text = readFileSync(join(dir, file), 'utf8');
    const notes = text.split('\n').filter((l) => l.startsWith('> Note:')).map((l) => l.slice('> Note:'.length).trim());
    versions[version] = { file, ...opsetRange(text), dataTypes: dataTypes(text), notes, ops: parseMatrix(text) };
  }
  return { source: 'onnx/onnx-tensorrt docs/operators.md (Apache-2.0), release 8.6-GA, 10.1-GA, 11.1; see shared/fixtures/tensorrt/SOURCES.md', versions };
}

/** One operator per line: small, and a matrix update shows as a readable diff. */
export function formatMatrixData(data) {
  const versions = Object.entries(data.versions).map(([version, { ops, ...header }]) => {
    const rows = Object.entries(ops).map(([op, row]) => `   ${JSON.stringify(op)}: ${JSON.stringify(row)}`);
    const head = Object.entries(header).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
    return ` ${JSON.stringify(version)}: {\n${head.join('\n')}\n  "ops": {\n${rows.join(',\n')}\n  }\n }`;
  });
  return `{\n "source": ${JSON.stringify(data.source)},\n "versions": {\n${versions.join(',\n')}\n }\n}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const json = formatMatrixData(buildMatrixData());
  if (out === '-') process.stdout.write(json);
  else writeFileSync(out, json);
}
