// The shapes of an SPO-vs-DPO experiment: what each arm is, what one training run measured, and
// the results.json document (per arm per seed, the split, the budget, the environment).
import type { DataSplit } from './split';
import type { KeyCoverage } from './coverage';
import type { PairedTTest, SignTest, WilcoxonTest } from './stats';

/** Which knob a sweep varies on the DPO+SPO arm (the DPO baseline is run once per seed). */
export type SweepKey = 'classes' | 'gamma';

export interface ArmSpec {
  /** `dpo`, `dpo+spo`, or `dpo+spo classes=6` in a sweep. */
  name: string;
  gamma: number;
  classes: number;
  /** The swept value this arm stands for; null for the main comparison and the baseline. */
  sweepValue: number | null;
}

/** The training budget, identical for every arm and seed. */
export interface ExperimentBudget {
  steps: number;
  batchSize: number;
  learningRate: number;
  sftSteps: number;
  maxLength: number;
  /** Everything else handed to the trainer (config keys), for reproduction. */
  trainerOverrides: Record<string, unknown>;
}

/** How many of the last logged training steps `tail_train` averages (one batch alone is noisy). */
export const TAIL_STEPS = 10;

/** What one training run (one arm, one seed) measured on the held-out pairs. */
export interface RunMetrics {
  /** Share of held-out pairs whose implicit reward margin is > 0. */
  eval_reward_accuracy: number;
  /** Mean implicit reward margin β·[(logπ−logπref)(chosen) − (logπ−logπref)(rejected)]. */
  eval_mean_margin: number;
  /** Held-out pairs evaluated. */
  eval_pairs: number;
  /** Last logged training values, when the trainer logged them (NaN-free numbers only). */
  final_train: Record<string, number>;
  /** Mean of each training metric over the last few logged steps (armJob TAIL_STEPS). */
  tail_train: Record<string, number>;
  /** Mean `spo/coverage` over the logged steps (share of responses with ≥ K−1 key spans). */
  mean_spo_coverage: number | null;
}

export interface RunRecord {
  arm: string;
  seed: number;
  gamma: number;
  classes: number;
  sweepValue: number | null;
  runDir: string;
  seconds: number;
  metrics: RunMetrics;
  /** Per held-out pair margin (same order as split.heldOut), for per-pair analysis. */
  heldOutMargins: number[];
}

export type MetricName = 'eval_reward_accuracy' | 'eval_mean_margin';
export const COMPARED_METRICS: readonly MetricName[] = ['eval_reward_accuracy', 'eval_mean_margin'];

export interface ArmSummary {
  arm: string;
  sweepValue: number | null;
  n: number;
  mean: Record<MetricName, number>;
  std: Record<MetricName, number>;
}

/** One arm against the DPO baseline, paired by seed (differences = arm − baseline). */
export interface Comparison {
  arm: string;
  baseline: string;
  sweepValue: number | null;
  seeds: number[];
  metric: MetricName;
  baselineValues: number[];
  armValues: number[];
  differences: number[];
  tTest: PairedTTest;
  sign: SignTest;
  wilcoxon: WilcoxonTest;
}

export interface ExperimentEnvironment {
  backend: string;
  backendNote: string;
  node: string;
  tfjs: string;
  spoStudio: string;
  platform: string;
  cpus: number;
  cpuModel: string;
  date: string;
}

export interface ExperimentResults {
  kind: 'spo-vs-dpo';
  /** The command line that produced the results. */
  command: string;
  /**
   * `pairs`: the pairs the experiment used. `promptTooLong`: source lines of pairs left out because their
   * prompt alone fills max_length (torch engine: TRL would drop them).
   */
  data: { file: string; pairs: number; issues: number; format: string; promptTooLong?: number[] };
  split: DataSplit;
  seeds: number[];
  budget: ExperimentBudget;
  sweep: { key: SweepKey; values: number[] } | null;
  arms: ArmSpec[];
  runs: RunRecord[];
  summaries: ArmSummary[];
  comparisons: Comparison[];
  /** Response lengths (characters) of the held-out pairs, in split order: for the length diagnostic. */
  heldOutLengths: { chosen: number[]; rejected: number[] };
  /**
   * Data degree (spo-method.md §6: how one-sided the key content is, from the responses alone) of each
   * held-out pair, in split order; absent in results written before it was recorded.
   */
  heldOutDataDegrees?: number[];
  /** Data-level SPO coverage of the training pairs (share of responses the augmenter can use, per K). */
  keyCoverage: KeyCoverage;
  /** Plot files written next to results.json, and why PNGs are missing when they are. */
  plots: { files: string[]; note: string | null };
  environment: ExperimentEnvironment;
  totalSeconds: number;
}
