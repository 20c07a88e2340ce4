// Decides whether a run without a `done` event is still training, for runs the extension did not start
// (terminal `spo train`, npm start's demo run): the trainer pid of the `started` event when it has one, else the
// file's age (the trainer appends to metrics.jsonl as it goes, so a fresh file means alive).
import * as fs from 'fs';
import * as os from 'os';
import type { RunStatus, TrainerEvent } from '../protocol';
import { openRegularForRead } from '../fs/safeFiles';

/**
 * The rule: a metrics.jsonl that ends without `done` is "running" while it was written within the last
 * LIVE_WRITE_WINDOW_MS, else "interrupted" (crash, kill, closed terminal). The trainer writes a progress
 * event at least every few steps in every phase, so a minute of silence means it is gone.
 * When the `started` event names the trainer (pid on this host), the process decides instead: alive means
 * running however long the silence (a slow eval or degrees pass), gone means interrupted at once.
 */
export const LIVE_WRITE_WINDOW_MS = 60_000;

/**
 * Pid reuse: a crashed trainer's pid may later belong to another process, which would keep the run
 * "running". A live pid is therefore trusted only while the file was written within this window; past it
 * the run counts as interrupted whatever the pid says (no trainer phase goes an hour without writing).
 */
export const PID_TRUST_WINDOW_MS = 60 * 60_000;

/** Who wrote a run: the `started` event's pid and host (absent in files from older trainers). */
export type TrainerIdentity = Pick<Extract<TrainerEvent, { type: 'started' }>, 'pid' | 'host'>;

/**
 * Whether the trainer process is alive: true / false, or null when the event does not say (no pid, a
 * pid that is not a positive integer, or another host, whose pids mean nothing here).
 */
export function trainerAlive(trainer: TrainerIdentity | null | undefined): boolean | null {
  const pid = trainer?.pid;
  // process.kill(0 or a negative pid) would probe a process group: only a plain pid is checked.
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return null;
  if (trainer?.host !== undefined && trainer.host !== os.hostname()) return null;
  try {
    process.kill(pid, 0); // signal 0: existence and permission check only, nothing is sent
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPERM') return true; // exists, owned by another user
    if (code === 'ESRCH') return false;
    return null;
  }
}

export function unfinishedRunStatus(lastWriteMs: number, nowMs: number, trainer?: TrainerIdentity | null): Extract<RunStatus, 'running' | 'interrupted'> {
  const alive = trainerAlive(trainer);
  if (alive === false) return 'interrupted';
  if (alive === true) return nowMs - lastWriteMs <= PID_TRUST_WINDOW_MS ? 'running' : 'interrupted';
  return nowMs - lastWriteMs <= LIVE_WRITE_WINDOW_MS ? 'running' : 'interrupted';
}

/** How far back from the end to look for the last `started` event (a resumed run appends a new one). */
const STARTED_SCAN_LIMIT_BYTES = 8 * 1024 * 1024;
const STARTED_SCAN_CHUNK_BYTES = 64 * 1024;
const STARTED_MARK = '{"type":"started"';

/**
 * The trainer identity of the last `started` event of a metrics.jsonl, read backwards from the end in
 * chunks; null when there is none within STARTED_SCAN_LIMIT_BYTES or it carries no pid (older trainers).
 */
export async function lastStartedTrainerAsync(file: string, size: number): Promise<TrainerIdentity | null> {
  if (size === 0) return null;
  const { handle } = await openRegularForRead(file);
  try {
    let end = size;
    let carry = ''; // the start of a line cut by the previous (later) chunk
    while (end > 0 && size - end < STARTED_SCAN_LIMIT_BYTES) {
      const start = Math.max(0, end - STARTED_SCAN_CHUNK_BYTES);
      const buffer = Buffer.alloc(end - start);
      await handle.read(buffer, 0, buffer.length, start);
      const text = buffer.toString('latin1') + carry; // latin1: byte-exact, the mark and pid digits are ASCII
      const lines = text.split('\n');
      carry = start > 0 ? lines.shift() ?? '' : '';
      for (let i = lines.length - 1; i >= 0; i -= 1) {
        if (!lines[i].startsWith(STARTED_MARK)) continue;
        try {
          const event = JSON.parse(Buffer.from(lines[i], 'latin1').toString('utf8')) as TrainerIdentity;
          return typeof event.pid === 'number' ? { pid: event.pid, host: event.host } : null;
        } catch {
          return null; // a torn started line: no identity to trust
        }
      }
      end = start;
    }
    return null;
  } finally {
    await handle.close();
  }
}

/** How much of the file's end to read to find its last line (a done event is ~100 bytes). */
const LAST_LINE_PROBE_BYTES = 4096;

/** Whether the last complete line of a metrics.jsonl is a `done` event; reads only the file's end. */
export async function endsWithDoneAsync(file: string, size: number): Promise<boolean> {
  if (size === 0) return false;
  const length = Math.min(size, LAST_LINE_PROBE_BYTES);
  const buffer = Buffer.alloc(length);
  const { handle } = await openRegularForRead(file);
  try {
    await handle.read(buffer, 0, length, size - length);
  } finally {
    await handle.close();
  }
  const lines = buffer.toString('utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '');
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    try {
      const value = JSON.parse(lines[i]) as { type?: unknown };
      return value.type === 'done';
    } catch {
      // a torn last line (writer mid-line) or a cut first line of the probe: look one line up
    }
  }
  return false;
}

/**
 * Check for the run picker: is this run training right now (no `done` at the end, and a live trainer or a
 * fresh file)? Asynchronous: the extension host asks it of every listed run.
 */
export async function isRunTrainingAsync(metricsFile: string, nowMs: number): Promise<boolean> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(metricsFile);
  } catch {
    return false;
  }
  if (!stat.isFile()) return false; // a FIFO or a device in a shipped run folder: nothing to probe
  try {
    if (await endsWithDoneAsync(metricsFile, stat.size)) return false;
    // Past the pid trust window the answer is "interrupted" whatever the pid says, so skip the backward scan
    // (the run picker asks this of every unfinished run every few seconds).
    const trainer = nowMs - stat.mtimeMs <= PID_TRUST_WINDOW_MS ? await lastStartedTrainerAsync(metricsFile, stat.size) : null;
    return unfinishedRunStatus(stat.mtimeMs, nowMs, trainer) === 'running';
  } catch {
    return false; // gone, or swapped for something that is not a regular file since the stat
  }
}
