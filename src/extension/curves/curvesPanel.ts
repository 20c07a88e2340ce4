// The Training Curves panel host: one panel, created once and re-shown, revived after a window
// reload from metrics.jsonl, fed live by the run manager (IPC) and, for runs started elsewhere (a terminal's
// `spo train`), by following their metrics.jsonl. New run folders join the picker as they appear. Draws happen in webview/curves.
// Run folders may have come with the repository: every read of them is asynchronous and bounded (listCurveRunsAsync's caps).
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { CurvesCommand, CurvesNotification, CurvesRenderReport, CurvesRun, CurvesViewState, TrainerEvent } from '../../core/protocol';
import {
  applyEvent, curveRunDir, historyFromEvents, listCurveRunsAsync, MAX_EXAMINED_FOLDERS, MAX_LISTED_RUNS, metricsToCsv, readMetricsFileAsync,
  RunEntry, RunHistory,
} from '../../core/runs';
import { RunFollower, RunUpdate } from '../../core/runs/runFollower';
import { isRunTrainingAsync } from '../../core/runs/runLiveness';
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
  /**
   * The live run's IPC events held back while its history is being read from metrics.jsonl (from its `started`
   * on): applied on top of what the file held, so none is lost to the wait. A repeated metrics row is harmless:
   * it supersedes its own earlier copy (applyEvent).
   */
  private managedPending: { name: string; events: TrainerEvent[] } | null = null;
  /** Every other drawn run, read from and following its metrics.jsonl. */
  private readonly follower: RunFollower;
  /** The run names last sent to the picker, to notice new run folders. */
  private available: string[] = [];
  private readonly runListTimer: NodeJS.Timeout;
  /**
   * Updates (list the runs, read the drawn ones, post) run one after another: each awaits the disk, and a later
   * one must neither overtake an earlier one nor interleave its changes to the view with it.
   */
  private updates: Promise<void> = Promise.resolve();
  /** A run-list poll is queued or running: the next tick is skipped, not queued behind it. */
  private polling = false;
  /** The folders whose listing last stopped at its cap (logged when this changes, not on every poll). */
  private truncatedListings = '';
  private disposed = false;

  /**
   * Show the panel. `run` joins the runs drawn; `runs` replaces them (e.g. the arms of an experiment,
   * named as listCurveRuns names them: `<experiment>/seed-1/dpo`).
   */
  static createOrShow(ctx: CurvesContext, run?: string, runs?: string[]): CurvesPanel {
    if (ctx.current) {
      const panel = ctx.current;
      panel.panel.reveal(panel.panel.viewColumn);
      if (runs?.length) void panel.select([...runs]);
      else if (run) void panel.addRun(run);
      else void panel.refresh(); // re-running the command re-reads the run list (runs started from a terminal)
      return panel;
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
    this.view = view ?? { ...DEFAULT_VIEW, selected: [] };
    // No selection given: the default is picked from the run list before any other update reads the view.
    if (!view) void this.enqueue(async () => { this.view = { ...this.view, selected: await this.defaultSelection(await this.listRuns()) }; });
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
          this.managedPending = { name: run, events: [] };
          void this.addRun(run);
          return;
        }
        if (this.managedPending?.name === run) {
          this.managedPending.events.push(event);
          return;
        }
        const history = this.managed?.name === run ? this.managed : null;
        if (!history) return;
        const added = applyEvent(history, event);
        if (added.replaced) {
          void this.update(); // a resumed run superseded rows the webview already has
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
    this.disposed = true;
    if (this.ctx.current === this) {
      this.ctx.current = null;
      this.ctx.lastReport = null; // a closed panel draws nothing; a reopened one must report afresh
    }
    clearInterval(this.runListTimer);
    this.follower.dispose();
    this.host.dispose();
  }

  /** Re-read the run list and the drawn runs (Show Training Curves on an open panel). */
  refresh(): Promise<void> {
    return this.update(async (runs) => {
      const keep = new Set([...runs.map((r) => r.name), this.ctx.manager.current?.name]);
      const selected = this.view.selected.filter((name) => keep.has(name)); // a deleted run folder leaves the panel
      this.view = { ...this.view, selected: selected.length ? selected : await this.defaultSelection(runs) };
    });
  }

  /** Draw `run` too (first), unless it is drawn already. */
  addRun(run: string): Promise<void> {
    return this.update(() => {
      if (!this.view.selected.includes(run)) this.view = { ...this.view, selected: [run, ...this.view.selected] };
    });
  }

  /** The run manager's run, else the newest run still training (e.g. from a terminal), else the newest run. */
  private async defaultSelection(runs: RunEntry[]): Promise<string[]> {
    const live = this.ctx.manager.current?.name;
    if (live) return [live];
    const training = await newestTraining(runs);
    if (training) return [training.name];
    return runs[0] ? [runs[0].name] : [];
  }

  /** Run `task` after every update queued before it; a failure is logged and does not stop later updates. */
  private enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.updates.then(async () => {
      if (!this.disposed) await task();
    }).catch((err: unknown) => this.ctx.output.error(`Training Curves: ${(err as Error).message}`));
    this.updates = next;
    return next;
  }

  /** List the runs, let `change` adjust the view to them, then send the picker and the drawn runs. */
  private update(change?: (runs: RunEntry[]) => void | Promise<void>): Promise<void> {
    return this.enqueue(async () => {
      const runs = await this.listRuns();
      await change?.(runs);
      await this.sendRuns(runs);
    });
  }

  /** The runs the picker offers; a listing cut at its cap is logged once (until it changes). */
  private async listRuns(): Promise<RunEntry[]> {
    const listing = await listCurveRunsAsync(runsDirectory(), experimentsDirectory());
    const key = listing.truncated.join('\n');
    if (key !== this.truncatedListings) {
      this.truncatedListings = key;
      for (const dir of listing.truncated) {
        this.ctx.output.warn(`Training Curves: ${dir} holds more than one listing reads (at most ${MAX_LISTED_RUNS} runs, ${MAX_EXAMINED_FOLDERS} folders): its older runs are not offered.`);
      }
    }
    return listing.runs;
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
    if (this.polling) return;
    this.polling = true;
    void this.enqueue(async () => {
      const runs = await this.listRuns();
      const names = runs.map((r) => r.name);
      if (JSON.stringify(names) === JSON.stringify(this.available)) return;
      if (this.view.selected.length === 0) {
        const training = await newestTraining(runs);
        if (training) this.view = { ...this.view, selected: [training.name] };
      }
      await this.sendRuns(runs);
    }).finally(() => { this.polling = false; });
  }

  /** New lines in a followed run's metrics.jsonl: append them in the webview (or redraw when rows were superseded). */
  private onFollowed(update: RunUpdate): void {
    if (update.badLines.length) this.ctx.output.warn(`${update.run}: skipped unreadable metrics.jsonl lines ${update.badLines.join(', ')}`);
    if (update.replaced) {
      void this.update();
      return;
    }
    const h = update.history;
    this.post({ type: 'append', run: update.run, rows: update.rows, splits: update.splits, alerts: update.alerts, status: h.status, totalSteps: h.totalSteps });
  }

  private select(runs: string[]): Promise<void> {
    return this.update(() => {
      this.view = { ...this.view, selected: runs };
    });
  }

  /**
   * Load each drawn run: the run manager's live run keeps its in-memory history (fed over IPC); every other
   * run is read from its metrics.jsonl and followed, so a run training elsewhere grows live and gets its status.
   */
  private async loadHistories(): Promise<CurvesRun[]> {
    const runsDir = runsDirectory();
    const experimentsDir = experimentsDirectory();
    const live = this.ctx.manager.current?.name ?? null;
    const selected = [...this.view.selected];
    const out: CurvesRun[] = [];
    if (this.managed && this.managed.name !== live) this.managed = null;
    // Held-back events of a run no longer live would never be applied. (A live run's are taken by the update its
    // `started` queued, which draws it.)
    if (this.managedPending && this.managedPending.name !== live) this.managedPending = null;
    for (const name of selected) {
      const dir = curveRunDir(name, runsDir, experimentsDir);
      const file = dir ? path.join(dir, RUN_FILES.metrics) : null;
      let history: RunHistory;
      if (name === live) {
        this.follower.unfollow(name);
        history = this.managed ?? await this.loadManaged(name, file);
      } else if (file) {
        const followed = await this.follower.follow(name, file);
        if (followed.problem) this.ctx.output.warn(`${name}: ${followed.problem}`);
        if (followed.badLines.length) this.ctx.output.warn(`${file}: skipped unreadable lines ${followed.badLines.join(', ')}`);
        history = followed.history;
      } else {
        history = historyFromEvents(name, []);
      }
      if (this.disposed) return out;
      out.push({ name, status: history.status, totalSteps: history.totalSteps, rows: history.rows, splits: history.splits, alerts: history.alerts });
    }
    this.follower.retain(selected.filter((n) => n !== live));
    return out;
  }

  /** The live run's history: its metrics.jsonl so far, then the IPC events that came while it was read. */
  private async loadManaged(name: string, file: string | null): Promise<RunHistory> {
    const pending = this.managedPending?.name === name ? this.managedPending : { name, events: [] };
    this.managedPending = pending;
    let content: { events: TrainerEvent[]; badLines: number[] } = { events: [], badLines: [] };
    try {
      if (file) content = await readMetricsFileAsync(file);
    } catch (err) {
      this.ctx.output.warn(`${file}: ${(err as Error).message}`);
    }
    if (content.badLines.length) this.ctx.output.warn(`${file}: skipped unreadable lines ${content.badLines.join(', ')}`);
    // The live run's `started` may reach us before the trainer's line in the file does.
    const history = historyFromEvents(name, content.events, true);
    history.status = 'running';
    for (const event of pending.events) applyEvent(history, event);
    // A new `started` while reading (the run resumed) dropped `pending`: its own update reads the file again.
    if (this.managedPending === pending) {
      this.managedPending = null;
      this.managed = history;
    }
    return history;
  }

  private async sendRuns(runs: RunEntry[]): Promise<void> {
    const available = runs.map((r) => r.name);
    this.available = [...available];
    const live = this.ctx.manager.current?.name ?? null;
    if (live && !available.includes(live)) available.unshift(live);
    const now = Date.now();
    const running: string[] = [];
    for (const r of runs) if (r.name === live || await isRunTrainingAsync(r.metricsFile, now)) running.push(r.name);
    const histories = await this.loadHistories();
    this.post({ type: 'runs', available, runs: histories, live, view: this.view, running });
  }

  private post(message: CurvesNotification): void {
    this.host.post(message);
  }

  private async onCommand(message: CurvesCommand): Promise<void> {
    switch (message.type) {
      case 'ready':
        await this.update(() => {
          if (message.view && this.view.selected.length === 0) this.view = message.view;
          else if (message.view) this.view = { ...message.view, selected: this.view.selected };
        });
        break;
      case 'selectRuns':
        await this.select(message.runs);
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
    await fs.promises.writeFile(target.fsPath, metricsToCsv(runs));
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
    await fs.promises.writeFile(target.fsPath, Buffer.from(match[1], 'base64'));
    void vscode.window.showInformationMessage(`Curves saved to ${target.fsPath}`);
  }
}

/** The newest run (list order) whose metrics.jsonl is being written and has no `done` yet. */
async function newestTraining(runs: RunEntry[]): Promise<RunEntry | undefined> {
  const now = Date.now();
  for (const r of runs) if (await isRunTrainingAsync(r.metricsFile, now)) return r;
  return undefined;
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
