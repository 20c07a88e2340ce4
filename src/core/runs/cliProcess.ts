// Runs a long CLI job (e.g. `spo experiment`) as a child Node process in its own process group, so a
// cancel ends it and every process it forked (SIGTERM to the group, then SIGKILL): no orphans.
import { forEachLine, LineTail, OutputStream } from './outputLines';
import { ChildProcess, spawn } from 'child_process';

export interface CliProcessOptions {
  /** The Node script to run (dist/cli.js, or out/src/cli/main.js in tests). */
  entry: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Node binary; default the current one (under VS Code set ELECTRON_RUN_AS_NODE=1 in env). */
  execPath?: string;
  /** How long after SIGTERM before SIGKILL. */
  termGraceMs?: number;
  /** Output lines kept for failure reports. */
  tailLines?: number;
}

export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when cancel() ended it. */
  cancelled: boolean;
  /** Last output lines (stdout and stderr), oldest first. */
  lastLines: string[];
}

type LineListener = (line: { stream: 'stdout' | 'stderr'; line: string }) => void;

export class CliProcess {
  private readonly child: ChildProcess;
  private readonly listeners = new Set<LineListener>();
  private readonly tail: LineTail;
  private readonly termGraceMs: number;
  private readonly groupKill: boolean;
  private cancelled = false;
  private exitInfo: CliExit | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  /** Resolves once the process has exited (never rejects; a spawn failure is an exit with code null). */
  readonly exited: Promise<CliExit>;

  constructor(options: CliProcessOptions) {
    this.tail = new LineTail(options.tailLines ?? 40);
    this.termGraceMs = options.termGraceMs ?? 5_000;
    // A new process group (POSIX) lets cancel() reach the jobs the CLI forks; Windows has no groups, and
    // there the experiment's jobs exit on their own when their parent's IPC channel closes.
    this.groupKill = process.platform !== 'win32';
    // No IPC channel: a forked bundle would take it for a job channel and wait on it forever.
    this.child = spawn(options.execPath ?? process.execPath, [options.entry, ...options.args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: this.groupKill,
      windowsHide: true,
    });
    this.readLines('stdout');
    this.readLines('stderr');
    this.exited = new Promise((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.exitInfo) return;
        if (this.killTimer) clearTimeout(this.killTimer);
        // The jobs of a crashed CLI could outlive it: end what is left of the group.
        this.signalGroup('SIGKILL');
        this.exitInfo = { code, signal, cancelled: this.cancelled, lastLines: this.tail.snapshot() };
        resolve(this.exitInfo);
      };
      this.child.on('close', finish);
      this.child.on('error', (err) => {
        this.tail.push(`[spawn] ${err.message}`);
        if (this.child.pid === undefined) finish(null, null);
      });
    });
  }

  static start(options: CliProcessOptions): CliProcess {
    return new CliProcess(options);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === null;
  }

  get lastLines(): string[] {
    return this.tail.snapshot();
  }

  onLine(listener: LineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** End the job and everything it forked: SIGTERM to the group, SIGKILL after the grace period. */
  cancel(): Promise<CliExit> {
    if (!this.running) return this.exited;
    this.cancelled = true;
    this.signalGroup('SIGTERM');
    this.killTimer ??= setTimeout(() => this.signalGroup('SIGKILL'), this.termGraceMs);
    return this.exited;
  }

  /** Kill now (deactivation). */
  kill(): void {
    if (!this.running) return;
    this.cancelled = true;
    this.signalGroup('SIGKILL');
  }

  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      if (this.groupKill) process.kill(-pid, signal);
      else if (this.running) this.child.kill(signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  }

  private readLines(stream: OutputStream): void {
    forEachLine(this.child[stream], (line) => {
      this.tail.push(line);
      for (const l of this.listeners) l({ stream, line });
    });
  }
}
