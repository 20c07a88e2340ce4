// Messages between the Training Curves panel host (extension) and its webview (webview/curves).
// Host→webview notifications and webview→host commands are distinct unions; `CurvesViewState` is what the webview persists.
import type { AlertCode, MetricsRow, MetricsSplit } from './trainer';

/** A training-health alert shown above the charts (from trainer `alert` events or computed from the rows). */
export interface CurvesAlert {
  run: string;
  code: AlertCode;
  step: number;
  message: string;
}

/**
 * `failed`/`stopped`/`completed` come from the run's `done` event; `running` and `interrupted` are runs without
 * `done` whose trainer is alive or gone (src/core/runs/runLiveness.ts); `unknown` has no `started` event yet.
 */
export type RunStatus = 'running' | 'completed' | 'stopped' | 'failed' | 'interrupted' | 'unknown';

/** One run as the panel draws it. */
export interface CurvesRun {
  name: string;
  status: RunStatus;
  totalSteps: number | null;
  /** Train and eval rows in the order logged. */
  rows: MetricsRow[];
  /** `splits[i]` is the split `rows[i]` was measured on (its metrics event's `split`). */
  splits: MetricsSplit[];
  alerts: CurvesAlert[];
}

/** Persisted by the webview (vscode.setState) and handed back to the serializer after a window reload. */
export interface CurvesViewState {
  /** Names of the runs drawn, in the order picked. */
  selected: string[];
  /** EMA weight in [0, 0.99], as TensorBoard's smoothing slider. */
  smoothing: number;
  logScale: boolean;
}

/** Host → webview. */
export type CurvesNotification =
  /**
   * The runs available in `.spo/runs` (newest first) and the runs to draw, each with every row so far. `live` is the
   * run manager's own run (it can be stopped from the panel); `running` every available run still training, wherever started.
   */
  | { type: 'runs'; available: string[]; runs: CurvesRun[]; live: string | null; view: CurvesViewState; running?: string[] }
  /** New rows (with their splits, parallel) and alerts of a drawn run (live training). */
  | { type: 'append'; run: string; rows: MetricsRow[]; splits: MetricsSplit[]; alerts: CurvesAlert[]; status: RunStatus; totalSteps: number | null }
  /** Ask the webview to render its charts to one PNG and send it back (`pngData`). */
  | { type: 'requestPng' };

/** Webview → host. */
export type CurvesCommand =
  /** Sent once the script runs; the host answers with `runs`. */
  | { type: 'ready'; view: CurvesViewState | null }
  | { type: 'selectRuns'; runs: string[] }
  | { type: 'exportCsv' }
  /** The rendered charts as a `data:image/png;base64,` URL, to be saved by the host through a save dialog. */
  | { type: 'pngData'; dataUrl: string }
  /** What the webview currently shows (for persistence and the e2e test hook). */
  | { type: 'rendered'; report: CurvesRenderReport }
  | { type: 'stopRun' };

/** What the webview last drew: runs, points per series (`run/metric`), alerts shown. */
export interface CurvesRenderReport {
  view: CurvesViewState;
  runs: string[];
  points: Record<string, number>;
  charts: number;
  alerts: CurvesAlert[];
  /** Status of each drawn run, as its chip shows it. */
  statuses: Record<string, RunStatus>;
  /** The run picker's options (names), in order. */
  available: string[];
}
