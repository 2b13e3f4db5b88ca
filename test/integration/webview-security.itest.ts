// The graph webview's Content Security Policy as the page carries it and enforces it, and SVG
// export of names written to break markup: the file is well-formed XML (python's parser) with
// the drawing's own elements only, and the names appear as text.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { openGraph, python, scratchFolder, ui, until } from './helpers';

interface PageFacts {
  csp: string | null;
  /** The nonces of the page's script files (VS Code adds an inline script of its own). */
  scriptNonces: string[];
  inlineScriptRan: boolean;
}

/** What the webview document says and does: its CSP meta, its scripts' nonces, whether an injected inline script runs. */
const PAGE_FACTS = `
  const meta = document.querySelector('meta[http-equiv="Content-Security-Policy"]');
  const injected = document.createElement('script');
  injected.textContent = 'window.__inlineScriptRan = true';
  document.head.append(injected);
  return { csp: meta && meta.getAttribute('content'), scriptNonces: [...document.scripts].filter((s) => s.src).map((s) => s.nonce), inlineScriptRan: window.__inlineScriptRan === true };
`;

/** XML 1.0 cannot carry C0 control characters, even escaped: export shows their control pictures (U+2400…). */
const asExported = (name: string): string => name.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, (c) => String.fromCharCode(0x2400 + c.charCodeAt(0)));

describe('webview security', () => {
  let dir: string;
  before(() => {
    dir = scratchFolder();
    python('make_models.py', [dir]);
  });

  it("CSP: nothing by default, scripts by nonce only, workers from blob:, styles and images from the extension; inline script is refused", async () => {
    await openGraph(join(dir, 'dtypes.onnx'));
    const facts = await ui<PageFacts>({ action: 'webviewEval', body: PAGE_FACTS });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // The origin VS Code serves webview resources from (cspSource), read from a panel of our own
    // (after the graph: a custom editor opened right after a panel is disposed fails to open).
    const probe = vscode.window.createWebviewPanel('onnxStudio.cspProbe', 'probe', vscode.ViewColumn.Active);
    const own = probe.webview.cspSource.split(/\s+/);
    probe.dispose();
    assert.ok(facts.csp, 'a CSP meta element');
    const directives = new Map(facts.csp.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([k, ...v]) => [k!, v]));
    assert.deepEqual([...directives.keys()].sort(), ['default-src', 'img-src', 'script-src', 'style-src', 'worker-src']);
    assert.deepEqual(directives.get('default-src'), ["'none'"]);
    assert.deepEqual(directives.get('worker-src'), ['blob:']);
    const script = directives.get('script-src')!;
    assert.equal(script.length, 1);
    const nonce = /^'nonce-([A-Za-z0-9+/]{22,}={0,2})'$/.exec(script[0]!)?.[1];
    assert.ok(nonce, `script-src ${script[0]}: a nonce of 16 bytes or more`);
    assert.deepEqual(facts.scriptNonces, [nonce], 'the one script file carries the nonce');
    assert.deepEqual(directives.get('style-src'), own);
    assert.deepEqual(directives.get('img-src'), [...own, 'data:']);
    assert.doesNotMatch(facts.csp, /unsafe-|strict-dynamic/);
    assert.equal(facts.inlineScriptRan, false, 'an inline script without the nonce does not run');
  });

  it('SVG export of hostile names: well-formed, no markup from the names, the names as text', async () => {
    const names = JSON.parse(readFileSync(join(dir, 'hostile-names.json'), 'utf8')) as string[];
    await openGraph(join(dir, 'hostile.onnx'));
    const target = join(dir, 'exported-hostile.svg');
    await ui({ action: 'webviewClick', role: 'button', name: 'SVG' });
    await ui({ action: 'quickInput', text: target });
    await until('the SVG file', () => (existsSync(target) ? true : undefined));
    const svg = JSON.parse(python('svg_texts.py', [target])) as { foreign: string[]; handlers: string[]; texts: string[] };
    assert.deepEqual(svg.foreign, [], 'only the drawing’s own elements');
    assert.deepEqual(svg.handlers, [], 'no event-handler or href attributes');
    names.forEach((name, i) => {
      const shown = asExported(name);
      assert.ok(svg.texts.filter((t) => t === shown).length >= 2, `${JSON.stringify(shown.slice(0, 40))}: the node and the input it reads`);
      assert.ok(svg.texts.includes(`${shown}#${i}`), `${JSON.stringify(shown.slice(0, 40))}: the output`);
    });
  });
});
