// The torch engine's child process: its stdout events relayed as TrainerEvents, its stderr kept for the
// failure message, Stop forwarded as SIGTERM (a checkpoint, then exit) with SIGKILL after a grace period.
import { spawn } from 'child_process';
import type { TrainerEvent } from '../protocol/trainer';
import { isTrainerEvent } from '../protocol/trainer';
import { LineTail, forEachLine } from '../runs/outputLines';
import type { LaunchCommand } from './torchLaunch';
import { pythonChildEnv } from './pythonLocation';

/** Saving a large model's checkpoint takes a while; after this the process group is killed. */
export const STOP_GRACE_MS = 120_000;

export interface TorchExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last `done` event the engine sent, if any. */
  done: Extract<TrainerEvent, { type: 'done' }> | null;
  /** The last stderr lines (the engine's human log and any traceback). */
  stderrTail: string[];
}

export interface TorchChild {
  pid: number | undefined;
  /** Ask for a graceful stop (SIGTERM to every process of the launch); SIGKILL after `graceMs`. */
  stop(graceMs?: number): void;
  exited: Promise<TorchExit>;
}

export interface TorchChildHooks {
  onEvent(event: TrainerEvent): void;
  /** A stderr line (or a non-event stdout line). */
  onOutput?(line: string): void;
}

export function startTorchChild(launch: LaunchCommand, hooks: TorchChildHooks, cwd?: string): TorchChild {
  // Its own process group: Stop reaches torchrun/accelerate and every rank, and a Ctrl-C in the
  // terminal reaches only us, so the engine stops through SIGTERM with a checkpoint, once.
  const child = spawn(launch.command, launch.args, {
    cwd, env: pythonChildEnv(process.env, launch.env), stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32', windowsHide: true,
  });
  const tail = new LineTail(40);
  let done: TorchExit['done'] = null;
  forEachLine(child.stdout, (line) => {
    let parsed: unknown;
    try { parsed = JSON.parse(line); } catch { parsed = null; }
    if (isTrainerEvent(parsed)) {
      if (parsed.type === 'done') done = parsed;
      hooks.onEvent(parsed);
    } else {
      tail.push(line);
      hooks.onOutput?.(line);
    }
  });
  forEachLine(child.stderr, (line) => { tail.push(line); hooks.onOutput?.(line); });
  let killTimer: NodeJS.Timeout | null = null;
  const signal = (sig: NodeJS.Signals) => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try { process.kill(process.platform === 'win32' ? child.pid : -child.pid, sig); } catch { /* already gone */ }
  };
  const exited = new Promise<TorchExit>((resolve) => {
    let spawnError: Error | null = null;
    child.on('error', (err) => { spawnError = err; });
    child.on('close', (code, sig) => {
      if (killTimer) clearTimeout(killTimer);
      if (spawnError) tail.push(`cannot start ${launch.command}: ${spawnError.message}`);
      resolve({ code: spawnError ? 127 : code, signal: sig, done, stderrTail: tail.snapshot() });
    });
  });
  return {
    pid: child.pid,
    stop(graceMs = STOP_GRACE_MS) {
      signal('SIGTERM');
      if (!killTimer) killTimer = setTimeout(() => signal('SIGKILL'), graceMs);
    },
    exited,
  };
}
