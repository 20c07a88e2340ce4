// Folds a run's TrainerEvents (live over IPC or replayed from metrics.jsonl) into what the
// curves panel and run manager show: rows, alerts, status, last checkpoint.
import type { CurvesAlert, MetricsRow, RunStatus, TrainerEvent } from '../protocol';
import { detectRowAlerts } from './healthAlerts';

export interface RunHistory {
  name: string;
  status: RunStatus;
  totalSteps: number | null;
  rows: MetricsRow[];
  alerts: CurvesAlert[];
  lastCheckpoint: { step: number; path: string } | null;
  lastStep: number;
  doneMessage: string | null;
  /** The process that wrote the latest `started` event (a resumed run appends a new one), when it said. */
  trainer: { pid?: number; host?: string } | null;
}

export function emptyHistory(name: string): RunHistory {
  return { name, status: 'unknown', totalSteps: null, rows: [], alerts: [], lastCheckpoint: null, lastStep: 0, doneMessage: null, trainer: null };
}

const isEvalRow = (row: MetricsRow): boolean => Object.keys(row).some((k) => k.startsWith('eval/'));

/**
 * Apply one event; returns the rows and alerts it added (for incremental webview updates), and
 * `replaced` when earlier rows were dropped (the receiver must then redraw the whole history).
 */
export function applyEvent(history: RunHistory, event: TrainerEvent): { rows: MetricsRow[]; alerts: CurvesAlert[]; replaced: boolean } {
  const added = { rows: [] as MetricsRow[], alerts: [] as CurvesAlert[], replaced: false };
  switch (event.type) {
    case 'started':
      history.status = 'running';
      history.totalSteps = event.totalSteps;
      history.trainer = { pid: event.pid, host: event.host };
      break;
    case 'metrics': {
      // A resumed run restarts at its last checkpoint: rows its first attempt logged from that step on
      // (after a crash) are superseded, so the curves stay one line with increasing steps.
      const isEval = event.split === 'eval';
      const superseded = (r: MetricsRow) => isEvalRow(r) === isEval && r.step >= event.row.step;
      if (history.rows.some(superseded)) {
        history.rows = history.rows.filter((r) => !superseded(r));
        added.replaced = true;
      }
      history.rows.push(event.row);
      added.rows.push(event.row);
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
      // Stopped at its last step is a finished run (the experiment stops its arms there to skip the degrees pass).
      history.status = event.reason === 'stopped' && history.totalSteps !== null && event.step >= history.totalSteps ? 'completed' : event.reason;
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
