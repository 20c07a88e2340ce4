// Runs one SPO vs DPO experiment at a time as a background CLI process (never TF.js in the extension
// host): progress notification with Cancel (ends the whole process group), log in the output channel,
// and on success the summary in the Markdown preview and the arms in the curves panel.
import * as path from 'path';
import * as vscode from 'vscode';
import {
  applyProgressLine, CliExit, CliProcess, describeProgress, EXPERIMENT_FILES, experimentArgs, experimentArmCount,
  experimentFraction, experimentHeadline, ExperimentProgress, ExperimentRequest, initialProgress, listExperimentRunsAsync,
} from '../../core/runs';
import { existsNoFollow } from '../../core/fs/safeFiles';
import { EXPERIMENT_PROGRESS_PREFIX } from '../../core/protocol';
import { CommandId } from '../commandIds';

export interface LiveExperiment {
  name: string;
  request: ExperimentRequest;
  process: CliProcess;
  progress: ExperimentProgress;
}

/** How the last experiment ended (also the e2e test hook's view). */
export interface ExperimentEnded {
  name: string;
  outDir: string;
  code: number | null;
  cancelled: boolean;
  /** Curves-panel names of its runs (`<name>/seed-1/dpo`). */
  runs: string[];
  resultsFile: string | null;
  summaryFile: string | null;
}

export class ExperimentManager implements vscode.Disposable {
  private live: LiveExperiment | null = null;
  private lastEnded: ExperimentEnded | null = null;

  constructor(private readonly cliEntry: string, private readonly output: vscode.LogOutputChannel) {}

  get current(): LiveExperiment | null {
    return this.live;
  }

  state(): { live: boolean; name: string | null; pid: number | null; progress: ExperimentProgress | null; lastEnded: ExperimentEnded | null } {
    return {
      live: this.live !== null,
      name: this.live?.name ?? null,
      pid: this.live?.process.pid ?? null,
      progress: this.live?.progress ?? null,
      lastEnded: this.lastEnded,
    };
  }

  /** Start the CLI for `request`; `openResults` false keeps the summary and curves closed (scripted use). Throws if one is live. */
  start(request: ExperimentRequest, cwd: string, openResults = true): LiveExperiment {
    if (this.live) throw new Error(`an experiment is already running (${this.live.name})`);
    const name = path.basename(request.outDir);
    // --progress-json: progress comes from its `@@spo-progress` lines, not from parsing the human log.
    const args = ['experiment', ...experimentArgs(request), '--progress-json'];
    this.output.info(`Starting experiment ${name}: node ${path.basename(this.cliEntry)} ${args.join(' ')}`);
    // ELECTRON_RUN_AS_NODE: under desktop VS Code, process.execPath is Electron; this makes it (and the jobs it forks) plain Node.
    const proc = CliProcess.start({ entry: this.cliEntry, args, cwd, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    const live: LiveExperiment = { name, request, process: proc, progress: initialProgress(request.seeds, experimentArmCount(request)) };
    this.live = live;
    proc.onLine(({ line }) => {
      if (line.startsWith(EXPERIMENT_PROGRESS_PREFIX)) {
        live.progress = applyProgressLine(live.progress, line);
        return; // machine lines stay out of the log; the human lines say the same
      }
      if (/\berror\b|^spo[ :]/i.test(line) && !line.startsWith('[seed')) this.output.error(`[${name}] ${line}`);
      else this.output.info(`[${name}] ${line}`);
    });
    this.showProgress(live);
    void proc.exited.then((exit) => this.handleExit(live, exit, openResults));
    return live;
  }

  cancel(): Promise<CliExit> | null {
    if (!this.live) return null;
    this.output.info(`Cancelling experiment ${this.live.name}: ending its process group.`);
    return this.live.process.cancel();
  }

  dispose(): void {
    // Deactivation or window reload: never leave the experiment's processes behind.
    this.live?.process.kill();
    this.live = null;
  }

  /** summary.md in the Markdown preview; as text when the built-in Markdown extension is disabled. */
  private async openSummary(file: string, toSide: boolean): Promise<void> {
    const uri = vscode.Uri.file(file);
    try {
      await vscode.commands.executeCommand(toSide ? 'markdown.showPreviewToSide' : 'markdown.showPreview', uri);
    } catch (err) {
      this.output.warn(`Markdown preview unavailable (${(err as Error).message}); opening ${file} as text.`);
      await vscode.window.showTextDocument(uri, { viewColumn: toSide ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active, preview: false });
    }
  }

  private showProgress(live: LiveExperiment): void {
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `SPO vs DPO experiment ${live.name}`, cancellable: true },
      (progress, token) => new Promise<void>((resolve) => {
        token.onCancellationRequested(() => void live.process.cancel());
        let reported = 0;
        const sub = live.process.onLine(() => {
          const pct = experimentFraction(live.progress) * 100;
          progress.report({ message: describeProgress(live.progress), increment: Math.max(0, pct - reported) });
          reported = Math.max(reported, pct);
        });
        void live.process.exited.then(() => {
          sub();
          resolve();
        });
      }),
    );
  }

  private async handleExit(live: LiveExperiment, exit: CliExit, openResults: boolean): Promise<void> {
    if (this.live === live) this.live = null;
    const outDir = live.request.outDir;
    const resultsFile = path.join(outDir, EXPERIMENT_FILES.results);
    const summaryFile = path.join(outDir, EXPERIMENT_FILES.summary);
    const hasResults = await existsNoFollow(resultsFile);
    const ok = exit.code === 0 && !exit.cancelled && hasResults;
    const listing = await listExperimentRunsAsync(outDir);
    const runs = listing.runs.map((r) => r.name);
    this.output.info(`Experiment ${live.name} exited (code ${exit.code}, signal ${exit.signal ?? 'none'}${exit.cancelled ? ', cancelled' : ''}).`);
    if (listing.truncated) this.output.warn(`Experiment ${live.name}: only its first ${runs.length} runs are shown; ${outDir} holds more folders than are listed.`);
    const ended: ExperimentEnded = {
      name: live.name, outDir, code: exit.code, cancelled: exit.cancelled, runs,
      resultsFile: hasResults ? resultsFile : null,
      summaryFile: (await existsNoFollow(summaryFile)) ? summaryFile : null,
    };
    if (exit.cancelled) {
      this.lastEnded = ended;
      void vscode.window.showInformationMessage(`SPO experiment ${live.name} cancelled; the runs it finished are in ${outDir}.`);
      return;
    }
    if (!ok) {
      this.lastEnded = ended;
      const tail = exit.lastLines.filter((l) => !l.startsWith(EXPERIMENT_PROGRESS_PREFIX)).slice(-4).join(' ⏎ ') || 'no output';
      void vscode.window.showErrorMessage(`SPO experiment ${live.name} failed (exit code ${exit.code ?? exit.signal}): ${tail}`, 'Show Log').then((a) => {
        if (a) this.output.show(true);
      });
      return;
    }
    const headline = await experimentHeadline(outDir);
    this.output.info(`Experiment ${live.name}: held-out reward accuracy ${headline ?? '(no summary)'}; ${resultsFile}`);
    if (openResults) {
      // Curves in the active column, the summary beside them: both visible at once.
      try {
        await vscode.commands.executeCommand(CommandId.ShowCurves, { runs });
        if (ended.summaryFile) await this.openSummary(summaryFile, true);
      } catch (err) {
        this.output.error(`Experiment ${live.name}: could not show its results: ${(err as Error).message}`);
      }
    }
    this.lastEnded = ended; // set last, so a test waiting on it sees the opened views
    void vscode.window.showInformationMessage(`SPO experiment ${live.name} finished. Held-out reward accuracy: ${headline ?? 'see summary.md'}.`, 'Open Summary', 'Show Curves').then((a) => {
      if (a === 'Open Summary') void this.openSummary(summaryFile, false);
      if (a === 'Show Curves') void vscode.commands.executeCommand(CommandId.ShowCurves, { runs });
    });
  }
}
