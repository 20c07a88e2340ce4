// What "Run SPO vs DPO Experiment" asks the experiment CLI for, and its command line
// (`spo experiment spo-vs-dpo`, src/cli/commands/experiment.ts flags).
import * as path from 'path';
import { runTimestamp } from '../train/runFolder';

export type ExperimentSweepKey = 'classes' | 'gamma';

/** The sweeps offered in the picker: the paper's K and γ grids. */
export const EXPERIMENT_SWEEPS: Record<ExperimentSweepKey, number[]> = {
  classes: [2, 3, 4, 6],
  gamma: [0.01, 0.1, 0.5, 1],
};

export interface ExperimentRequest {
  /** Preference file (absolute path). */
  data: string;
  /** Output folder (`<workspace>/.spo/experiments/<name>`); run folders go to `<outDir>/runs`. */
  outDir: string;
  seeds: number;
  /** Alignment steps per run (the training spec's `max_steps`); null = the trainer's default. */
  max_steps: number | null;
  sweep: { key: ExperimentSweepKey; values: number[] } | null;
  /** HF model folder, or null for the tiny preset. */
  model?: string | null;
  /** Use only the first N pairs (the spec's `max_pairs`; 0 or absent = all). */
  max_pairs?: number;
  /** Trainer config keys passed as `--set KEY=VALUE` (e.g. `tiny_d_model`). */
  overrides?: Record<string, unknown>;
}

/** The CLI's argv after `experiment` (the bundled CLI's `main` takes `['experiment', ...this]`). */
export function experimentArgs(req: ExperimentRequest): string[] {
  const args = ['spo-vs-dpo', '--data', req.data, '--out', req.outDir, '--seeds', String(req.seeds)];
  if (req.max_steps !== null) args.push('--max-steps', String(req.max_steps));
  if (req.sweep) args.push('--sweep', `${req.sweep.key}=${req.sweep.values.join(',')}`);
  if (req.model) args.push('--model', req.model);
  if (req.max_pairs && req.max_pairs > 0) args.push('--max-pairs', String(req.max_pairs));
  for (const [key, value] of Object.entries(req.overrides ?? {})) {
    if (value !== null && value !== undefined) args.push('--set', `${key}=${String(value)}`);
  }
  return args;
}

/** Trained runs per seed (the tiny preset's shared reference is not counted): DPO + one per SPO setting. */
export function experimentArmCount(req: Pick<ExperimentRequest, 'sweep'>): number {
  return 1 + (req.sweep ? req.sweep.values.length : 1);
}

/** The folder of an experiment: `spo-vs-dpo[-<sweep key>]-<UTC stamp>`, so names sort by time. */
export function newExperimentName(now: Date, sweep: ExperimentSweepKey | null): string {
  const stamp = runTimestamp(now);
  return sweep ? `spo-vs-dpo-${sweep}-${stamp}` : `spo-vs-dpo-${stamp}`;
}

/** null when `name` is usable as one folder under the experiments directory; else why not. */
export function checkExperimentName(name: string): string | null {
  if (!name.trim()) return 'the experiment name is empty';
  if (name !== path.basename(name) || name === '.' || name === '..' || /[\\/]/.test(name)) return `experiment name "${name}" must be one folder name (no / or ..)`;
  return null;
}
