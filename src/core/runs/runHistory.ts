// Folds a run's TrainerEvents (live over IPC or replayed from metrics.jsonl) into what the
// curves panel and run manager show: rows, alerts, status, last checkpoint.
import type { CurvesAlert, CurvesRun, MetricsRow, MetricsSplit, TrainerEvent } from '../protocol';
import { detectRowAlerts } from './healthAlerts';

/** A run as the panel draws it (older files' splits: see upgradeTrainerEvent), plus what the run manager needs. */
export interface RunHistory extends CurvesRun {
  lastCheckpoint: { step: number; path: string } | null;
  lastStep: number;
  doneMessage: string | null;
  /** The process that wrote the latest `started` event (a resumed run appends a new one), when it said. */
  trainer: { pid?: number; host?: string } | null;
}

export function emptyHistory(name: string): RunHistory {
  return { name, status: 'unknown', totalSteps: null, rows: [], splits: [], alerts: [], lastCheckpoint: null, lastStep: 0, doneMessage: null, trainer: null };
}

/** What applying one event added: rows with their splits (parallel, as in RunHistory) and alerts. */
export interface AddedByEvent {
  rows: MetricsRow[];
  splits: MetricsSplit[];
  alerts: CurvesAlert[];
  /** Earlier rows were dropped: the receiver must redraw the whole history. */
  replaced: boolean;
}

/** Apply one event; returns what it added (for incremental webview updates). */
export function applyEvent(history: RunHistory, event: TrainerEvent): AddedByEvent {
  const added: AddedByEvent = { rows: [], splits: [], alerts: [], replaced: false };
  switch (event.type) {
    case 'started':
      history.status = 'running';
      history.totalSteps = event.totalSteps;
      history.trainer = { pid: event.pid, host: event.host };
      break;
    case 'metrics': {
      // A resumed run restarts at its last checkpoint: rows its first attempt logged from that step on
      // (after a crash) are superseded, so the curves stay one line with increasing steps.
      const superseded = (i: number) => history.splits[i] === event.split && history.rows[i].step >= event.row.step;
      const kept = history.rows.map((_, i) => i).filter((i) => !superseded(i));
      if (kept.length < history.rows.length) {
        history.rows = kept.map((i) => history.rows[i]);
        history.splits = kept.map((i) => history.splits[i]);
        added.replaced = true;
      }
      history.rows.push(event.row);
      history.splits.push(event.split);
      added.rows.push(event.row);
      added.splits.push(event.split);
      history.lastStep = Math.max(history.lastStep, event.row.step);
      for (const alert of detectRowAlerts(history.name, history.rows, history.alerts)) {
        history.alerts.push(alert);
        added.alerts.push(alert);
      }
      break;
    }
    case 'progress':
      if (event.phase === 'align') history.totalSteps = event.totalSteps;
      break;
    case 'alert': {
      if (!history.alerts.some((a) => a.code === event.code)) {
        const alert: CurvesAlert = { run: history.name, code: event.code, step: event.step, message: event.message };
        history.alerts.push(alert);
        added.alerts.push(alert);
      }
      break;
    }
    case 'checkpoint':
      history.lastCheckpoint = { step: event.step, path: event.path };
      break;
    case 'done':
      // The trainer's reason, as it is: a run stopped after its last step (during the degrees pass) trained every
      // step but has no degrees.jsonl, and says so in its message; it stays 'stopped', never shown as completed.
      history.status = event.reason;
      history.lastStep = Math.max(history.lastStep, event.step);
      history.doneMessage = event.message ?? null;
      break;
    case 'log':
      break;
  }
  return added;
}

/**
 * Replay a run's events. A run whose file ends without `done` is 'running' if `live` (its trainer is known
 * to be alive: see runLiveness.ts), else 'interrupted' (crash, kill); 'failed' is only for done(failed).
 */
export function historyFromEvents(name: string, events: TrainerEvent[], live = false): RunHistory {
  const history = emptyHistory(name);
  for (const event of events) applyEvent(history, event);
  settleUnfinished(history, live);
  return history;
}

/** Whether the run has ended with a `done` event (its status can no longer change without a new `started`). */
export function isFinished(history: RunHistory): boolean {
  return history.status === 'completed' || history.status === 'stopped' || history.status === 'failed';
}

/** Set the status of a run without `done` from whether its trainer is alive; finished runs keep theirs. Returns whether it changed. */
export function settleUnfinished(history: RunHistory, live: boolean): boolean {
  if (isFinished(history) || history.status === 'unknown') return false;
  const status = live ? 'running' : 'interrupted';
  const changed = history.status !== status;
  history.status = status;
  return changed;
}
