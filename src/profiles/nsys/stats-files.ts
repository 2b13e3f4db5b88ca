import { ProfileFormatError } from '../errors';
import { csvRecords } from './csv';
import { reportOf, statsTable, type RawTable, type StatsTable } from './stats-tables';

// The tables of one `nsys stats` output file: `-f csv` or `-f json`, one report per file
// (`-o base` writes base_<report>.csv) or several one after the other (printed to the console,
// each after a "Processing [...] with [...]..." line).

const NOISE = /^(?:Processing \[|SKIPPED:|\s*\*\* )/;

export function statsTables(text: string, path: string): StatsTable[] {
  const body = text.replace(/^\uFEFF/, '');
  const start = body.trimStart()[0];
  const raw = start === '[' || start === '{' || /^Processing \[.*\n\s*\[/m.test(body) ? jsonTables(body, path) : csvTables(body);
  return raw.map((t) => statsTable(t, path));
}

function csvTables(text: string): RawTable[] {
  const tables: RawTable[] = [];
  let current: RawTable | undefined;
  for (const record of csvRecords(text)) {
    if (reportOf(record)) {
      current = { columns: record, rows: [] };
      tables.push(current);
      continue;
    }
    if (!current) continue;
    const blank = record.length === 1 && record[0]!.trim() === '';
    if (record.length !== current.columns.length && (blank || NOISE.test(record[0]!))) {
      current = undefined;
      continue;
    }
    current.rows.push(record);
  }
  return tables;
}

function jsonTables(text: string, path: string): RawTable[] {
  const chunks = text
    .split(/^Processing \[.*$/m)
    .map((c) => c.replace(/^SKIPPED:.*$/gm, '').trim())
    .filter((c) => c.length > 0);
  const tables: RawTable[] = [];
  for (const chunk of chunks) {
    let doc: unknown;
    try {
      doc = JSON.parse(chunk);
    } catch (e) {
      throw new ProfileFormatError(`${path}: not valid JSON (${(e as Error).message}); a truncated nsys stats report?`, path, { cause: e });
    }
    if (!Array.isArray(doc)) throw new ProfileFormatError(`${path}: JSON, but not an nsys stats report (an array of rows was expected)`, path);
    if (doc.length === 0) continue;
    const first = doc[0] as unknown;
    if (first === null || typeof first !== 'object' || Array.isArray(first)) throw new ProfileFormatError(`${path}: JSON array, but its rows are not objects as nsys stats writes them`, path);
    const columns = Object.keys(first);
    const rows = doc.map((row: unknown, i) => {
      if (row === null || typeof row !== 'object' || Array.isArray(row)) throw new ProfileFormatError(`${path}: row ${i + 1} is not an object`, path);
      const o = row as Record<string, unknown>;
      return columns.map((c) => (c in o ? o[c] : undefined));
    });
    tables.push({ columns, rows });
  }
  return tables;
}
