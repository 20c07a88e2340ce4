// Runs a long CLI job (e.g. `spo experiment`) as a child Node process in its own process group, so a
// cancel ends it and every process it forked (SIGTERM to the group, then SIGKILL): no orphans.
import { spawn } from 'child_process';
import { ChildProcessClient, OutputLine } from './childProcessClient';

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

export class CliProcess {
  private readonly client: ChildProcessClient;
  private readonly termGraceMs: number;
  private readonly groupKill: boolean;
  private cancelled = false;
  private killScheduled = false;
  /** Resolves once the process has exited (never rejects; a spawn failure is an exit with code null). */
  readonly exited: Promise<CliExit>;

  constructor(options: CliProcessOptions) {
    this.termGraceMs = options.termGraceMs ?? 5_000;
    // A new process group (POSIX) lets cancel() reach the jobs the CLI forks; Windows has no groups, and
    // there the experiment's jobs exit on their own when their parent's IPC channel closes.
    this.groupKill = process.platform !== 'win32';
    // No IPC channel: a forked bundle would take it for a job channel and wait on it forever.
    const child = spawn(options.execPath ?? process.execPath, [options.entry, ...options.args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: this.groupKill,
      windowsHide: true,
    });
    // The jobs of a crashed CLI could outlive it: end what is left of the group.
    this.client = new ChildProcessClient(child, { tailLines: options.tailLines, beforeExit: () => this.signalGroup('SIGKILL') });
    this.exited = this.client.exited.then((exit) => ({ ...exit, cancelled: this.cancelled }));
  }

  static start(options: CliProcessOptions): CliProcess {
    return new CliProcess(options);
  }

  get pid(): number | undefined {
    return this.client.pid;
  }

  get running(): boolean {
    return this.client.running;
  }

  get lastLines(): string[] {
    return this.client.tail.snapshot();
  }

  onLine(listener: (line: OutputLine) => void): () => void {
    return this.client.output.on(listener);
  }

  /** End the job and everything it forked: SIGTERM to the group, SIGKILL after the grace period. */
  cancel(): Promise<CliExit> {
    if (!this.running) return this.exited;
    this.cancelled = true;
    this.signalGroup('SIGTERM');
    if (!this.killScheduled) this.client.after(this.termGraceMs, () => this.signalGroup('SIGKILL'));
    this.killScheduled = true;
    return this.exited;
  }

  /** Kill now (deactivation). */
  kill(): void {
    if (!this.running) return;
    this.cancelled = true;
    this.signalGroup('SIGKILL');
  }

  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.client.pid;
    if (pid === undefined) return;
    try {
      if (this.groupKill) process.kill(-pid, signal);
      else if (this.running) this.client.child.kill(signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  }
}
