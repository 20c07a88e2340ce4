// Client side of the trainer process: forks it (no shell, IPC channel), turns its messages into a
// typed event stream, stops it gracefully (stop message → SIGTERM → SIGKILL) and never leaves it orphaned.
import { forEachLine, LineTail, OutputStream } from './outputLines';
import { ChildProcess, fork } from 'child_process';
import { isTrainerEvent, TrainerCommand, TrainerEvent } from '../protocol';
import { describeEvent } from '../train/runFolder';

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

type Listener<T> = (value: T) => void;

/** A minimal typed event source; returns an unsubscribe function. */
class Signal<T> {
  private readonly listeners = new Set<Listener<T>>();
  on(listener: Listener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  fire(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }
}

export class TrainerProcess {
  private readonly child: ChildProcess;
  private readonly events = new Signal<TrainerEvent>();
  private readonly output = new Signal<{ stream: 'stdout' | 'stderr'; line: string }>();
  private readonly tail: LineTail;
  private readonly stopGraceMs: number;
  private readonly termGraceMs: number;
  private readonly timers: NodeJS.Timeout[] = [];
  private escalation: TrainerExit['stoppedBy'] = 'self';
  private doneEvent: TrainerExit['done'] = null;
  private exitInfo: TrainerExit | null = null;
  private lastEventValue: TrainerEvent | null = null;
  /** Resolves once the process has exited (never rejects; a spawn failure is an exit with code null). */
  readonly exited: Promise<TrainerExit>;

  constructor(options: TrainerProcessOptions) {
    this.tail = new LineTail(options.tailLines ?? 40);
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
    this.readLines('stdout');
    this.readLines('stderr');
    this.child.on('message', (msg) => {
      if (!isTrainerEvent(msg)) return;
      this.lastEventValue = msg;
      // A forked trainer prints no event lines: keep them in the tail, so a crash report shows what happened last.
      const line = describeEvent(msg);
      if (line !== null) this.tail.push(line);
      if (msg.type === 'done') this.doneEvent = msg;
      this.events.fire(msg);
    });
    this.exited = new Promise((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.exitInfo) return;
        for (const t of this.timers) clearTimeout(t);
        const byUs = this.escalation === 'sigterm' || this.escalation === 'sigkill';
        const crashed = !byUs && (code !== 0 || signal !== null || this.doneEvent?.reason === 'failed');
        this.exitInfo = { code, signal, done: this.doneEvent, crashed, stoppedBy: this.escalation, lastLines: this.tail.snapshot() };
        resolve(this.exitInfo);
      };
      // 'close' (not 'exit') so the last stderr lines are in the tail before the exit is reported.
      this.child.on('close', finish);
      this.child.on('error', (err) => {
        this.tail.push(`[spawn] ${err.message}`);
        if (this.child.exitCode === null && this.child.pid === undefined) finish(null, null);
      });
    });
  }

  static start(options: TrainerProcessOptions): TrainerProcess {
    return new TrainerProcess(options);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === null;
  }

  get lastEvent(): TrainerEvent | null {
    return this.lastEventValue;
  }

  get lastLines(): string[] {
    return this.tail.snapshot();
  }

  onEvent(listener: Listener<TrainerEvent>): () => void {
    return this.events.on(listener);
  }

  onOutput(listener: Listener<{ stream: 'stdout' | 'stderr'; line: string }>): () => void {
    return this.output.on(listener);
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
    this.timers.push(setTimeout(() => this.escalate(), this.stopGraceMs));
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
    this.timers.push(setTimeout(() => this.kill(), graceMs));
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
    this.timers.push(setTimeout(() => this.kill(), this.termGraceMs));
  }

  private readLines(stream: OutputStream): void {
    forEachLine(this.child[stream], (line) => {
      this.tail.push(line);
      this.output.fire({ stream, line });
    });
  }
}
