// Reads the experiment CLI's progress into where the experiment is: seed, arm, step, and the share of
// trained runs done; from its `@@spo-progress {json}` lines (--progress-json), or its human log lines.
import { ExperimentProgressEvent, parseProgressLine } from '../protocol';

/** One recognised line of `spo experiment` stderr. */
export type ExperimentLine =
  | { kind: 'start'; seed: number; seedIndex: number; seedCount: number; arm: string }
  | { kind: 'step'; seed: number; seedIndex: number; seedCount: number; arm: string; step: number; totalSteps: number }
  | { kind: 'done'; seed: number; seedIndex: number; seedCount: number; arm: string };

// The arm name may hold spaces ("dpo+spo γ=0.5", "reference (tokenizer + 2 SFT steps)"): it ends at ": " or " step N/M".
const LINE = /^\[seed (\d+) (\d+)\/(\d+)\] (.+?)(?:: (training|done)\b| step (\d+)\/(\d+))/;

export function parseExperimentLine(line: string): ExperimentLine | null {
  const m = LINE.exec(line);
  if (!m) return null;
  const base = { seed: Number(m[1]), seedIndex: Number(m[2]), seedCount: Number(m[3]), arm: m[4] };
  if (m[6] !== undefined) return { kind: 'step', ...base, step: Number(m[6]), totalSteps: Number(m[7]) };
  return { kind: m[5] === 'done' ? 'done' : 'start', ...base };
}

/** The reference stage of the tiny preset (shared by the arms of a seed) is logged as `reference (...)`. */
export function isReferenceStage(arm: string): boolean {
  return arm.startsWith('reference');
}

export interface ExperimentProgress {
  seed: number | null;
  seedIndex: number;
  seedCount: number;
  /** The arm (or reference stage) in progress. */
  arm: string | null;
  step: number;
  totalSteps: number | null;
  /** Trained arm runs finished so far. */
  armsDone: number;
  /** Arm runs in the whole experiment (seeds × arms). */
  armsTotal: number;
}

export function initialProgress(seedCount: number, armsPerSeed: number): ExperimentProgress {
  return { seed: null, seedIndex: 0, seedCount, arm: null, step: 0, totalSteps: null, armsDone: 0, armsTotal: seedCount * armsPerSeed };
}

/** Fold one line in; returns the new progress (the same object when the line says nothing). */
export function applyExperimentLine(p: ExperimentProgress, line: string): ExperimentProgress {
  const parsed = parseExperimentLine(line);
  if (!parsed) return p;
  const next: ExperimentProgress = { ...p, seed: parsed.seed, seedIndex: parsed.seedIndex, seedCount: parsed.seedCount, arm: parsed.arm };
  if (parsed.kind === 'step') {
    next.step = parsed.step;
    next.totalSteps = parsed.totalSteps;
  } else {
    // A start or a finish: no step of a running arm counts any more (a finished one counts in armsDone).
    next.step = 0;
    next.totalSteps = null;
    if (parsed.kind === 'done' && !isReferenceStage(parsed.arm)) next.armsDone = Math.min(p.armsTotal, p.armsDone + 1);
  }
  return next;
}

/** Fold one `--progress-json` event in: the CLI counts the runs itself, so its counts are taken as they are. */
export function applyProgressEvent(p: ExperimentProgress, e: ExperimentProgressEvent): ExperimentProgress {
  const training = e.phase === 'training' && e.steps !== undefined;
  return {
    seed: e.seed,
    seedIndex: e.seedIndex,
    seedCount: e.seeds,
    // The reference stage keeps the `reference` prefix that isReferenceStage (and the fraction) go by.
    arm: e.stage === 'reference' && !isReferenceStage(e.arm) ? `reference ${e.arm}` : e.arm,
    step: training ? e.step ?? 0 : 0,
    totalSteps: training ? e.steps ?? null : null,
    armsDone: Math.min(e.runsDone, e.runsTotal),
    armsTotal: e.runsTotal > 0 ? e.runsTotal : p.armsTotal,
  };
}

/**
 * Fold one output line in when it is a `@@spo-progress` line; any other line (the human log) leaves the
 * progress as it is. Returns the same object when the line says nothing.
 */
export function applyProgressLine(p: ExperimentProgress, line: string): ExperimentProgress {
  const event = parseProgressLine(line);
  return event ? applyProgressEvent(p, event) : p;
}

/** Share of the experiment done, in [0, 1]: finished arms plus the running arm's step share. */
export function experimentFraction(p: ExperimentProgress): number {
  if (p.armsTotal <= 0) return 0;
  const running = p.arm && !isReferenceStage(p.arm) && p.totalSteps ? Math.min(1, p.step / p.totalSteps) : 0;
  return Math.min(1, (p.armsDone + (p.armsDone < p.armsTotal ? running : 0)) / p.armsTotal);
}

/** One line for the progress notification: `seed 1 (1/3) · dpo+spo · step 40/200 · 2/6 runs done`. */
export function describeProgress(p: ExperimentProgress): string {
  if (p.arm === null) return 'splitting the data…';
  const step = p.totalSteps ? ` · step ${p.step}/${p.totalSteps}` : '';
  return `seed ${p.seed} (${p.seedIndex}/${p.seedCount}) · ${p.arm}${step} · ${p.armsDone}/${p.armsTotal} runs done`;
}
