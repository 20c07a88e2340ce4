// What the trainer client and the CLI-process client share about a child process: its output read line by
// line into listeners and a tail kept for failure reports, one exit promise that never rejects (a spawn
// failure is an exit with code null), and timers (stop escalation) that end with the process.
import type { ChildProcess } from 'child_process';
import { forEachLine, LineTail, OutputStream } from './outputLines';

export interface OutputLine {
  stream: OutputStream;
  line: string;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Last output lines (stdout and stderr, plus anything the client added), oldest first. */
  lastLines: string[];
}

/** A minimal typed event source; on() returns the unsubscribe function. */
export class Listeners<T> {
  private readonly listeners = new Set<(value: T) => void>();

  on(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  fire(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }
}

export class ChildProcessClient {
  readonly tail: LineTail;
  readonly output = new Listeners<OutputLine>();
  private readonly timers: NodeJS.Timeout[] = [];
  private exitInfo: ChildExit | null = null;
  /** Resolves once the process has exited and its output is read. */
  readonly exited: Promise<ChildExit>;

  /** `beforeExit` runs once, when the process has ended, before the exit is reported (e.g. to end what it left behind). */
  constructor(readonly child: ChildProcess, o: { tailLines?: number; beforeExit?: () => void } = {}) {
    this.tail = new LineTail(o.tailLines ?? 40);
    for (const stream of ['stdout', 'stderr'] as const) {
      forEachLine(child[stream], (line) => {
        this.tail.push(line);
        this.output.fire({ stream, line });
      });
    }
    this.exited = new Promise((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.exitInfo) return;
        for (const t of this.timers) clearTimeout(t);
        o.beforeExit?.();
        this.exitInfo = { code, signal, lastLines: this.tail.snapshot() };
        resolve(this.exitInfo);
      };
      // 'close' (not 'exit') so the last output lines are in the tail before the exit is reported.
      child.on('close', finish);
      child.on('error', (err) => {
        this.tail.push(`[spawn] ${err.message}`);
        if (child.pid === undefined) finish(null, null);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === null;
  }

  /** Run `action` after `ms` unless the process has exited by then. */
  after(ms: number, action: () => void): void {
    if (this.running) this.timers.push(setTimeout(action, ms));
  }
}
