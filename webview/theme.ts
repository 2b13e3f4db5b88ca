// Colours come only from the VS Code theme (its --vscode-* CSS variables), so dark, light and
// high-contrast themes all work; categories pick from the theme's chart and terminal palettes.

export interface Theme {
  background: string;
  foreground: string;
  edge: string;
  edgeLabel: string;
  inferred: string;
  nodeText: string;
  selection: string;
  highlight: string;
  category(name: string): string;
}

const CATEGORY_VARS: Record<string, string> = {
  conv: '--vscode-charts-blue',
  matmul: '--vscode-charts-purple',
  activation: '--vscode-charts-red',
  normalization: '--vscode-charts-green',
  pool: '--vscode-terminal-ansiCyan',
  shape: '--vscode-terminal-ansiBrightBlack',
  elementwise: '--vscode-charts-orange',
  reduce: '--vscode-terminal-ansiMagenta',
  control: '--vscode-charts-yellow',
  quantize: '--vscode-terminal-ansiBrightBlue',
  constant: '--vscode-disabledForeground',
  io: '--vscode-button-background',
  group: '--vscode-editorWidget-background',
  other: '--vscode-descriptionForeground',
};

export function themeColours(): Theme {
  const style = getComputedStyle(document.body);
  const v = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
  const fg = v('--vscode-editor-foreground', '#cccccc');
  const cache = new Map<string, string>();
  return {
    background: v('--vscode-editor-background', '#1e1e1e'),
    foreground: fg,
    edge: v('--vscode-editorLineNumber-foreground', '#858585'),
    edgeLabel: v('--vscode-descriptionForeground', '#9d9d9d'),
    inferred: v('--vscode-textLink-foreground', '#3794ff'),
    nodeText: v('--vscode-button-foreground', '#ffffff'),
    selection: v('--vscode-focusBorder', '#007fd4'),
    highlight: v('--vscode-editor-findMatchBorder', '#f9a825'),
    category(name) {
      let c = cache.get(name);
      if (!c) cache.set(name, (c = v(CATEGORY_VARS[name] ?? CATEGORY_VARS.other!, '#6a6a6a')));
      return c;
    },
  };
}
