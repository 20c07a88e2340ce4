// Chart colours from the VS Code theme (CSS variables the workbench sets on the webview), so the
// curves follow light, dark and high-contrast themes.

export interface ChartTheme {
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  font: string;
  /** One colour per run, in the order runs are drawn. */
  runColors: string[];
}

const CHART_VARS = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow'];
const FALLBACK = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700'];

export function readTheme(): ChartTheme {
  const style = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    foreground: v('--vscode-editor-foreground', '#cccccc'),
    muted: v('--vscode-descriptionForeground', '#999999'),
    grid: v('--vscode-editorWidget-border', v('--vscode-panel-border', '#80808040')),
    background: v('--vscode-editor-background', '#1e1e1e'),
    font: `${v('--vscode-font-size', '12px')} ${v('--vscode-font-family', 'sans-serif')}`,
    runColors: CHART_VARS.map((name, i) => v(name, FALLBACK[i])),
  };
}

/** `#rrggbb` or `rgb()` colour with an alpha, for the faint raw series behind a smoothed one. */
export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})/i.exec(color);
  if (hex) return `#${hex[1]}${Math.round(alpha * 255).toString(16).padStart(2, '0')}`;
  const rgb = /^rgba?\(([^)]+)\)/.exec(color);
  if (rgb) {
    const [r, g, b] = rgb[1].split(',').map((s) => s.trim());
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  return color;
}
