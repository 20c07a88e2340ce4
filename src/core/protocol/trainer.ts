// Messages between the extension's run manager and the trainer process (child_process.fork IPC).
// The trainer also appends every TrainerEvent to <run>/metrics.jsonl, so a panel can be rebuilt from disk:
// one event per line, exactly the object sent over IPC (metrics rows are `{"type":"metrics","row":{...}}`;
// train rows carry `loss`, eval rows carry `eval/loss`; both carry `step`).

/** One logged step: `step` plus the metric names of spo-method.md §5 (TRL names; eval rows under `eval/`). */
export interface MetricsRow {
  step: number;
  [metric: string]: number;
}

export type TrainerPhase = 'tokenizer' | 'sft' | 'reference' | 'align' | 'eval' | 'degrees';

/**
 * Health alert codes. `nan`: a non-finite loss or gradient norm stopped the run; `divergence`: the loss is far
 * above its running median; `grad-norm-explosion`: the gradient norm is far above its running median
 * (rules: src/core/train/divergence.ts, vectors: test/vectors/health.json).
 */
export type AlertCode = 'nan' | 'divergence' | 'grad-norm-explosion' | 'plateau' | 'chosen-reward-falling';

/** Extension → trainer. */
export type TrainerCommand =
  /** Ask for a graceful stop: save a checkpoint, then exit 0. */
  | { type: 'stop' };

/** Trainer → extension (and, one JSON object a line, metrics.jsonl). */
export type TrainerEvent =
  /**
   * Sent once the backend is up and the run folder exists. `pid` and `host` name the trainer process so a
   * reader can tell a live run from a dead one (runLiveness.ts); files written before they existed lack them.
   */
  | { type: 'started'; runDir: string; runName: string; backend: string; backendNote: string; totalSteps: number; config: Record<string, unknown>; time: number; pid?: number; host?: string }
  /** A train or eval metrics row. */
  | { type: 'metrics'; row: MetricsRow; time: number }
  /** Progress for bars and notifications; `etaSeconds` is null until it can be estimated. */
  | { type: 'progress'; phase: TrainerPhase; step: number; totalSteps: number; etaSeconds: number | null; time: number }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string; time: number }
  /** A training health alert (NaN, divergence, the 0.693 plateau, a falling chosen reward). */
  | { type: 'alert'; code: AlertCode; step: number; message: string; time: number }
  | { type: 'checkpoint'; step: number; path: string; time: number }
  /** Last event. `reason` says why the run ended. */
  | { type: 'done'; reason: 'completed' | 'stopped' | 'failed'; step: number; message?: string; time: number };

export function isTrainerEvent(value: unknown): value is TrainerEvent {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}
