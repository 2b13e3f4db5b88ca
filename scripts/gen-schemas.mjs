// Generates src/onnx/schema/registry.json from the ONNX operator changelogs (Changelog.md,
// Changelog-ml.md of ONNX 1.23) and ONNX Runtime's ContribOperators.md (the com.microsoft
// domain). Run: node scripts/gen-schemas.mjs [ONNX_REFERENCE_DIR [ORT_REFERENCE_DIR [OUT_JSON]]]
// The JSON is committed because it ships with the extension and the documents live outside
// the repository. Format: see src/onnx/schema/types.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const refDir = process.argv[2] ?? join(root, '..', 'shared', 'reference', 'onnx');
const ortDir = process.argv[3] ?? join(root, '..', 'shared', 'reference', 'onnxruntime');
const out = process.argv[4] ?? join(root, 'src', 'onnx', 'schema', 'registry.json');

const unescapeHtml = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
const stripTags = (s) => unescapeHtml(s.replace(/<[^>]+>/g, '')).trim();

/** First sentence of the description, without markdown, for hovers and tooltips. */
function summaryOf(lines) {
  const text = lines.join(' ').replace(/\s+/g, ' ').replace(/`/g, '').trim();
  const stop = text.search(/\.(\s|$)/);
  const first = stop >= 0 ? text.slice(0, stop + 1) : text;
  return first.length > 240 ? first.slice(0, 237) + '...' : first;
}

/** `<dt><tt>name</tt> (flags) : type</dt>` → [name, flags, type]. */
function parseDt(line) {
  const m = /^<dt><tt>([^<]*)<\/tt>(?: \(([^)]*)\))?(?: : (.*))?<\/dt>$/.exec(line.trim());
  if (!m) throw new Error(`unparsed <dt>: ${line}`);
  return [unescapeHtml(m[1]), m[2] ?? '', m[3] ? stripTags(m[3]) : ''];
}

const ATTR_TYPES = {
  float: 'float', int: 'int', string: 'string', tensor: 'tensor', graph: 'graph',
  sparse_tensor: 'sparse_tensor', type_proto: 'type_proto',
  'list of floats': 'floats', 'list of ints': 'ints', 'list of strings': 'strings',
  'list of tensors': 'tensors', 'list of graphs': 'graphs', 'list of sparse_tensors': 'sparse_tensors',
  'list of type_protos': 'type_protos',
};

function parseAttr(line) {
  const [name, , rest] = parseDt(line);
  let m = /^(.*?) \(required\)$/.exec(rest);
  if (m) return { name, type: typeOf(m[1]), required: true };
  m = /^(.*?) \(default is (.*)\)$/.exec(rest);
  if (m) return { name, type: typeOf(m[1]), default: m[2] };
  return { name, type: typeOf(rest) };
}
function typeOf(t) {
  const type = ATTR_TYPES[t.trim()];
  if (!type) throw new Error(`unknown attribute type '${t}'`);
  return type;
}

function parseFormal(line) {
  const [name, flags, type] = parseDt(line);
  const f = flags.split(',').map((s) => s.trim());
  const formal = { name, type };
  if (f.includes('optional')) formal.optional = true;
  if (f.includes('variadic')) formal.variadic = true;
  if (f.includes('heterogeneous')) formal.heterogeneous = true;
  return formal;
}

function parseRange(heading, count) {
  const m = /\((\d+) - (\d+|&#8734;)\)/.exec(heading);
  if (!m) return [count, count];
  return [Number(m[1]), m[2] === '&#8734;' ? -1 : Number(m[2])];
}

function parseChangelog(file, domains) {
  const lines = readFileSync(file, 'utf8').split('\n');
  let domain = null;
  let op = null;
  let section = null;
  const finish = () => {
    if (!op) return;
    const d = (domains[op.domain] ??= {});
    const { domain: _d, name: _n, summaryLines, ...schema } = op;
    schema.summary = summaryOf(summaryLines);
    if (schema.inputs.length === 0 && schema.minInputs === undefined) schema.minInputs = schema.maxInputs = 0;
    if (schema.outputs.length === 0 && schema.minOutputs === undefined) schema.minOutputs = schema.maxOutputs = 0;
    (d[op.name] ??= []).push(schema);
    op = null;
  };
  for (const raw of lines) {
    const line = raw.trimEnd();
    let m;
    if ((m = /^# (\S+)/.exec(line))) {
      finish();
      domain = m[1] === 'ai.onnx' ? '' : m[1];
      continue;
    }
    if ((m = /^### <a name="([^"]+)-(\d+)"><\/a>\*\*[^*]+\*\*( \(deprecated\))?/.exec(line))) {
      finish();
      let name = m[1];
      if (domain && name.startsWith(domain + '.')) name = name.slice(domain.length + 1);
      op = { domain, name, since: Number(m[2]), inputs: [], outputs: [], attributes: [], typeConstraints: {}, summaryLines: [] };
      if (m[3]) op.deprecated = true;
      section = 'summary';
      continue;
    }
    if (!op) continue;
    if (line.startsWith('## ')) { finish(); continue; }
    if ((m = /^#### (\w[\w ]*?)( \(.*\))?$/.exec(line))) {
      section = m[1];
      if (section === 'Inputs' || section === 'Outputs') op[`range${section}`] = line;
      continue;
    }
    if (section === 'summary') {
      if (line.trim() && !line.trim().startsWith('```')) op.summaryLines.push(line.trim());
      else if (op.summaryLines.length) section = 'summary-done';
      continue;
    }
    if (section === 'Version') {
      if ((m = /deprecated since version (\d+)/.exec(line))) op.deprecated = true;
      continue;
    }
    readSignature(op, section, line);
  }
  finish();
}

/** One `<dt>` line of an operator's Attributes, Inputs, Outputs or Type Constraints. */
function readSignature(op, section, line) {
  if (!line.trim().startsWith('<dt>')) return;
  if (section === 'Attributes') op.attributes.push(parseAttr(line));
  else if (section === 'Inputs') op.inputs.push(parseFormal(line));
  else if (section === 'Outputs') op.outputs.push(parseFormal(line));
  else if (section === 'Type Constraints') {
    const [name, , types] = parseDt(line);
    op.typeConstraints[name] = splitTypes(types);
  }
}

/**
 * ContribOperators.md: one section per operator (`### <a name="com.microsoft.X">…`), all of
 * version 1 (experimental ones say "No versioning maintained"). Its attribute headings carry
 * no defaults; a default is taken from the description only where it states a plain literal
 * ("Default value is 0", "Default is 'none'") of the attribute's type.
 */
function parseContribDoc(file, domains) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const listed = lines.map((l) => /^ {2}\* (?:<sub>experimental<\/sub> )?<a href="#([\w.]+)">/.exec(l)?.[1]).filter(Boolean);
  const documented = [];
  let op = null;
  let section = null;
  const finish = () => {
    if (!op) return;
    const { domain, name, summaryLines, ...schema } = op;
    schema.summary = summaryLines.length ? summaryOf(summaryLines) : 'ONNX Runtime operator (its documentation has no description).';
    const d = (domains[domain] ??= {});
    if (d[name]) throw new Error(`${domain}.${name} documented twice`);
    d[name] = [schema];
    documented.push(`${domain}.${name}`);
    op = null;
  };
  for (const raw of lines) {
    const line = raw.trimEnd();
    let m;
    if ((m = /^### (?:<sub>experimental<\/sub> )?<a name="([\w.]+)\.(\w+)"><\/a>/.exec(line))) {
      finish();
      op = { domain: m[1], name: m[2], since: 1, inputs: [], outputs: [], attributes: [], typeConstraints: {}, summaryLines: [] };
      section = 'summary';
      continue;
    }
    if (!op) continue;
    if ((m = /^#### (\w[\w ]*?)( \(.*\))?$/.exec(line))) {
      section = m[1];
      if (section === 'Inputs' || section === 'Outputs') op[`range${section}`] = line;
      continue;
    }
    if (section === 'summary') {
      if (line.trim()) op.summaryLines.push(line.trim());
      else if (op.summaryLines.length) section = 'summary-done';
      continue;
    }
    if (section === 'Version') {
      if ((m = /since version (\d+)/.exec(line))) op.since = Number(m[1]);
      continue;
    }
    if (section === 'Attributes' && line.startsWith('<dd>')) {
      const attr = op.attributes[op.attributes.length - 1];
      const value = attr && !attr.required ? statedDefault(stripTags(line), attr.type) : undefined;
      if (value !== undefined) attr.default = value;
      continue;
    }
    readSignature(op, section, line);
  }
  finish();
  // The table of contents and the sections are separate parts of the document: they must agree.
  if (listed.join() !== documented.join()) throw new Error(`${file}: ${listed.length} operators listed, ${documented.length} sections parsed`);
}

/** The literal after "Default value is" / "Default is" / "Defaults to", when it fits the type. */
function statedDefault(text, type) {
  const m = /\bDefault(?: value)? is (\S+?)[.,]?(?:\s|$)|\bDefaults? to (\S+?)[.,]?(?:\s|$)/.exec(text);
  const literal = m && (m[1] ?? m[2]).replace(/f$/, '');
  if (!literal) return undefined;
  if (type === 'int' && /^-?\d+$/.test(literal)) return literal;
  if (type === 'float' && /^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$/.test(literal)) return literal;
  if (type === 'string' && /^'[^']+'$/.test(literal)) return literal.slice(1, -1);
  return undefined;
}

/** Splits `tensor(float), seq(tensor(int8))` at the top-level commas. */
function splitTypes(s) {
  const out = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) { out.push(cur.trim()); cur = ''; } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/**
 * A heading's range must follow from its formals (ONNX: min counts up to the last required
 * one, max is their number unless the last is variadic), so that a transcription slip in a
 * flag or a heading stops the generator instead of reaching the registry.
 */
function checkRange(op, s, kind, formals) {
  const lastRequired = formals.findLastIndex((f) => !f.optional && !f.variadic);
  const last = formals[formals.length - 1];
  const min = last?.variadic ? Math.max(lastRequired + 1, formals.length) : lastRequired + 1;
  const max = last?.variadic ? -1 : formals.length;
  const [lo, hi] = [s[`min${kind}`], s[`max${kind}`]];
  if (hi !== max || (lo !== min && !(last?.variadic && lo === min - 1))) {
    throw new Error(`${kind} of ${op}-${s.since}: range ${lo}..${hi} does not follow from its formals (${min}..${max})`);
  }
}

function finalizeRanges(domains) {
  for (const ops of Object.values(domains)) {
    for (const [op, versions] of Object.entries(ops)) {
      for (const s of versions) {
        for (const kind of ['Inputs', 'Outputs']) {
          const formals = s[kind.toLowerCase()];
          const heading = s[`range${kind}`];
          delete s[`range${kind}`];
          if (s[`min${kind}`] !== undefined) continue;
          const required = formals.filter((f) => !f.optional && !f.variadic).length;
          const [min, max] = heading ? parseRange(heading, formals.length) : [required, formals.length];
          s[`min${kind}`] = min;
          s[`max${kind}`] = max;
          checkRange(op, s, kind, formals);
        }
      }
      versions.sort((a, b) => a.since - b.since);
      // The changelog documents no signature for deprecated versions: they keep the previous one.
      versions.forEach((s, i) => {
        const prev = versions[i - 1];
        if (s.deprecated && prev && s.inputs.length === 0 && s.outputs.length === 0) {
          for (const k of ['inputs', 'outputs', 'attributes', 'typeConstraints', 'minInputs', 'maxInputs', 'minOutputs', 'maxOutputs']) s[k] = prev[k];
        }
      });
    }
  }
}

const domains = {};
parseChangelog(join(refDir, 'Changelog.md'), domains);
parseChangelog(join(refDir, 'Changelog-ml.md'), domains);
parseContribDoc(join(ortDir, 'ContribOperators.md'), domains);
finalizeRanges(domains);
const counts = Object.fromEntries(Object.entries(domains).map(([d, ops]) => [d || 'ai.onnx', Object.keys(ops).length]));
writeFileSync(out, JSON.stringify({ source: 'ONNX 1.23 Changelog.md + Changelog-ml.md; ONNX Runtime ContribOperators.md (com.microsoft)', domains }) + '\n');
console.log(`wrote ${out}: ${JSON.stringify(counts)}`);
