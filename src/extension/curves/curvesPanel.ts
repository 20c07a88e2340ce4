// The Training Curves panel host: one panel, created once and re-shown, revived after a window
// reload from metrics.jsonl, fed live by the run manager (IPC) and, for runs started elsewhere (a terminal's
// `spo train`), by following their metrics.jsonl. New run folders join the picker as they appear. Draws happen in webview/curves.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { CurvesCommand, CurvesNotification, CurvesRenderReport, CurvesRun, CurvesViewState } from '../../core/protocol';
import { applyEvent, curveRunDir, historyFromEvents, listCurveRuns, metricsToCsv, readMetricsFile, RunEntry, RunHistory } from '../../core/runs';
import { RunFollower, RunUpdate } from '../../core/runs/runFollower';
import { isRunTraining } from '../../core/runs/runLiveness';
import { RUN_FILES } from '../../core/train/runFolder';
import { RunManager } from '../training/runManager';
import { experimentsDirectory, runsDirectory } from '../training/runsLocation';
import { WebviewPanelHost } from '../webview/webviewPanelHost';
import { isCurvesCommand } from '../../core/protocol/webviewGuards';

export const CURVES_VIEW_TYPE = 'spo.curves';
const DEFAULT_VIEW: CurvesViewState = { selected: [], smoothing: 0.6, logScale: false };
/** How often the run list is re-read, besides the file watcher (which may miss folders on some file systems). */
const RUN_LIST_POLL_MS = 3000;

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
  private readonly host: WebviewPanelHost<CurvesCommand, CurvesNotification>;
  private view: CurvesViewState;
  /** History of the run manager's live run, updated from its IPC events (its file may lag behind). */
  private managed: RunHistory | null = null;
  /** Every other drawn run, read from and following its metrics.jsonl. */
  private readonly follower: RunFollower;
  /** The run names last sent to the picker, to notice new run folders. */
  private available: string[] = [];
  private readonly runListTimer: NodeJS.Timeout;

  /**
   * Show the panel. `run` joins the runs drawn; `runs` replaces them (e.g. the arms of an experiment,
   * named as listCurveRuns names them: `<experiment>/seed-1/dpo`).
   */
  static createOrShow(ctx: CurvesContext, run?: string, runs?: string[]): CurvesPanel {
    if (ctx.current) {
      ctx.current.panel.reveal(ctx.current.panel.viewColumn);
      if (runs?.length) ctx.current.select([...runs]);
      else if (run && !ctx.current.view.selected.includes(run)) ctx.current.select([run, ...ctx.current.view.selected]);
      else ctx.current.refresh(); // re-running the command re-reads the run list (runs started from a terminal)
      return ctx.current;
    }
    const selected = runs?.length ? [...runs] : run ? [run] : null;
    return new CurvesPanel(ctx, null, selected ? { ...DEFAULT_VIEW, selected } : null);
  }

  /** Restore after a window reload: the webview's persisted state says which runs it showed. */
  static revive(ctx: CurvesContext, panel: vscode.WebviewPanel, state: unknown): CurvesPanel {
    return new CurvesPanel(ctx, panel, isViewState(state) ? state : null);
  }

  /** `restored`: the panel VS Code restored after a reload; null opens a new one. */
  private constructor(private readonly ctx: CurvesContext, restored: vscode.WebviewPanel | null, view: CurvesViewState | null) {
    ctx.current = this;
    this.follower = new RunFollower((update) => this.onFollowed(update));
    this.view = view ?? { ...DEFAULT_VIEW, selected: this.defaultSelection() };
    this.runListTimer = setInterval(() => this.refreshRunList(), RUN_LIST_POLL_MS);
    const options = {
      extensionUri: ctx.extensionUri,
      page: { title: 'SPO Training Curves', script: 'dist/webview/curves.js', styles: ['media/curves.css'], body: '<div id="app" class="curves"></div>' },
      isCommand: isCurvesCommand,
      onCommand: (m: CurvesCommand) => this.onCommand(m),
      onDispose: () => this.dispose(),
      label: 'Training Curves',
      output: ctx.output,
    };
    this.host = restored
      ? new WebviewPanelHost(restored, options)
      : WebviewPanelHost.create(CURVES_VIEW_TYPE, 'SPO Training Curves', vscode.ViewColumn.Active, options);
    this.host.own(
      ...this.runFolderWatchers(),
      ctx.manager.onEvent(({ run, event }) => {
        if (!run) return;
        if (event.type === 'started') {
          // A new run joins the panel as soon as it starts; a resumed one is redrawn from its metrics.jsonl.
          this.managed = null;
          this.select(this.view.selected.includes(run) ? this.view.selected : [run, ...this.view.selected]);
          return;
        }
        const history = this.managed?.name === run ? this.managed : null;
        if (!history) return;
        const added = applyEvent(history, event);
        if (added.replaced) {
          this.sendRuns(); // a resumed run superseded rows the webview already has
          return;
        }
        if (added.rows.length || added.alerts.length || event.type === 'done' || event.type === 'progress') {
          this.post({ type: 'append', run, rows: added.rows, splits: added.splits, alerts: added.alerts, status: history.status, totalSteps: history.totalSteps });
        }
      }),
    );
  }

  get panel(): vscode.WebviewPanel {
    return this.host.panel;
  }

  /** Close the panel; its listeners, watchers and timers go with it. */
  dispose(): void {
    if (this.ctx.current === this) {
      this.ctx.current = null;
      this.ctx.lastReport = null; // a closed panel draws nothing; a reopened one must report afresh
    }
    clearInterval(this.runListTimer);
    this.follower.dispose();
    this.host.dispose();
  }

  /** Re-read the run list and the drawn runs (Show Training Curves on an open panel). */
  refresh(): void {
    const runs = listCurveRuns(runsDirectory(), experimentsDirectory());
    const keep = new Set([...runs.map((r) => r.name), this.ctx.manager.current?.name]);
    const selected = this.view.selected.filter((name) => keep.has(name)); // a deleted run folder leaves the panel
    this.view = { ...this.view, selected: selected.length ? selected : this.defaultSelection() };
    this.sendRuns(runs);
  }

  /** The run manager's run, else the newest run still training (e.g. from a terminal), else the newest run. */
  private defaultSelection(): string[] {
    const live = this.ctx.manager.current?.name;
    if (live) return [live];
    const runs = listCurveRuns(runsDirectory(), experimentsDirectory());
    const training = newestTraining(runs);
    if (training) return [training.name];
    return runs[0] ? [runs[0].name] : [];
  }

  /** New metrics.jsonl files anywhere under .spo (and the configured runs folder) refresh the picker at once. */
  private runFolderWatchers(): vscode.Disposable[] {
    const patterns: vscode.GlobPattern[] = ['**/.spo/**/metrics.jsonl'];
    const runsDir = runsDirectory();
    if (runsDir) patterns.push(new vscode.RelativePattern(vscode.Uri.file(runsDir), '*/metrics.jsonl'));
    return patterns.flatMap((pattern) => {
      const watcher = vscode.workspace.createFileSystemWatcher(pattern, false, true, false);
      return [watcher, watcher.onDidCreate(() => this.refreshRunList()), watcher.onDidDelete(() => this.refreshRunList())];
    });
  }

  /** Send the picker again when runs appeared or vanished; with nothing drawn, a run that starts training is selected. */
  private refreshRunList(): void {
    const runs = listCurveRuns(runsDirectory(), experimentsDirectory());
    const names = runs.map((r) => r.name);
    if (JSON.stringify(names) === JSON.stringify(this.available)) return;
    if (this.view.selected.length === 0) {
      const training = newestTraining(runs);
      if (training) this.view = { ...this.view, selected: [training.name] };
    }
    this.sendRuns(runs);
  }

  /** New lines in a followed run's metrics.jsonl: append them in the webview (or redraw when rows were superseded). */
  private onFollowed(update: RunUpdate): void {
    if (update.badLines.length) this.ctx.output.warn(`${update.run}: skipped unreadable metrics.jsonl lines ${update.badLines.join(', ')}`);
    if (update.replaced) {
      this.sendRuns();
      return;
    }
    const h = update.history;
    this.post({ type: 'append', run: update.run, rows: update.rows, splits: update.splits, alerts: update.alerts, status: h.status, totalSteps: h.totalSteps });
  }

  private select(runs: string[]): void {
    this.view = { ...this.view, selected: runs };
    this.sendRuns();
  }

  /**
   * Load each drawn run: the run manager's live run keeps its in-memory history (fed over IPC); every other
   * run is read from its metrics.jsonl and followed, so a run training elsewhere grows live and gets its status.
   */
  private loadHistories(): CurvesRun[] {
    const runsDir = runsDirectory();
    const live = this.ctx.manager.current?.name ?? null;
    const out: CurvesRun[] = [];
    if (this.managed && this.managed.name !== live) this.managed = null;
    for (const name of this.view.selected) {
      const dir = curveRunDir(name, runsDir, experimentsDirectory());
      const file = dir ? path.join(dir, RUN_FILES.metrics) : null;
      let history: RunHistory;
      if (name === live) {
        this.follower.unfollow(name);
        if (!this.managed) {
          const content = file ? readMetricsFile(file) : { events: [], badLines: [] };
          if (content.badLines.length) this.ctx.output.warn(`${file}: skipped unreadable lines ${content.badLines.join(', ')}`);
          // The live run's `started` may reach us before the trainer's line in the file does.
          this.managed = historyFromEvents(name, content.events, true);
          this.managed.status = 'running';
        }
        history = this.managed;
      } else if (file) {
        const followed = this.follower.follow(name, file);
        if (followed.badLines.length) this.ctx.output.warn(`${file}: skipped unreadable lines ${followed.badLines.join(', ')}`);
        history = followed.history;
      } else {
        history = historyFromEvents(name, []);
      }
      out.push({ name, status: history.status, totalSteps: history.totalSteps, rows: history.rows, splits: history.splits, alerts: history.alerts });
    }
    this.follower.retain(this.view.selected.filter((n) => n !== live));
    return out;
  }

  private sendRuns(listed?: RunEntry[]): void {
    const runs = listed ?? listCurveRuns(runsDirectory(), experimentsDirectory());
    const available = runs.map((r) => r.name);
    this.available = [...available];
    const live = this.ctx.manager.current?.name ?? null;
    if (live && !available.includes(live)) available.unshift(live);
    const now = Date.now();
    const running = runs.filter((r) => r.name === live || isRunTraining(r.metricsFile, now)).map((r) => r.name);
    this.post({ type: 'runs', available, runs: this.loadHistories(), live, view: this.view, running });
  }

  private post(message: CurvesNotification): void {
    this.host.post(message);
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
        // The selection is the host's (changed by selectRuns); a report drawn before the last selection must not undo it.
        this.view = { ...message.report.view, selected: this.view.selected };
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
    const rowsOf = (name: string) => (this.managed?.name === name ? this.managed.rows : this.follower.history(name)?.rows ?? []);
    const runs = this.view.selected.map((name) => ({ name, rows: rowsOf(name) }));
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

/** The newest run (list order) whose metrics.jsonl is being written and has no `done` yet. */
function newestTraining(runs: RunEntry[]): RunEntry | undefined {
  const now = Date.now();
  return runs.find((r) => isRunTraining(r.metricsFile, now));
}

function isViewState(v: unknown): v is CurvesViewState {
  const o = v as CurvesViewState | null;
  return !!o && Array.isArray(o.selected) && typeof o.smoothing === 'number' && typeof o.logScale === 'boolean';
}

/** Revives the panel after a window reload (needs activation event onWebviewPanel:spo.curves). */
export class CurvesSerializer implements vscode.WebviewPanelSerializer {
  constructor(private readonly ctx: CurvesContext) {}
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    // A restored panel is no explicit action: in Restricted Mode it does not read the (maybe shipped) run folders.
    if (!vscode.workspace.isTrusted) {
      panel.dispose();
      return;
    }
    CurvesPanel.revive(this.ctx, panel, state);
  }
}
