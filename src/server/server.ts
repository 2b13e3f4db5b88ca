// The language server for ONNX text (.onnxtxt): diagnostics from the parser, the checker and the
// weights files, hover, completion, definitions and references, symbols, formatting.
import { fileURLToPath } from 'node:url';
import { CompletionItemKind, createConnection, DiagnosticSeverity, type Diagnostic, ProposedFeatures, SymbolKind, TextDocuments, TextDocumentSyncKind, type DocumentSymbol, type Location, type Position, type Range } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { opKey } from '../analysis/summary';
import { typeToString } from '../onnx/model/value-type';
import { opsAt, resolveSchema } from '../onnx/schema/registry';
import { printModel } from '../onnx/text/printer';
import { analyze, type DocumentAnalysis } from './analysis';
import { AnalysisSchedule, tooLargeMessage } from './analysis-schedule';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

function pathOf(uri: string): string | undefined {
  return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
}

const range = (doc: TextDocument, start: number, end: number): Range => ({ start: doc.positionAt(start), end: doc.positionAt(end) });
const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information };

const schedule = new AnalysisSchedule(
  (doc) => analyze(doc.getText(), pathOf(doc.uri)),
  (scheduled, result) => {
    const document = documents.get(scheduled.uri);
    if (!document || document.version !== scheduled.version) return; // closed or edited since
    const diagnostics: Diagnostic[] =
      result.kind === 'too-large'
        ? [{ range: range(document, 0, 0), message: tooLargeMessage(result.chars), severity: DiagnosticSeverity.Warning, source: 'onnx-studio' }]
        : result.analysis.findings.map((f) => ({ range: range(document, f.start, f.end), message: f.message, severity: SEVERITY[f.severity], code: f.code, source: 'onnx-studio' }));
    void connection.sendDiagnostics({ uri: document.uri, diagnostics });
  },
);

/** The analysis of the document as it is now; undefined when the text is too large to analyse. */
function analysisOf(doc: TextDocument): DocumentAnalysis | undefined {
  const r = schedule.current(doc);
  return r.kind === 'analysis' ? r.analysis : undefined;
}

documents.onDidChangeContent(({ document }) => schedule.changed(document));
documents.onDidClose(({ document }) => schedule.closed(document.uri));

connection.onInitialize(() => ({
  capabilities: {
    textDocumentSync: TextDocumentSyncKind.Incremental,
    hoverProvider: true,
    completionProvider: { triggerCharacters: ['=', '(', ',', ' '] },
    definitionProvider: true,
    referencesProvider: true,
    documentSymbolProvider: true,
    documentFormattingProvider: true,
  },
}));

/** The value mention or node op under an offset. */
function at(a: DocumentAnalysis, offset: number) {
  const value = a.parse.map.values.find((v) => v.start <= offset && offset <= v.end);
  const node = a.parse.map.nodes.find((n) => n.opStart <= offset && offset <= n.opEnd);
  return { value, node };
}

connection.onHover(({ textDocument, position }) => {
  const doc = documents.get(textDocument.uri);
  const a = doc && analysisOf(doc);
  if (!doc || !a) return null;
  const { value, node } = at(a, doc.offsetAt(position));
  if (node) {
    const n = a.nodeOf(node.node);
    const domain = node.node.domain ?? '';
    const schema = resolveSchema(domain, node.node.op_type ?? '', a.model.opsetImports.get(domain === 'ai.onnx' ? '' : domain) ?? 0);
    const head = `**${opKey(domain, node.node.op_type ?? '')}**${schema ? `-${schema.since}` : ''}`;
    const outs = n ? n.outputs.map((o, i) => `${o}: ${typeToString(a.inference.typeOf(n.outputValue(i)!) ?? null)}`).join('\n\n') : '';
    return { contents: { kind: 'markdown', value: `${head}\n\n${schema?.summary ?? 'no schema for this domain: not checked'}${outs ? `\n\n${outs}` : ''}` }, range: range(doc, node.opStart, node.opEnd) };
  }
  if (value) {
    for (const g of a.model.graphs()) {
      const v = g.values.get(value.name);
      if (v) return { contents: { kind: 'markdown', value: `\`${value.name}\`: ${typeToString(a.inference.typeOf(v))}` }, range: range(doc, value.start, value.end) };
    }
  }
  return null;
});

connection.onCompletion(({ textDocument, position }) => {
  const doc = documents.get(textDocument.uri);
  const last = doc && schedule.latest(doc); // a few edits old is fine while typing
  const a = last?.kind === 'analysis' ? last.analysis : undefined;
  if (!doc || !a) return [];
  // Inside `Op <…`: the op's attributes, with their types and defaults.
  const before = doc.getText({ start: { line: position.line, character: 0 }, end: position });
  const inAttrs = /=\s*([A-Za-z_][\w.]*)\s*<[^>]*$/.exec(before);
  if (inAttrs) {
    const qualified = inAttrs[1]!;
    const dot = qualified.lastIndexOf('.');
    const domain = dot >= 0 ? qualified.slice(0, dot) : '';
    const schema = resolveSchema(domain, qualified.slice(dot + 1), a.model.opsetImports.get(domain) ?? 0);
    return (schema?.attributes ?? []).map((attr) => ({
      label: attr.name,
      kind: CompletionItemKind.Property,
      detail: `${attr.type}${attr.required ? ' (required)' : attr.default !== undefined ? ` = ${attr.default}` : ''}`,
      insertText: `${attr.name} = `,
    }));
  }
  const ops = [...a.model.opsetImports].flatMap(([domain, version]) => opsAt(domain, version).map((op) => ({ label: domain ? `${domain}.${op}` : op, kind: CompletionItemKind.Function, detail: resolveSchema(domain, op, version)?.summary })));
  // Values visible where the cursor is: defined in its graph or an enclosing one.
  const offset = doc.offsetAt(position);
  const here = a.parse.map.scopes.reduce((best, s, i) => (s.start <= offset && offset <= s.end && (best < 0 || s.start >= a.parse.map.scopes[best]!.start) ? i : best), -1);
  const visible = a.parse.map.values.filter((v) => v.definition && visibleFrom(a, v.scope, here));
  const values = [...new Set(visible.map((v) => v.name))].map((name) => ({ label: name, kind: CompletionItemKind.Variable }));
  return [...ops, ...values];
});

/** Whether a value defined in scope `def` is visible from scope `use` (subgraphs see outer values). */
function visibleFrom(a: DocumentAnalysis, def: number, use: number): boolean {
  for (let s = use; ; s = a.parse.map.scopes[s]!.parent) {
    if (s === def) return true;
    if (s < 0) return false;
  }
}

type Mention = DocumentAnalysis['parse']['map']['values'][number];

/** The definitions a mention refers to: same name, in its scope or an enclosing one (innermost first). */
function definitionsOf(a: DocumentAnalysis, m: Mention): Mention[] {
  return a.parse.map.values.filter((v) => v.definition && v.name === m.name && visibleFrom(a, v.scope, m.scope)).sort((x, y) => y.scope - x.scope).slice(0, 1);
}

/** A value's mentions: its definition and every read that resolves to it. */
function mentionsOf(a: DocumentAnalysis, m: Mention): Mention[] {
  const def = m.definition ? m : definitionsOf(a, m)[0];
  if (!def) return [m];
  return a.parse.map.values.filter((v) => v.name === def.name && (v === def || (!v.definition && definitionsOf(a, v)[0] === def)));
}

/** Locations related to the value under the cursor (its definition, or all its mentions). */
function valueLocations(uri: string, position: Position, related: (a: DocumentAnalysis, m: Mention) => Mention[]): Location[] | null {
  const doc = documents.get(uri);
  const a = doc && analysisOf(doc);
  if (!doc || !a) return null;
  const { value } = at(a, doc.offsetAt(position));
  if (!value) return null;
  return related(a, value).map((v): Location => ({ uri: doc.uri, range: range(doc, v.start, v.end) }));
}

connection.onDefinition(({ textDocument, position }) => valueLocations(textDocument.uri, position, definitionsOf));
connection.onReferences(({ textDocument, position }) => valueLocations(textDocument.uri, position, mentionsOf));

connection.onDocumentSymbol(({ textDocument }) => {
  const doc = documents.get(textDocument.uri);
  const a = doc && analysisOf(doc);
  if (!doc || !a) return [];
  const symbols: DocumentSymbol[] = a.parse.map.scopes.map((s) => ({
    name: s.name || '(graph)',
    kind: s.kind === 'graph' ? SymbolKind.Module : SymbolKind.Function,
    range: range(doc, s.start, s.end),
    selectionRange: range(doc, s.start, s.start),
    children: [],
  }));
  const roots: DocumentSymbol[] = [];
  a.parse.map.scopes.forEach((s, i) => (s.parent >= 0 ? symbols[s.parent]!.children!.push(symbols[i]!) : roots.push(symbols[i]!)));
  for (const n of a.parse.map.nodes) {
    const owner = a.parse.map.scopes.reduce((best, s, i) => (s.start <= n.start && n.end <= s.end && (best < 0 || s.start >= a.parse.map.scopes[best]!.start) ? i : best), -1);
    const sym: DocumentSymbol = { name: n.node.name || n.node.output.join(', ') || n.node.op_type || '', detail: n.node.op_type, kind: SymbolKind.Event, range: range(doc, n.start, n.end), selectionRange: range(doc, n.opStart, n.opEnd) };
    (owner >= 0 ? symbols[owner]!.children! : roots).push(sym);
  }
  return roots;
});

connection.onDocumentFormatting(({ textDocument }) => {
  const doc = documents.get(textDocument.uri);
  const a = doc && analysisOf(doc);
  if (!doc || !a) return [];
  if (a.parse.diagnostics.length) return [];
  const text = printModel(a.parse.model).text;
  return [{ range: range(doc, 0, doc.getText().length), newText: text }];
});

documents.listen(connection);
connection.listen();
