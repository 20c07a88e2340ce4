// The experiment CLI → extension boundary: with --progress-json, `spo experiment spo-vs-dpo` prints one
// stdout line per progress change, `@@spo-progress {json}`, so the extension need not parse human log lines.

export const EXPERIMENT_PROGRESS_PREFIX = '@@spo-progress ';

/** Where the experiment is; one per stage start, align step and stage end. */
export interface ExperimentProgressEvent {
  seed: number;
  /** 1-based position of `seed` among the experiment's seeds. */
  seedIndex: number;
  /** How many seeds the experiment trains. */
  seeds: number;
  /** The arm's name (`dpo`, `dpo+spo`, `dpo+spo γ=0.5`), or `reference` for a seed's shared SFT reference. */
  arm: string;
  /** `reference` for the tiny preset's reference stage, `arm` for a run that counts in runsDone. */
  stage: 'reference' | 'arm';
  phase: 'training' | 'done';
  /** The alignment step while training, once it is known. */
  step?: number;
  steps?: number;
  /** Arm runs finished so far, and in the whole experiment (seeds × arms). */
  runsDone: number;
  runsTotal: number;
}

export function formatProgressLine(e: ExperimentProgressEvent): string {
  return EXPERIMENT_PROGRESS_PREFIX + JSON.stringify(e);
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** The event of a `@@spo-progress` line; null for any other line or a malformed one. */
export function parseProgressLine(line: string): ExperimentProgressEvent | null {
  if (!line.startsWith(EXPERIMENT_PROGRESS_PREFIX)) return null;
  let v: Partial<Record<keyof ExperimentProgressEvent, unknown>>;
  try {
    v = JSON.parse(line.slice(EXPERIMENT_PROGRESS_PREFIX.length)) as typeof v;
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const ok = isCount(v.seed) && isCount(v.seedIndex) && isCount(v.seeds) && typeof v.arm === 'string'
    && (v.stage === 'reference' || v.stage === 'arm') && (v.phase === 'training' || v.phase === 'done')
    && (v.step === undefined || isCount(v.step)) && (v.steps === undefined || isCount(v.steps))
    && isCount(v.runsDone) && isCount(v.runsTotal);
  return ok ? (v as ExperimentProgressEvent) : null;
}
