// Client side of the trainer process: forks it (no shell, IPC channel), turns its messages into a
// typed event stream, stops it gracefully (stop message → SIGTERM → SIGKILL) and never leaves it orphaned.
import { ChildProcess, fork } from 'child_process';
import { isTrainerEvent, TrainerCommand, TrainerEvent } from '../protocol';
import { describeEvent } from '../train/runFolder';
import { ChildProcessClient, Listeners, OutputLine } from './childProcessClient';

export interface TrainerProcessOptions {
  /** The trainer entry script (dist/trainer.js, or out/src/trainer/main.js in tests). */
  entry: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** How long the trainer may take to save its checkpoint after a stop message before SIGTERM. */
  stopGraceMs?: number;
  /** How long after SIGTERM before SIGKILL. */
  termGraceMs?: number;
  /** Output lines kept for crash reports. */
  tailLines?: number;
}

export interface TrainerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The trainer's last `done` event, if it sent one. */
  done: Extract<TrainerEvent, { type: 'done' }> | null;
  /** True when it ended abnormally: a non-zero exit, a signal we did not send, or `done: failed`. */
  crashed: boolean;
  /** How the run ended as seen from here. */
  stoppedBy: 'self' | 'stop-message' | 'sigterm' | 'sigkill';
  /** Last lines of stderr/stdout (the trainer prints its log events there too), oldest first. */
  lastLines: string[];
}

export class TrainerProcess {
  private readonly child: ChildProcess;
  private readonly client: ChildProcessClient;
  private readonly events = new Listeners<TrainerEvent>();
  private readonly stopGraceMs: number;
  private readonly termGraceMs: number;
  private escalation: TrainerExit['stoppedBy'] = 'self';
  private doneEvent: TrainerExit['done'] = null;
  private lastEventValue: TrainerEvent | null = null;
  /** Resolves once the process has exited (never rejects; a spawn failure is an exit with code null). */
  readonly exited: Promise<TrainerExit>;

  constructor(options: TrainerProcessOptions) {
    this.stopGraceMs = options.stopGraceMs ?? 20_000;
    this.termGraceMs = options.termGraceMs ?? 5_000;
    // execArgv: [] so an inspector or loader flag of the parent (extension host, test runner) is not inherited.
    this.child = fork(options.entry, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.client = new ChildProcessClient(this.child, { tailLines: options.tailLines });
    this.child.on('message', (msg) => {
      if (!isTrainerEvent(msg)) return;
      this.lastEventValue = msg;
      // A forked trainer prints no event lines: keep them in the tail, so a crash report shows what happened last.
      const line = describeEvent(msg);
      if (line !== null) this.client.tail.push(line);
      if (msg.type === 'done') this.doneEvent = msg;
      this.events.fire(msg);
    });
    this.exited = this.client.exited.then(({ code, signal, lastLines }) => {
      const byUs = this.escalation === 'sigterm' || this.escalation === 'sigkill';
      const crashed = !byUs && (code !== 0 || signal !== null || this.doneEvent?.reason === 'failed');
      return { code, signal, done: this.doneEvent, crashed, stoppedBy: this.escalation, lastLines };
    });
  }

  static start(options: TrainerProcessOptions): TrainerProcess {
    return new TrainerProcess(options);
  }

  get pid(): number | undefined {
    return this.client.pid;
  }

  get running(): boolean {
    return this.client.running;
  }

  get lastEvent(): TrainerEvent | null {
    return this.lastEventValue;
  }

  get lastLines(): string[] {
    return this.client.tail.snapshot();
  }

  onEvent(listener: (event: TrainerEvent) => void): () => void {
    return this.events.on(listener);
  }

  onOutput(listener: (line: OutputLine) => void): () => void {
    return this.client.output.on(listener);
  }

  /** Graceful stop: ask for a checkpoint + exit, then SIGTERM after the grace period, then SIGKILL. */
  stop(): Promise<TrainerExit> {
    if (!this.running || this.escalation !== 'self') return this.exited;
    this.escalation = 'stop-message';
    const command: TrainerCommand = { type: 'stop' };
    try {
      if (this.child.connected) this.child.send(command);
      else this.escalate();
    } catch {
      this.escalate();
    }
    this.client.after(this.stopGraceMs, () => this.escalate());
    return this.exited;
  }

  /**
   * The window is closing: ask for a checkpoint + exit as stop() does, but SIGKILL after a short `graceMs`
   * (the editor will not wait long). A trainer that outlives this sees its IPC channel close and stops itself.
   */
  shutdown(graceMs: number): Promise<TrainerExit> {
    if (!this.running) return this.exited;
    if (this.escalation === 'self') {
      this.escalation = 'stop-message';
      try {
        if (this.child.connected) this.child.send({ type: 'stop' } satisfies TrainerCommand);
      } catch {
        // the channel is gone: the timer below ends it
      }
    }
    this.client.after(graceMs, () => this.kill());
    return this.exited;
  }

  /** Kill now (SIGKILL): the last resort, after a stop or a shutdown had their grace period. */
  kill(): void {
    if (!this.running) return;
    this.escalation = 'sigkill';
    this.child.kill('SIGKILL');
  }

  /** Never leave the process behind: same as kill(), and drop the listeners' work. */
  dispose(): void {
    this.kill();
  }

  private escalate(): void {
    if (!this.running) return;
    this.escalation = 'sigterm';
    this.child.kill('SIGTERM');
    this.client.after(this.termGraceMs, () => this.kill());
  }
}
