// Reads the experiment CLI's progress into where the experiment is: seed, arm, step, and the share of
// trained runs done, from its `@@spo-progress {json}` lines (--progress-json); human log lines say nothing.
import { ExperimentProgressEvent, parseProgressLine } from '../protocol';

export interface ExperimentProgress {
  seed: number | null;
  seedIndex: number;
  seedCount: number;
  /** The arm (or `reference`) in progress. */
  arm: string | null;
  /** `reference`: a seed's shared SFT reference, which counts as no arm run; null before the first event. */
  stage: ExperimentProgressEvent['stage'] | null;
  step: number;
  totalSteps: number | null;
  /** Trained arm runs finished so far. */
  armsDone: number;
  /** Arm runs in the whole experiment (seeds × arms). */
  armsTotal: number;
}

export function initialProgress(seedCount: number, armsPerSeed: number): ExperimentProgress {
  return { seed: null, seedIndex: 0, seedCount, arm: null, stage: null, step: 0, totalSteps: null, armsDone: 0, armsTotal: seedCount * armsPerSeed };
}

/** Fold one `--progress-json` event in: the CLI counts the runs itself, so its counts are taken as they are. */
export function applyProgressEvent(p: ExperimentProgress, e: ExperimentProgressEvent): ExperimentProgress {
  const training = e.phase === 'training' && e.steps !== undefined;
  return {
    seed: e.seed,
    seedIndex: e.seedIndex,
    seedCount: e.seeds,
    arm: e.arm,
    stage: e.stage,
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
  const running = p.arm && p.stage === 'arm' && p.totalSteps ? Math.min(1, p.step / p.totalSteps) : 0;
  return Math.min(1, (p.armsDone + (p.armsDone < p.armsTotal ? running : 0)) / p.armsTotal);
}

/** One line for the progress notification: `seed 1 (1/3) · dpo+spo · step 40/200 · 2/6 runs done`. */
export function describeProgress(p: ExperimentProgress): string {
  if (p.arm === null) return 'splitting the data…';
  const step = p.totalSteps ? ` · step ${p.step}/${p.totalSteps}` : '';
  const arm = p.stage === 'reference' && p.arm !== 'reference' ? `reference ${p.arm}` : p.arm;
  return `seed ${p.seed} (${p.seedIndex}/${p.seedCount}) · ${arm}${step} · ${p.armsDone}/${p.armsTotal} runs done`;
}
