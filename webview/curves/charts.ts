// One uPlot chart per metric: every drawn run in its own colour, its train series (raw + smoothed)
// and its eval series (rows of the eval split, whose metric is named `eval/<metric>`; dashed), on a shared step axis.
import uPlot from 'uplot';
import type { MetricsRow, MetricsSplit } from '../../src/core/protocol';
import { emaSmooth } from './smoothing';
import { ChartTheme, withAlpha } from './theme';

/** Tick spacings allowed on the step axis (uPlot picks the smallest that fits). */
const STEP_INCREMENTS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 1e4, 2e4, 2.5e4, 5e4, 1e5, 2e5, 5e5, 1e6];

/** The metrics drawn, in reading order (spo-method.md §5 names). */
export const CHART_METRICS: Array<{ key: string; title: string }> = [
  { key: 'loss', title: 'loss' },
  { key: 'loss/align', title: 'loss/align' },
  { key: 'loss/spo_pref', title: 'loss/spo_pref' },
  { key: 'loss/spo_dispref', title: 'loss/spo_dispref' },
  { key: 'rewards/chosen', title: 'rewards/chosen' },
  { key: 'rewards/rejected', title: 'rewards/rejected' },
  { key: 'rewards/margins', title: 'rewards/margins' },
  { key: 'rewards/accuracies', title: 'rewards/accuracies' },
  { key: 'spo/acc_pref', title: 'spo/acc_pref' },
  { key: 'spo/acc_dispref', title: 'spo/acc_dispref' },
  { key: 'learning_rate', title: 'learning_rate' },
];

export interface RunRows {
  name: string;
  rows: MetricsRow[];
  /** `splits[i]` is the split of `rows[i]` (from its metrics event, as the host sends it). */
  splits: MetricsSplit[];
}

export interface ChartOptions {
  smoothing: number;
  logScale: boolean;
  theme: ChartTheme;
  width: number;
}

interface BuiltData {
  data: uPlot.AlignedData;
  series: uPlot.Series[];
  /** Points per series, keyed `run/metric` and `run/eval/metric`. */
  points: Record<string, number>;
  /** Log scale is only possible when every value is > 0. */
  positive: boolean;
  /** Last train (and eval) value of each run, in the run's colour. */
  summary: Array<{ color: string; text: string }>;
}

/** Markers only while a series is too short to show as a line. */
function fewPoints(u: uPlot, seriesIdx: number): boolean {
  let n = 0;
  for (const v of u.data[seriesIdx]) if (v !== null && v !== undefined && ++n >= 3) return false;
  return true;
}

function value(row: MetricsRow, key: string): number | null {
  const v = row[key] as number | null | undefined;
  return v === undefined ? null : v === null ? NaN : v; // JSON writes NaN as null: keep it a NaN point
}

function format(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(2) : v.toFixed(4);
}

export function buildChartData(metric: string, runs: RunRows[], opts: ChartOptions): BuiltData {
  const steps = new Set<number>();
  const perRun = runs.map((run) => {
    const train = new Map<number, number | null>();
    const evals = new Map<number, number | null>();
    run.rows.forEach((row, i) => {
      if (run.splits[i] === 'eval') {
        const v = value(row, `eval/${metric}`);
        if (v !== null) evals.set(row.step, v);
      } else {
        const v = value(row, metric);
        if (v !== null) train.set(row.step, v);
      }
    });
    for (const s of train.keys()) steps.add(s);
    for (const s of evals.keys()) steps.add(s);
    return { run, train, evals };
  });
  const xs = [...steps].sort((a, b) => a - b);
  const data: Array<Array<number | null>> = [xs];
  const series: uPlot.Series[] = [{ label: 'step' }];
  const points: Record<string, number> = {};
  const summary: Array<{ color: string; text: string }> = [];
  let positive = true;
  perRun.forEach(({ run, train, evals }, i) => {
    const color = opts.theme.runColors[i % opts.theme.runColors.length];
    const raw = xs.map((s) => (train.has(s) ? (train.get(s) as number) : null));
    const ev = xs.map((s) => (evals.has(s) ? (evals.get(s) as number) : null));
    for (const v of [...raw, ...ev]) if (v !== null && !(v > 0)) positive = false;
    points[`${run.name}/${metric}`] = train.size;
    if (evals.size) points[`${run.name}/eval/${metric}`] = evals.size;
    if (train.size) {
      if (opts.smoothing > 0) {
        data.push(raw);
        series.push({ label: `${run.name} (raw)`, stroke: withAlpha(color, 0.3), width: 1, spanGaps: true, points: { show: false } });
      }
      data.push(opts.smoothing > 0 ? emaSmooth(raw, opts.smoothing) : raw);
      series.push({ label: run.name, stroke: color, width: 2, spanGaps: true, points: { show: fewPoints } });
      const lastStep = [...train.keys()].pop() as number;
      summary.push({ color, text: format(train.get(lastStep) as number) });
    }
    if (evals.size) {
      data.push(ev);
      series.push({ label: `${run.name} eval`, stroke: color, width: 1.5, dash: [6, 4], spanGaps: true, points: { show: true, size: 5, fill: color } });
      const lastStep = [...evals.keys()].pop() as number;
      summary.push({ color, text: `eval ${format(evals.get(lastStep) as number)}` });
    }
  });
  return { data: data as uPlot.AlignedData, series, points, positive, summary };
}

/** A chart card (title, last values, plot) that rebuilds its uPlot only when its series layout changes. */
export class MetricChart {
  readonly element: HTMLElement;
  private readonly plotHost: HTMLElement;
  private readonly summary: HTMLElement;
  private plot: uPlot | null = null;
  private layout = '';

  constructor(readonly metric: string, title: string) {
    this.element = document.createElement('section');
    this.element.className = 'chart';
    const head = document.createElement('header');
    const h = document.createElement('h3');
    h.textContent = title;
    this.summary = document.createElement('span');
    this.summary.className = 'last-values';
    head.append(h, this.summary);
    this.plotHost = document.createElement('div');
    this.plotHost.className = 'plot';
    this.element.append(head, this.plotHost);
  }

  /** Draw; returns the points per series, or null when no run has this metric (the card hides). */
  update(runs: RunRows[], opts: ChartOptions): Record<string, number> | null {
    const built = buildChartData(this.metric, runs, opts);
    const total = Object.values(built.points).reduce((a, b) => a + b, 0);
    this.element.hidden = total === 0;
    if (total === 0) return null;
    // A fixed card width keeps the grid even whatever the length of the last-values line.
    this.element.style.width = `${opts.width + 18}px`;
    const log = opts.logScale && built.positive;
    this.summary.replaceChildren(...built.summary.map(({ color, text }) => {
      const span = document.createElement('span');
      span.textContent = text;
      span.style.color = color;
      return span;
    }));
    if (opts.logScale && !built.positive) this.summary.append(document.createTextNode('linear: values ≤ 0'));
    const layout = JSON.stringify([built.series.map((s) => [s.label, s.stroke]), log, opts.width, opts.theme]);
    if (this.plot && layout === this.layout) {
      this.plot.setData(built.data);
      return built.points;
    }
    this.plot?.destroy();
    this.layout = layout;
    const axis = (): uPlot.Axis => ({
      stroke: opts.theme.muted,
      grid: { stroke: withAlpha(opts.theme.grid, 0.5), width: 1 },
      ticks: { stroke: withAlpha(opts.theme.grid, 0.5), width: 1 },
      font: opts.theme.font,
    });
    this.plot = new uPlot({
      width: opts.width,
      height: 180,
      series: built.series,
      legend: { show: false },
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: false }, y: log ? { distr: 3 } : {} },
      // Steps are whole numbers: no 1.5 ticks on a short run.
      axes: [{ ...axis(), label: undefined, incrs: STEP_INCREMENTS }, { ...axis(), size: 60, values: (_u, vals) => vals.map((v) => (v === null ? '' : format(v).replace(/\.?0+(e|$)/, '$1'))) }],
    }, built.data, this.plotHost);
    return built.points;
  }

  /** The plot canvas, for the PNG export. */
  get canvas(): HTMLCanvasElement | null {
    return this.plot ? this.plot.ctx.canvas : null;
  }

  get title(): string {
    return this.metric;
  }

  destroy(): void {
    this.plot?.destroy();
    this.element.remove();
  }
}
