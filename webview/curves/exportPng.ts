// PNG export: the visible chart canvases composed on one canvas with their titles and a run legend.
import type { MetricChart } from './charts';
import { ChartTheme } from './theme';

export function renderPng(charts: MetricChart[], theme: ChartTheme, runs: string[]): string {
  const canvases = charts.map((c) => ({ title: c.title, canvas: c.canvas })).filter((c): c is { title: string; canvas: HTMLCanvasElement } => c.canvas !== null);
  const columns = Math.min(3, Math.max(1, canvases.length));
  const cellW = Math.max(1, ...canvases.map((c) => c.canvas.width));
  const cellH = Math.max(1, ...canvases.map((c) => c.canvas.height));
  const titleH = 28;
  const legendH = 32;
  const rows = Math.ceil(canvases.length / columns);
  const out = document.createElement('canvas');
  out.width = columns * cellW;
  out.height = legendH + rows * (cellH + titleH);
  const ctx = out.getContext('2d') as CanvasRenderingContext2D;
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.font = `bold 16px sans-serif`;
  let x = 12;
  runs.forEach((run, i) => {
    ctx.fillStyle = theme.runColors[i % theme.runColors.length];
    ctx.fillRect(x, 12, 14, 4);
    ctx.fillStyle = theme.foreground;
    ctx.fillText(run, x + 20, 20);
    x += ctx.measureText(run).width + 44;
  });
  canvases.forEach((c, i) => {
    const cx = (i % columns) * cellW;
    const cy = legendH + Math.floor(i / columns) * (cellH + titleH);
    ctx.fillStyle = theme.foreground;
    ctx.fillText(c.title, cx + 12, cy + 20);
    ctx.drawImage(c.canvas, cx, cy + titleH);
  });
  return out.toDataURL('image/png');
}
