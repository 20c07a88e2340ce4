// Decides whether a run without a `done` event is still training, for runs the extension did not start
// (terminal `spo train`, npm start's demo run): the trainer appends to metrics.jsonl as it goes, so a fresh file means alive.
import * as fs from 'fs';
import type { RunStatus } from '../protocol';

/**
 * The rule: a metrics.jsonl that ends without `done` is "running" while it was written within the last
 * LIVE_WRITE_WINDOW_MS, else "interrupted" (crash, kill, closed terminal). The trainer writes a progress
 * event at least every few steps in every phase, so a minute of silence means it is gone.
 * (The `started` event carries no pid, so process liveness cannot be checked without a trainer change.)
 */
export const LIVE_WRITE_WINDOW_MS = 60_000;

export function unfinishedRunStatus(lastWriteMs: number, nowMs: number): Extract<RunStatus, 'running' | 'interrupted'> {
  return nowMs - lastWriteMs <= LIVE_WRITE_WINDOW_MS ? 'running' : 'interrupted';
}

/** How much of the file's end to read to find its last line (a done event is ~100 bytes). */
const LAST_LINE_PROBE_BYTES = 4096;

/** Whether the last complete line of a metrics.jsonl is a `done` event; reads only the file's end. */
export function endsWithDone(file: string, size: number): boolean {
  if (size === 0) return false;
  const length = Math.min(size, LAST_LINE_PROBE_BYTES);
  const buffer = Buffer.alloc(length);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, buffer, 0, length, size - length);
  } finally {
    fs.closeSync(fd);
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

/** Cheap check for the run picker: is this run training right now (fresh metrics.jsonl not ending in `done`)? */
export function isRunTraining(metricsFile: string, nowMs: number): boolean {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(metricsFile);
  } catch {
    return false;
  }
  return unfinishedRunStatus(stat.mtimeMs, nowMs) === 'running' && !endsWithDone(metricsFile, stat.size);
}
