// Training Curves webview: draws the runs the host sends (live appends included), with smoothing,
// log scale, run comparison, CSV/PNG export and visible training-health alerts.
import uPlotCss from 'uplot/dist/uPlot.min.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-multi-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import type { CurvesAlert, CurvesCommand, CurvesNotification, CurvesRun, CurvesViewState, RunStatus } from '../../src/core/protocol';
import { CHART_METRICS, MetricChart } from './charts';
import { renderPng } from './exportPng';
import { readTheme } from './theme';

interface VsCodeApi {
  postMessage(message: CurvesCommand): void;
  getState(): unknown;
  setState(state: CurvesViewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const scriptNonce = (document.currentScript as HTMLScriptElement | null)?.nonce ?? '';

/** Everything the view draws; the host is the source of truth for rows. */
interface Model {
  available: string[];
  runs: CurvesRun[];
  live: string | null;
  /** Available runs still training (any process), labelled in the picker. */
  running: string[];
  view: CurvesViewState;
}

function injectLibraryCss(): void {
  const style = document.createElement('style');
  style.nonce = scriptNonce; // allowed by the CSP's style-src nonce
  style.textContent = uPlotCss;
  document.head.append(style);
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

class CurvesView {
  private model: Model = { available: [], runs: [], live: null, running: [], view: { selected: [], smoothing: 0.6, logScale: false } };
  private readonly charts: MetricChart[];
  private readonly runPicker: HTMLElement & { value: string[] };
  private readonly smoothing = el('input');
  private readonly smoothingLabel = el('span', 'value');
  private readonly logScale: HTMLElement & { checked: boolean };
  private readonly stopButton: HTMLElement;
  private readonly status = el('div', 'status');
  private readonly alerts = el('div', 'alerts');
  private readonly grid = el('div', 'grid');
  private readonly empty = el('p', 'empty', 'No training runs yet. Run “SPO: Train SPO” (or `spo train` in a terminal) to start one; its curves appear here live.');
  private renderQueued = false;
  private fillingPicker = false;

  constructor(root: HTMLElement) {
    const toolbar = el('div', 'toolbar');
    this.runPicker = document.createElement('vscode-multi-select') as HTMLElement & { value: string[] };
    this.runPicker.id = 'runs';
    this.runPicker.setAttribute('aria-label', 'Runs to compare');
    this.runPicker.addEventListener('change', () => {
      if (this.fillingPicker) return; // replacing the options is not the user picking runs
      const picked = [...this.runPicker.value];
      if (JSON.stringify(picked) !== JSON.stringify(this.model.view.selected)) vscode.postMessage({ type: 'selectRuns', runs: picked });
    });
    this.smoothing.type = 'range';
    this.smoothing.min = '0';
    this.smoothing.max = '0.99';
    this.smoothing.step = '0.01';
    this.smoothing.id = 'smoothing';
    this.smoothing.addEventListener('input', () => {
      this.model.view = { ...this.model.view, smoothing: Number(this.smoothing.value) };
      this.scheduleRender();
    });
    this.logScale = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean };
    this.logScale.setAttribute('label', 'Log scale');
    this.logScale.id = 'log-scale';
    this.logScale.addEventListener('change', () => {
      this.model.view = { ...this.model.view, logScale: this.logScale.checked };
      this.scheduleRender();
    });
    const csv = this.button('Export CSV', 'secondary', () => vscode.postMessage({ type: 'exportCsv' }));
    const png = this.button('Export PNG', 'secondary', () => this.exportPng());
    this.stopButton = this.button('Stop Training', '', () => vscode.postMessage({ type: 'stopRun' }));
    const runsGroup = el('label', 'field');
    runsGroup.append(el('span', 'caption', 'Runs'), this.runPicker);
    const smoothGroup = el('label', 'field');
    smoothGroup.append(el('span', 'caption', 'Smoothing'), this.smoothing, this.smoothingLabel);
    toolbar.append(runsGroup, smoothGroup, this.logScale, el('span', 'spacer'), csv, png, this.stopButton);
    this.charts = CHART_METRICS.map((m) => new MetricChart(m.key, m.title));
    for (const c of this.charts) this.grid.append(c.element);
    root.append(toolbar, this.status, this.alerts, this.empty, this.grid);
    new ResizeObserver(() => this.scheduleRender()).observe(this.grid);
    // VS Code swaps the body's theme class on a theme change: re-read the colours.
    new MutationObserver(() => this.scheduleRender()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  private button(label: string, appearance: string, onClick: () => void): HTMLElement {
    const b = document.createElement('vscode-button');
    b.textContent = label;
    if (appearance) b.setAttribute(appearance, '');
    b.addEventListener('click', onClick);
    return b;
  }

  receive(message: CurvesNotification): void {
    if (message.type === 'runs') {
      this.model = { available: message.available, runs: message.runs, live: message.live, running: message.running ?? [], view: { ...message.view } };
      this.renderPicker();
    } else if (message.type === 'append') {
      const run = this.model.runs.find((r) => r.name === message.run);
      if (!run) return;
      run.rows.push(...message.rows);
      run.splits.push(...message.splits);
      run.alerts.push(...message.alerts);
      run.status = message.status;
      run.totalSteps = message.totalSteps;
      if (message.status !== 'running' && this.model.live === message.run) this.model.live = null;
      const wasRunning = this.model.running.includes(message.run);
      if (wasRunning !== (message.status === 'running')) {
        this.model.running = message.status === 'running' ? [...this.model.running, message.run] : this.model.running.filter((r) => r !== message.run);
        this.renderPicker();
      }
    }
    this.scheduleRender();
  }

  private renderPicker(): void {
    const names = [...new Set([...this.model.view.selected, ...this.model.available])];
    this.fillingPicker = true;
    this.runPicker.replaceChildren(...names.map((name) => {
      const option = document.createElement('vscode-option') as HTMLElement & { value: string; selected: boolean };
      option.textContent = name === this.model.live || this.model.running.includes(name) ? `${name} (running)` : name;
      option.setAttribute('value', name);
      if (this.model.view.selected.includes(name)) option.setAttribute('selected', '');
      return option;
    }));
    // The element may announce its new options on a later frame: still not the user's pick.
    requestAnimationFrame(() => { this.fillingPicker = false; });
    this.smoothing.value = String(this.model.view.smoothing);
    this.logScale.checked = this.model.view.logScale;
  }

  private scheduleRender(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  private render(): void {
    const { runs, view } = this.model;
    this.smoothingLabel.textContent = view.smoothing.toFixed(2);
    this.empty.hidden = runs.some((r) => r.rows.length > 0);
    // Only the run manager's own run can be stopped from here; a terminal's run is stopped in its terminal.
    this.stopButton.hidden = !runs.some((r) => r.status === 'running' && r.name === this.model.live);
    const theme = readTheme();
    this.status.replaceChildren(...runs.map((r, i) => this.statusChip(r.name, r.status, r.rows, r.totalSteps, theme.runColors[i % theme.runColors.length])));
    const alerts: CurvesAlert[] = runs.flatMap((r) => r.alerts);
    this.alerts.replaceChildren(...alerts.map((a) => {
      const div = el('div', `alert alert-${a.code}`);
      div.setAttribute('role', 'alert');
      div.append(el('strong', undefined, `${a.run} · step ${a.step}: `), document.createTextNode(a.message));
      return div;
    }));
    const columns = this.grid.clientWidth > 900 ? 3 : this.grid.clientWidth > 560 ? 2 : 1;
    const width = Math.max(240, Math.floor((this.grid.clientWidth - (columns - 1) * 12) / columns) - 18);
    const opts = { smoothing: view.smoothing, logScale: view.logScale, theme, width };
    const points: Record<string, number> = {};
    let drawn = 0;
    for (const chart of this.charts) {
      const p = chart.update(runs, opts);
      if (p) {
        drawn += 1;
        Object.assign(points, p);
      }
    }
    vscode.setState(view);
    const statuses = Object.fromEntries(runs.map((r) => [r.name, r.status]));
    vscode.postMessage({ type: 'rendered', report: { view, runs: runs.map((r) => r.name), points, charts: drawn, alerts, statuses, available: this.model.available } });
  }

  private statusChip(name: string, status: RunStatus, rows: { step: number }[], total: number | null, color: string): HTMLElement {
    const chip = el('span', `chip chip-${status}`);
    if (status === 'interrupted') {
      // ended without a done event and silent for a minute (crash, kill): a warning, not a training failure
      chip.style.borderColor = 'var(--vscode-editorWarning-foreground)';
      chip.title = 'No "done" event and metrics.jsonl not written for a minute: the trainer was killed or crashed.';
    }
    const swatch = el('span', 'swatch');
    swatch.style.background = color; // the run's colour in every chart
    const last = rows.length ? rows[rows.length - 1].step : 0;
    chip.append(swatch, document.createTextNode(`${name}: ${status}${status === 'running' && total ? ` · step ${last}/${total}` : rows.length ? ` · ${last} step${last === 1 ? '' : 's'}` : ''}`));
    return chip;
  }

  private exportPng(): void {
    const dataUrl = renderPng(this.charts.filter((c) => !c.element.hidden), readTheme(), this.model.runs.map((r) => r.name));
    vscode.postMessage({ type: 'pngData', dataUrl });
  }
}

injectLibraryCss();
const app = document.getElementById('app') as HTMLElement;
const view = new CurvesView(app);
window.addEventListener('message', (event: MessageEvent<CurvesNotification>) => view.receive(event.data));
vscode.postMessage({ type: 'ready', view: (vscode.getState() as CurvesViewState | null) ?? null });
