// Follows the metrics.jsonl of runs being drawn, whoever started their trainer: new lines are read as they
// are appended (fs.watch for promptness, a 1 s size poll as the ground truth) and folded into each run's history.
import * as fs from 'fs';
import type { CurvesAlert, MetricsRow, MetricsSplit } from '../protocol';
import { MetricsTail, TailRead } from './metricsTail';
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
  /** The read in progress: reads of one file never overlap (the tail keeps one offset). */
  reading: Promise<void> | null;
  /** A poll came while reading: read once more when the current read ends, so no append is missed. */
  pollAgain: boolean;
}

export interface RunFollowerOptions {
  pollMs?: number;
  /** The clock the liveness rule compares file times with (tests pass their own). */
  now?: () => number;
  /** Use fs.watch besides polling (tests may turn it off to drive poll() themselves). */
  watch?: boolean;
}

/** What follow() read of a run so far; `problem` says why its file could not be read (over the size cap). */
export interface FollowedRun {
  history: RunHistory;
  badLines: number[];
  problem: string | null;
}

/** Reads asynchronously: the extension host follows runs that a repository may have shipped. */
export class RunFollower {
  private readonly runs = new Map<string, Followed>();
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;
  /** After dispose() nothing is followed again (a panel's update may still be reading when it closes). */
  private disposed = false;

  constructor(private readonly onUpdate: (update: RunUpdate) => void, private readonly options: RunFollowerOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  /** Start following `name` (read its file so far) and return its history; a run already followed is returned as is. */
  async follow(name: string, metricsFile: string): Promise<FollowedRun> {
    if (this.disposed) return { history: emptyHistory(name), badLines: [], problem: null };
    const existing = this.runs.get(name);
    if (existing && existing.tail.file === metricsFile) {
      await existing.reading?.catch(() => undefined); // its first read, when still going
      return { history: existing.history, badLines: [], problem: null };
    }
    if (existing) this.unfollow(name);
    const followed: Followed = { history: emptyHistory(name), tail: new MetricsTail(metricsFile), watcher: null, reading: null, pollAgain: false };
    this.runs.set(name, followed);
    if (this.options.watch !== false) followed.watcher = this.watchFile(name, metricsFile);
    if (this.timer === null && this.options.pollMs !== 0) {
      this.timer = setInterval(() => this.pollAll(), this.options.pollMs ?? 1000);
      this.timer.unref?.();
    }
    let badLines: number[] = [];
    let problem: string | null = null;
    const first = this.readTail(followed).then((read) => { badLines = this.applyRead(name, followed, read).badLines; });
    followed.reading = first.finally(() => this.readEnded(name, followed));
    try {
      await followed.reading;
    } catch (err) {
      problem = (err as Error).message;
    }
    return { history: followed.history, badLines, problem };
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

  /** Read what was appended to one run (or all) and report changes through onUpdate; resolves once read. */
  async poll(name?: string): Promise<void> {
    const reads: Promise<void>[] = [];
    for (const [run, followed] of this.runs) {
      if (name === undefined || run === name) reads.push(this.pollRun(run, followed));
    }
    await Promise.all(reads);
  }

  dispose(): void {
    this.disposed = true;
    for (const name of [...this.runs.keys()]) this.unfollow(name);
    this.stopTimer();
  }

  /** One read of one run, or (while one is going) a note to read again after it. */
  private pollRun(run: string, followed: Followed): Promise<void> {
    if (followed.reading) {
      followed.pollAgain = true;
      return followed.reading.catch(() => undefined);
    }
    const read = this.readTail(followed).then((tailRead) => {
      if (this.runs.get(run) !== followed) return; // unfollowed while reading
      const update = this.applyRead(run, followed, tailRead);
      if (update.rows.length || update.alerts.length || update.replaced || update.statusChanged) {
        this.onUpdate({ run, history: followed.history, rows: update.rows, splits: update.splits, alerts: update.alerts, replaced: update.replaced, badLines: update.badLines });
      }
    });
    followed.reading = read.finally(() => this.readEnded(run, followed));
    return followed.reading;
  }

  private readEnded(run: string, followed: Followed): void {
    followed.reading = null;
    if (!followed.pollAgain || this.runs.get(run) !== followed) return;
    followed.pollAgain = false;
    this.pollRun(run, followed).catch(() => undefined); // see pollAll
  }

  private pollAll(): void {
    // A file that vanished mid-read (run folder deleted) or grew past the cap is read again, or dropped by the panel, on the next tick.
    this.poll().catch(() => undefined);
  }

  private stopTimer(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** One read of a run's file: the lines appended since the last one, and the file's time; nothing applied yet. */
  private async readTail(followed: Followed): Promise<{ read: TailRead; mtime: number | null }> {
    const read = await followed.tail.readAll();
    // A finished run with nothing new keeps its status: no need to look at the file's time.
    const settled = isFinished(followed.history) && read.events.length === 0 && !read.reset;
    return { read, mtime: settled ? null : await fileMtime(followed.tail.file) };
  }

  /**
   * Fold one read into the run's history. Synchronous, and reported in the same step (pollRun): a history the
   * panel posts either lacks these rows or was taken after their append went out, never both (no rows twice).
   */
  private applyRead(run: string, followed: Followed, { read, mtime }: { read: TailRead; mtime: number | null }) {
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
    this.poll(name).catch(() => undefined); // see pollAll
  }
}

async function fileMtime(file: string): Promise<number | null> {
  try {
    return (await fs.promises.stat(file)).mtimeMs;
  } catch {
    return null;
  }
}
