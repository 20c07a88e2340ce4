// The run manager: forks one trainer at a time, shows it (progress notification with Cancel,
// status-bar item, log in the output channel), reports crashes, and kills it when disposed.
import * as path from 'path';
import * as vscode from 'vscode';
import type { TrainerEvent } from '../../core/protocol';
import { newestCheckpointAsync, resumeArgs, TrainerExit, TrainerProcess, trainerArgs, writeRunConfig } from '../../core/runs';
import type { TrainConfig } from '../../core/train/config';
import { describeEvent } from '../../core/train/runFolder';
import { CommandId } from '../commandIds';

/** Context key for `when` clauses (e.g. Stop Training in the palette only while a run is live). */
export const TRAINING_ACTIVE_CONTEXT = 'spo.trainingActive';

export interface LiveRun {
  process: TrainerProcess;
  /** The run's resolved config (what its config.json holds). */
  config: TrainConfig;
  /** Known once the trainer sends `started`. */
  name: string | null;
  runDir: string | null;
  lastEvent: TrainerEvent | null;
  step: number;
  totalSteps: number | null;
  /** Folder of the last checkpoint written. */
  checkpoint: string | null;
  /** True when this process continues an earlier run from its checkpoint. */
  resumed: boolean;
  /** "torch · cuda:0 (H100 …)" / "tfjs · wasm", from the started event: shown in the status bar and progress. */
  engineLabel?: string;
}

/** The engine and device a started event names (the torch engine sends both; TF.js names its backend). */
export function engineLabel(event: Extract<TrainerEvent, { type: 'started' }>): string {
  const e = event as typeof event & { engine?: string; device?: string };
  const engine = e.engine ?? (e.backend.startsWith('torch') ? 'torch' : 'tfjs');
  return `${engine} · ${e.device ?? e.backend}`;
}

/** A trainer event, tagged with the run it belongs to (null before `started`). */
export interface RunEvent {
  run: string | null;
  event: TrainerEvent;
}

export interface RunEnded {
  run: string | null;
  exit: TrainerExit;
}

/** How long a closing window lets the trainer save its checkpoint before SIGKILL (VS Code waits about 5 s for deactivate). */
export const SHUTDOWN_GRACE_MS = 4000;

export class RunManager implements vscode.Disposable {
  private live: LiveRun | null = null;
  private lastEnded: RunEnded | null = null;
  private readonly statusItem: vscode.StatusBarItem;
  private readonly eventEmitter = new vscode.EventEmitter<RunEvent>();
  private readonly endEmitter = new vscode.EventEmitter<RunEnded>();
  /** Every trainer event of the live run. */
  readonly onEvent = this.eventEmitter.event;
  /** The live run's process has exited. */
  readonly onEnded = this.endEmitter.event;

  constructor(private readonly trainerEntry: string, private readonly output: vscode.LogOutputChannel) {
    this.statusItem = vscode.window.createStatusBarItem('spo.training', vscode.StatusBarAlignment.Left, 50);
    this.statusItem.name = 'SPO Training';
    this.statusItem.command = CommandId.ShowCurves;
  }

  get current(): LiveRun | null {
    return this.live;
  }

  /** What the e2e test hook reports. */
  state(): { live: boolean; run: string | null; pid: number | null; resumed: boolean; lastEvent: TrainerEvent | null; step: number; lastExit: RunEnded | null; engine: string | null; statusText: string } {
    return {
      engine: this.live?.engineLabel ?? null,
      statusText: this.statusItem.text,
      live: this.live !== null,
      resumed: this.live?.resumed ?? false,
      run: this.live?.name ?? null,
      pid: this.live?.process.pid ?? null,
      lastEvent: this.live?.lastEvent ?? null,
      step: this.live?.step ?? 0,
      lastExit: this.lastEnded,
    };
  }

  /** Write `config` into its run folder (`output_dir`) and fork the trainer on it. Throws if a run is already live. */
  start(config: TrainConfig, cwd: string): LiveRun {
    if (this.live) throw new Error(`a training run is already active (${this.live.name ?? 'starting'})`);
    writeRunConfig(config);
    return this.launch(config, trainerArgs(config), cwd, false);
  }

  /**
   * Continue the run in `config.output_dir` from its last checkpoint (the trainer reads the run's
   * config.json); `maxSteps` extends its budget. Throws if a run is already live.
   */
  /** `trustRun`: the user confirmed continuing a run folder that is not this machine's own. */
  resume(config: TrainConfig, cwd: string, maxSteps?: number, trustRun = false): LiveRun {
    return this.launch(maxSteps === undefined ? config : { ...config, max_steps: maxSteps }, resumeArgs(config.output_dir ?? '', maxSteps, trustRun), cwd, true);
  }

  private launch(config: TrainConfig, args: string[], cwd: string, resumed: boolean): LiveRun {
    const runDir = config.output_dir ?? '';
    if (this.live) throw new Error(`a training run is already active (${this.live.name ?? 'starting'})`);
    this.output.info(`${resumed ? 'Resuming' : 'Starting'} trainer: node ${path.basename(this.trainerEntry)} ${args.join(' ')}`);
    // ELECTRON_RUN_AS_NODE: under desktop VS Code, process.execPath is Electron; this makes it plain Node.
    const proc = TrainerProcess.start({ entry: this.trainerEntry, args, cwd, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    const run: LiveRun = { process: proc, config, name: path.basename(runDir), runDir, lastEvent: null, step: 0, totalSteps: config.max_steps, checkpoint: null, resumed };
    this.live = run;
    // The log shown is the typed events (log.txt's lines, at their own level) plus whatever else the
    // process prints (a forked trainer prints no event lines of its own: they arrive typed over IPC).
    proc.onEvent((event) => this.logEvent(event));
    proc.onOutput(({ stream, line }) => (stream === 'stderr' ? this.output.warn(line) : this.output.info(line)));
    proc.onEvent((event) => this.handleEvent(run, event));
    void proc.exited.then((exit) => this.handleExit(run, exit));
    this.showProgress(run);
    this.updateStatus(run, resumed ? 'resuming…' : 'starting…');
    void vscode.commands.executeCommand('setContext', TRAINING_ACTIVE_CONTEXT, true);
    return run;
  }

  /** Graceful stop of the live run (checkpoint, then exit). */
  async stop(): Promise<TrainerExit | null> {
    const run = this.live;
    if (!run) return null;
    this.output.info(`Stopping run ${run.name ?? '(starting)'}: asking the trainer to save a checkpoint and exit.`);
    this.updateStatus(run, 'stopping…');
    return run.process.stop();
  }

  /**
   * Deactivation or window reload: ask the trainer to checkpoint and stop, SIGKILL after a short grace
   * (losing at most the steps since the last save, not up to `save_steps`). Resolves once it exited.
   */
  shutdown(): Promise<unknown> {
    const run = this.live;
    if (!run) return Promise.resolve();
    this.output.info(`Window closing: asking run ${run.name ?? '(starting)'} to save a checkpoint and stop.`);
    return run.process.shutdown(SHUTDOWN_GRACE_MS);
  }

  dispose(): void {
    // Never leave a trainer behind: deactivate() started shutdown() already; this is idempotent.
    void this.shutdown();
    this.live = null;
    this.statusItem.dispose();
    this.eventEmitter.dispose();
    this.endEmitter.dispose();
  }

  private handleEvent(run: LiveRun, event: TrainerEvent): void {
    run.lastEvent = event;
    switch (event.type) {
      case 'started':
        run.name = event.runName;
        run.runDir = event.runDir;
        run.totalSteps = event.totalSteps;
        run.engineLabel = engineLabel(event);
        this.output.info(`Run ${event.runName}: engine ${run.engineLabel}.`);
        break;
      case 'progress':
        run.step = event.step;
        if (event.phase === 'align') run.totalSteps = event.totalSteps;
        this.updateStatus(run, `${event.phase} ${event.step}/${event.totalSteps}`);
        break;
      case 'metrics':
        if (event.split === 'train') run.step = Math.max(run.step, event.row.step);
        break;
      case 'alert':
        void vscode.window.showWarningMessage(`SPO training: ${event.message}`, 'Show Curves').then((a) => {
          if (a) void vscode.commands.executeCommand(CommandId.ShowCurves);
        });
        break;
      case 'checkpoint':
        run.checkpoint = event.path;
        break;
    }
    this.eventEmitter.fire({ run: run.name, event });
  }

  private async handleExit(run: LiveRun, exit: TrainerExit): Promise<void> {
    if (this.live === run) this.live = null;
    this.statusItem.hide();
    void vscode.commands.executeCommand('setContext', TRAINING_ACTIVE_CONTEXT, false);
    const ended: RunEnded = { run: run.name, exit };
    this.lastEnded = ended;
    this.output.info(`Trainer exited (code ${exit.code}, signal ${exit.signal ?? 'none'}).`);
    this.endEmitter.fire(ended);
    // A run that did not complete can be continued from its last checkpoint (Resume Training).
    const canResume = exit.done?.reason !== 'completed' && run.runDir !== null && (await newestCheckpointAsync(run.runDir)) !== null;
    const resumeAction = canResume ? ['Resume'] : [];
    const resume = () => void vscode.commands.executeCommand(CommandId.ResumeTraining, { run: run.name });
    if (exit.crashed) {
      const tail = exit.lastLines.slice(-4).join(' ⏎ ') || 'no output';
      const why = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
      void vscode.window.showErrorMessage(`SPO training failed (${why}): ${tail}`, 'Show Log', ...resumeAction).then((a) => {
        if (a === 'Show Log') this.output.show(true);
        if (a === 'Resume') resume();
      });
    } else if (exit.done?.reason === 'completed') {
      void vscode.window.showInformationMessage(`SPO training finished: run ${run.name ?? ''} (${exit.done.step} steps).`, 'Show Curves', 'Show Dataset Degrees').then((a) => {
        if (a === 'Show Curves') void vscode.commands.executeCommand(CommandId.ShowCurves, { run: run.name });
        if (a === 'Show Dataset Degrees') void vscode.commands.executeCommand(CommandId.ShowDatasetDegrees, { uri: vscode.Uri.file(run.config.data) });
      });
    } else {
      const ckpt = run.checkpoint ? `; checkpoint ${run.checkpoint}` : '';
      void vscode.window.showInformationMessage(`SPO training stopped: run ${run.name ?? ''} at step ${exit.done?.step ?? run.step}${ckpt}.`, ...resumeAction).then((a) => {
        if (a === 'Resume') resume();
      });
    }
  }

  private logEvent(event: TrainerEvent): void {
    const line = describeEvent(event);
    if (line === null) return;
    const failed = (event.type === 'log' && event.level === 'error') || (event.type === 'done' && event.reason === 'failed');
    const warning = (event.type === 'log' && event.level === 'warn') || event.type === 'alert';
    if (failed) this.output.error(line);
    else if (warning) this.output.warn(line);
    else this.output.info(line);
  }

  private updateStatus(run: LiveRun, text: string): void {
    if (this.live !== run) return;
    this.statusItem.text = `$(sync~spin) SPO ${text}`;
    this.statusItem.tooltip = `SPO training ${run.name ?? ''}${run.engineLabel ? ` on ${run.engineLabel}` : ''}: click to show the curves`;
    this.statusItem.show();
  }

  private showProgress(run: LiveRun): void {
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: run.resumed ? `SPO training (resuming ${run.name ?? ''})` : 'SPO training', cancellable: true },
      (progress, token) => new Promise<void>((resolve) => {
        token.onCancellationRequested(() => void this.stop());
        let reported = 0;
        const sub = run.process.onEvent((event) => {
          if (event.type !== 'progress') return;
          const fraction = event.totalSteps > 0 ? Math.min(1, event.step / event.totalSteps) : 0;
          // Each phase restarts its bar: `increment` is relative, so a new phase resets the baseline.
          const pct = fraction * 100;
          const increment = pct >= reported ? pct - reported : 0;
          if (pct < reported) reported = 0;
          reported = Math.max(reported, pct);
          const eta = event.etaSeconds === null ? '' : `, ETA ${formatEta(event.etaSeconds)}`;
          const on = run.engineLabel ? ` (${run.engineLabel})` : '';
          progress.report({ message: `${event.phase} step ${event.step}/${event.totalSteps}${eta}${on}`, increment });
        });
        void run.process.exited.then(() => {
          sub();
          resolve();
        });
      }),
    );
  }
}

function formatEta(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m} min ${Math.round(seconds % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
