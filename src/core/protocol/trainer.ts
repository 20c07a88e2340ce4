// Messages between a trainer process (either engine) and its readers: the run manager over IPC or
// stdout, and anyone reading <run>/metrics.jsonl, which holds every TrainerEvent, one JSON object a line
// (docs/engine-contract.md). The field table EVENT_FIELDS is the one description of each event's shape:
// isTrainerEvent validates against it and `spo schema events` prints it as a JSON Schema.

/** One logged step: `step` plus the metric names of spo-method.md §5 (TRL names; eval rows under `eval/`). */
export interface MetricsRow {
  step: number;
  [metric: string]: number;
}

export type TrainerPhase = 'tokenizer' | 'sft' | 'reference' | 'align' | 'eval' | 'degrees';
export const TRAINER_PHASES: readonly TrainerPhase[] = ['tokenizer', 'sft', 'reference', 'align', 'eval', 'degrees'];

/** Which data a metrics row was measured on: a training batch or the held-out split. */
export type MetricsSplit = 'train' | 'eval';
export const METRICS_SPLITS: readonly MetricsSplit[] = ['train', 'eval'];

/**
 * Every training-health alert code, written once. `nan`: a non-finite loss or gradient norm stopped the run;
 * `divergence`: the loss is far above its running median; `grad-norm-explosion`: the gradient norm is far above
 * its running median (rules: src/core/train/divergence.ts, vectors: test/vectors/health.json); `plateau` and
 * `chosen-reward-falling`: health.ts.
 */
export const ALERT_CODES = ['nan', 'plateau', 'chosen-reward-falling', 'divergence', 'grad-norm-explosion'] as const;
export type AlertCode = (typeof ALERT_CODES)[number];

export type TrainerEngine = 'tfjs' | 'torch';
export const TRAINER_ENGINES: readonly TrainerEngine[] = ['tfjs', 'torch'];

export type LogLevel = 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['info', 'warn', 'error'];

export type DoneReason = 'completed' | 'stopped' | 'failed';
export const DONE_REASONS: readonly DoneReason[] = ['completed', 'stopped', 'failed'];

/** Extension → trainer. */
export type TrainerCommand =
  /** Ask for a graceful stop: save a checkpoint, then exit 0. */
  | { type: 'stop' };

/** Trainer → extension (and, one JSON object a line, metrics.jsonl). */
export type TrainerEvent =
  /**
   * Sent once the backend is up and the run folder exists. `pid` and `host` name the trainer process so a
   * reader can tell a live run from a dead one (runLiveness.ts); files written before they existed lack them.
   * `engine` and `device` say which engine trains and on what (e.g. `cuda:0`, `cpu`); older files lack them.
   */
  | { type: 'started'; runDir: string; runName: string; backend: string; backendNote: string; totalSteps: number; config: Record<string, unknown>; time: number; pid?: number; host?: string; engine?: TrainerEngine; device?: string }
  /** A train or eval metrics row; eval rows also keep their `eval/`-prefixed metric names. */
  | { type: 'metrics'; split: MetricsSplit; row: MetricsRow; time: number }
  /** Progress for bars and notifications; `etaSeconds` is null until it can be estimated. */
  | { type: 'progress'; phase: TrainerPhase; step: number; totalSteps: number; etaSeconds: number | null; time: number }
  | { type: 'log'; level: LogLevel; message: string; time: number }
  /** A training health alert (NaN, the 0.693 plateau, a falling chosen reward, divergence). */
  | { type: 'alert'; code: AlertCode; step: number; message: string; time: number }
  | { type: 'checkpoint'; step: number; path: string; time: number }
  /** Last event. `reason` says why the run ended. */
  | { type: 'done'; reason: DoneReason; step: number; message?: string; time: number };

export type TrainerEventType = TrainerEvent['type'];

/** The kind of one field: a JSON type, a metrics row, or one of some strings. */
export type FieldKind = 'string' | 'number' | 'integer' | 'object' | 'row' | 'number|null' | { oneOf: readonly string[] };

export interface FieldSpec {
  kind: FieldKind;
  optional?: boolean;
  description?: string;
}

const f = (kind: FieldKind, description?: string, optional = false): FieldSpec => ({ kind, description, optional });
const opt = (kind: FieldKind, description?: string): FieldSpec => f(kind, description, true);

/**
 * The shape of each event type, field by field (besides `type`). Kept beside the union above: a test
 * checks that an event of every type validates, and that the committed schemas/events.schema.json is
 * what `spo schema events` prints from this table.
 */
export const EVENT_FIELDS: { [T in TrainerEventType]: Record<Exclude<keyof Extract<TrainerEvent, { type: T }>, 'type'>, FieldSpec> } = {
  started: {
    runDir: f('string', 'the run folder'), runName: f('string', "the run folder's name"),
    backend: f('string', 'the backend that trains (TF.js backend or torch device type)'), backendNote: f('string', 'why that backend, or ""'),
    totalSteps: f('integer', 'max_steps'), config: f('object', 'the resolved training config (schema: spo schema config)'),
    time: f('number', 'milliseconds since the epoch'),
    pid: opt('integer', 'the trainer process'), host: opt('string', "the trainer's host name"),
    engine: opt({ oneOf: TRAINER_ENGINES }, 'which engine trains'), device: opt('string', 'what it trains on, e.g. cuda:0 or cpu'),
  },
  metrics: {
    split: f({ oneOf: METRICS_SPLITS }, 'train: a training batch; eval: the held-out split (metric names prefixed eval/)'),
    row: f('row', 'step plus the metric values'), time: f('number'),
  },
  progress: {
    phase: f({ oneOf: TRAINER_PHASES }), step: f('integer'), totalSteps: f('integer'),
    etaSeconds: f('number|null', 'null until it can be estimated'), time: f('number'),
  },
  log: { level: f({ oneOf: LOG_LEVELS }), message: f('string'), time: f('number') },
  alert: { code: f({ oneOf: ALERT_CODES }), step: f('integer'), message: f('string'), time: f('number') },
  checkpoint: { step: f('integer'), path: f('string', 'the checkpoint folder'), time: f('number') },
  done: { reason: f({ oneOf: DONE_REASONS }), step: f('integer', 'the last step trained'), message: opt('string'), time: f('number') },
};

export const TRAINER_EVENT_TYPES = Object.keys(EVENT_FIELDS) as TrainerEventType[];

// JSON carries NaN and ±Infinity as null (JSON.stringify), so a row's metric may be null on disk.
function isRow(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const row = v as Record<string, unknown>;
  if (typeof row.step !== 'number' || !Number.isInteger(row.step)) return false;
  return Object.values(row).every((x) => typeof x === 'number' || x === null);
}

function fieldOk(kind: FieldKind, v: unknown): boolean {
  if (typeof kind === 'object') return typeof v === 'string' && kind.oneOf.includes(v);
  switch (kind) {
    case 'string': return typeof v === 'string';
    case 'number': return typeof v === 'number';
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'number|null': return v === null || typeof v === 'number';
    case 'object': return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'row': return isRow(v);
  }
}

/** Why `value` is not a TrainerEvent (naming the field), or null when it is one. */
export function trainerEventProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const e = value as Record<string, unknown>;
  if (typeof e.type !== 'string' || !(e.type in EVENT_FIELDS)) return `unknown event type ${JSON.stringify(e.type)}`;
  const fields = EVENT_FIELDS[e.type as TrainerEventType] as Record<string, FieldSpec>;
  for (const [name, spec] of Object.entries(fields)) {
    if (e[name] === undefined) {
      if (spec.optional) continue;
      return `${e.type} event without "${name}"`;
    }
    if (!fieldOk(spec.kind, e[name])) return `${e.type} event: "${name}" is not ${describeKind(spec.kind)}`;
  }
  return null;
}

function describeKind(kind: FieldKind): string {
  if (typeof kind === 'object') return `one of ${kind.oneOf.join(', ')}`;
  return { string: 'a string', number: 'a number', integer: 'an integer', object: 'an object', row: 'a metrics row ({step, metric: number})', 'number|null': 'a number or null' }[kind];
}

/** True when `value` has the shape of its event type (every required field, each of the right kind). */
export function isTrainerEvent(value: unknown): value is TrainerEvent {
  return trainerEventProblem(value) === null;
}

/**
 * A metrics.jsonl line's object as today's TrainerEvent: metrics rows written before `split` existed
 * get it from their metric names (the one place that still looks at the `eval/` prefix). Returns the
 * problem when the value is no event.
 */
export function upgradeTrainerEvent(value: unknown): { event: TrainerEvent } | { problem: string } {
  let v = value;
  if (typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'metrics' && (v as { split?: unknown }).split === undefined) {
    const row = (v as { row?: unknown }).row;
    if (isRow(row)) v = { ...(v as object), split: Object.keys(row as object).some((k) => k.startsWith('eval/')) ? 'eval' : 'train' };
  }
  const problem = trainerEventProblem(v);
  return problem ? { problem } : { event: v as TrainerEvent };
}
