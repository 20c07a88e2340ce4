// The Training Curves panel host: one panel, created once and re-shown, revived after a window
// reload from metrics.jsonl, fed live by the run manager. Draws happen in webview/curves.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { CurvesCommand, CurvesNotification, CurvesRenderReport, CurvesRun, CurvesViewState } from '../../core/protocol';
import { applyEvent, curveRunDir, historyFromEvents, listCurveRuns, listRuns, metricsToCsv, readMetricsFile, RunHistory } from '../../core/runs';
import { RunManager } from '../training/runManager';
import { experimentsDirectory, runsDirectory } from '../training/runsLocation';
import { webviewHtml, webviewOptions } from './webviewHtml';

export const CURVES_VIEW_TYPE = 'spo.curves';
const DEFAULT_VIEW: CurvesViewState = { selected: [], smoothing: 0.6, logScale: false };

/** Shared by the panel and its serializer; lives in the activation scope. */
export interface CurvesContext {
  extensionUri: vscode.Uri;
  manager: RunManager;
  output: vscode.LogOutputChannel;
  /** The one open panel (or null): activation-scoped, not module state. */
  current: CurvesPanel | null;
  /** What the webview last reported drawing (e2e test hook). */
  lastReport: CurvesRenderReport | null;
}

export class CurvesPanel {
  private readonly disposables: vscode.Disposable[] = [];
  private view: CurvesViewState;
  /** Histories of the drawn runs (the live one is updated from run-manager events). */
  private readonly histories = new Map<string, RunHistory>();

  /**
   * Show the panel. `run` joins the runs drawn; `runs` replaces them (e.g. the arms of an experiment,
   * named as listCurveRuns names them: `<experiment>/seed-1/dpo`).
   */
  static createOrShow(ctx: CurvesContext, run?: string, runs?: string[]): CurvesPanel {
    if (ctx.current) {
      ctx.current.panel.reveal(ctx.current.panel.viewColumn);
      if (runs?.length) ctx.current.select([...runs]);
      else if (run && !ctx.current.view.selected.includes(run)) ctx.current.select([run, ...ctx.current.view.selected]);
      return ctx.current;
    }
    const panel = vscode.window.createWebviewPanel(CURVES_VIEW_TYPE, 'SPO Training Curves', vscode.ViewColumn.Active, webviewOptions(ctx.extensionUri));
    const selected = runs?.length ? [...runs] : run ? [run] : null;
    return new CurvesPanel(ctx, panel, selected ? { ...DEFAULT_VIEW, selected } : null);
  }

  /** Restore after a window reload: the webview's persisted state says which runs it showed. */
  static revive(ctx: CurvesContext, panel: vscode.WebviewPanel, state: unknown): CurvesPanel {
    panel.webview.options = webviewOptions(ctx.extensionUri);
    return new CurvesPanel(ctx, panel, isViewState(state) ? state : null);
  }

  private constructor(private readonly ctx: CurvesContext, readonly panel: vscode.WebviewPanel, view: CurvesViewState | null) {
    ctx.current = this;
    this.view = view ?? { ...DEFAULT_VIEW, selected: this.defaultSelection() };
    panel.webview.html = webviewHtml(panel.webview, ctx.extensionUri, {
      title: 'SPO Training Curves',
      script: 'dist/webview/curves.js',
      styles: ['media/curves.css'],
      body: '<div id="app" class="curves"></div>',
    });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: CurvesCommand) => this.onCommand(m)),
      ctx.manager.onEvent(({ run, event }) => {
        if (!run) return;
        if (event.type === 'started') {
          // A new run joins the panel as soon as it starts; a resumed one is redrawn from its metrics.jsonl.
          this.histories.delete(run);
          this.select(this.view.selected.includes(run) ? this.view.selected : [run, ...this.view.selected]);
          return;
        }
        const history = this.histories.get(run);
        if (!history) return;
        const added = applyEvent(history, event);
        if (added.replaced) {
          this.sendRuns(); // a resumed run superseded rows the webview already has
          return;
        }
        if (added.rows.length || added.alerts.length || event.type === 'done' || event.type === 'progress') {
          this.post({ type: 'append', run, rows: added.rows, alerts: added.alerts, status: history.status, totalSteps: history.totalSteps });
        }
      }),
    );
  }

  dispose(): void {
    if (this.ctx.current === this) {
      this.ctx.current = null;
      this.ctx.lastReport = null; // a closed panel draws nothing; a reopened one must report afresh
    }
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }

  private defaultSelection(): string[] {
    const live = this.ctx.manager.current?.name;
    if (live) return [live];
    const runsDir = runsDirectory();
    const newest = runsDir ? listRuns(runsDir)[0] : undefined;
    return newest ? [newest.name] : [];
  }

  private select(runs: string[]): void {
    this.view = { ...this.view, selected: runs };
    this.sendRuns();
  }

  /** Load each drawn run: the live one keeps its in-memory history, the others are read from metrics.jsonl. */
  private loadHistories(): CurvesRun[] {
    const runsDir = runsDirectory();
    const live = this.ctx.manager.current?.name ?? null;
    const out: CurvesRun[] = [];
    for (const name of this.view.selected) {
      let history = this.histories.get(name);
      if (!history || name !== live) {
        const dir = curveRunDir(name, runsDir, experimentsDirectory());
        const file = dir ? path.join(dir, 'metrics.jsonl') : null;
        const content = file ? readMetricsFile(file) : { events: [], badLines: [] };
        if (content.badLines.length) this.ctx.output.warn(`${file}: skipped unreadable lines ${content.badLines.join(', ')}`);
        history = historyFromEvents(name, content.events, name === live);
        // The live run's `started` may reach us before the trainer's line in the file does.
        if (name === live && history.status !== 'running') history.status = 'running';
        this.histories.set(name, history);
      }
      out.push({ name, status: history.status, totalSteps: history.totalSteps, rows: history.rows, alerts: history.alerts });
    }
    for (const name of [...this.histories.keys()]) if (!this.view.selected.includes(name)) this.histories.delete(name);
    return out;
  }

  private sendRuns(): void {
    const available = listCurveRuns(runsDirectory(), experimentsDirectory()).map((r) => r.name);
    const live = this.ctx.manager.current?.name ?? null;
    if (live && !available.includes(live)) available.unshift(live);
    this.post({ type: 'runs', available, runs: this.loadHistories(), live, view: this.view });
  }

  private post(message: CurvesNotification): void {
    void this.panel.webview.postMessage(message);
  }

  private async onCommand(message: CurvesCommand): Promise<void> {
    switch (message.type) {
      case 'ready':
        if (message.view && this.view.selected.length === 0) this.view = message.view;
        else if (message.view) this.view = { ...message.view, selected: this.view.selected };
        this.sendRuns();
        break;
      case 'selectRuns':
        this.select(message.runs);
        break;
      case 'rendered':
        this.view = message.report.view;
        this.ctx.lastReport = message.report;
        break;
      case 'stopRun':
        await vscode.commands.executeCommand('spo.stopTraining');
        break;
      case 'exportCsv':
        await this.exportCsv();
        break;
      case 'pngData':
        await this.exportPng(message.dataUrl);
        break;
    }
  }

  private defaultExportUri(ext: string): vscode.Uri | undefined {
    const first = this.view.selected[0];
    const dir = first ? curveRunDir(first, runsDirectory(), experimentsDirectory()) : null;
    return dir ? vscode.Uri.file(path.join(dir, `curves.${ext}`)) : undefined;
  }

  private async exportCsv(): Promise<void> {
    const runs = this.view.selected.map((name) => ({ name, rows: this.histories.get(name)?.rows ?? [] }));
    const target = await vscode.window.showSaveDialog({ title: 'Export metrics as CSV', defaultUri: this.defaultExportUri('csv'), filters: { CSV: ['csv'] } });
    if (!target) return;
    fs.writeFileSync(target.fsPath, metricsToCsv(runs));
    void vscode.window.showInformationMessage(`Metrics of ${runs.length} run(s) saved to ${target.fsPath}`);
  }

  private async exportPng(dataUrl: string): Promise<void> {
    const match = /^data:image\/png;base64,(.*)$/.exec(dataUrl);
    if (!match) {
      void vscode.window.showErrorMessage('PNG export failed: the panel sent no image.');
      return;
    }
    const target = await vscode.window.showSaveDialog({ title: 'Export curves as PNG', defaultUri: this.defaultExportUri('png'), filters: { PNG: ['png'] } });
    if (!target) return;
    fs.writeFileSync(target.fsPath, Buffer.from(match[1], 'base64'));
    void vscode.window.showInformationMessage(`Curves saved to ${target.fsPath}`);
  }
}

function isViewState(v: unknown): v is CurvesViewState {
  const o = v as CurvesViewState | null;
  return !!o && Array.isArray(o.selected) && typeof o.smoothing === 'number' && typeof o.logScale === 'boolean';
}

/** Revives the panel after a window reload (needs activation event onWebviewPanel:spo.curves). */
export class CurvesSerializer implements vscode.WebviewPanelSerializer {
  constructor(private readonly ctx: CurvesContext) {}
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    CurvesPanel.revive(this.ctx, panel, state);
  }
}
