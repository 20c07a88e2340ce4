// Follows the metrics.jsonl of runs being drawn, whoever started their trainer: new lines are read as they
// are appended (fs.watch for promptness, a 1 s size poll as the ground truth) and folded into each run's history.
import * as fs from 'fs';
import type { CurvesAlert, MetricsRow, MetricsSplit } from '../protocol';
import { MetricsTail } from './metricsTail';
import { applyEvent, emptyHistory, isFinished, RunHistory, settleUnfinished } from './runHistory';
import { unfinishedRunStatus } from './runLiveness';

/** What one poll of a run added; `replaced` means earlier rows changed (redraw the run from `history`). */
export interface RunUpdate {
  run: string;
  history: RunHistory;
  rows: MetricsRow[];
  /** The split of each of `rows` (parallel). */
  splits: MetricsSplit[];
  alerts: CurvesAlert[];
  replaced: boolean;
  badLines: number[];
}

interface Followed {
  history: RunHistory;
  tail: MetricsTail;
  watcher: fs.FSWatcher | null;
}

export interface RunFollowerOptions {
  pollMs?: number;
  /** The clock the liveness rule compares file times with (tests pass their own). */
  now?: () => number;
  /** Use fs.watch besides polling (tests may turn it off to drive poll() themselves). */
  watch?: boolean;
}

export class RunFollower {
  private readonly runs = new Map<string, Followed>();
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;

  constructor(private readonly onUpdate: (update: RunUpdate) => void, private readonly options: RunFollowerOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  /** Start following `name` (read its file so far) and return its history; a run already followed is returned as is. */
  follow(name: string, metricsFile: string): { history: RunHistory; badLines: number[] } {
    const existing = this.runs.get(name);
    if (existing && existing.tail.file === metricsFile) return { history: existing.history, badLines: [] };
    if (existing) this.unfollow(name);
    const followed: Followed = { history: emptyHistory(name), tail: new MetricsTail(metricsFile), watcher: null };
    this.runs.set(name, followed);
    const update = this.readNew(name, followed);
    if (this.options.watch !== false) followed.watcher = this.watchFile(name, metricsFile);
    if (this.timer === null && this.options.pollMs !== 0) {
      this.timer = setInterval(() => this.pollAll(), this.options.pollMs ?? 1000);
      this.timer.unref?.();
    }
    return { history: followed.history, badLines: update.badLines };
  }

  unfollow(name: string): void {
    const followed = this.runs.get(name);
    if (!followed) return;
    followed.watcher?.close();
    this.runs.delete(name);
    if (this.runs.size === 0) this.stopTimer();
  }

  /** Keep only these runs. */
  retain(names: readonly string[]): void {
    for (const name of [...this.runs.keys()]) if (!names.includes(name)) this.unfollow(name);
  }

  history(name: string): RunHistory | null {
    return this.runs.get(name)?.history ?? null;
  }

  /** Read what was appended to one run (or all) and report changes through onUpdate. */
  poll(name?: string): void {
    for (const [run, followed] of this.runs) {
      if (name !== undefined && run !== name) continue;
      const update = this.readNew(run, followed);
      if (update.rows.length || update.alerts.length || update.replaced || update.statusChanged) {
        this.onUpdate({ run, history: followed.history, rows: update.rows, splits: update.splits, alerts: update.alerts, replaced: update.replaced, badLines: update.badLines });
      }
    }
  }

  dispose(): void {
    for (const name of [...this.runs.keys()]) this.unfollow(name);
    this.stopTimer();
  }

  private pollAll(): void {
    try {
      this.poll();
    } catch {
      // a file that vanished mid-read (run folder deleted) is read again, or dropped by the panel, on the next tick
    }
  }

  private stopTimer(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private readNew(run: string, followed: Followed) {
    const read = followed.tail.readAll();
    const out = { rows: [] as MetricsRow[], splits: [] as MetricsSplit[], alerts: [] as CurvesAlert[], replaced: false, statusChanged: false, badLines: read.badLines };
    if (read.reset) {
      followed.history = emptyHistory(run);
      out.replaced = true;
    }
    const before = followed.history.status;
    for (const event of read.events) {
      const added = applyEvent(followed.history, event);
      out.rows.push(...added.rows);
      out.splits.push(...added.splits);
      out.alerts.push(...added.alerts);
      out.replaced ||= added.replaced;
    }
    if (!isFinished(followed.history)) {
      const mtime = fileMtime(followed.tail.file);
      settleUnfinished(followed.history, mtime !== null && unfinishedRunStatus(mtime, this.now(), followed.history.trainer) === 'running');
    }
    out.statusChanged = followed.history.status !== before;
    return out;
  }

  private watchFile(name: string, file: string): fs.FSWatcher | null {
    try {
      const watcher = fs.watch(file, { persistent: false }, () => this.pollSafely(name));
      watcher.on('error', () => watcher.close()); // polling carries on
      return watcher;
    } catch {
      return null; // not created yet, or no watch support: the poll covers it
    }
  }

  private pollSafely(name: string): void {
    try {
      this.poll(name);
    } catch {
      // see pollAll
    }
  }
}

function fileMtime(file: string): number | null {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return null;
  }
}
