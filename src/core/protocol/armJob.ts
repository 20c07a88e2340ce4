// The experiment runner → arm child process boundary (child_process.fork IPC, experiment/armProcess.ts):
// the job a child runs, and the messages it sends back.
import type { TrainerEvent } from './trainer';
import type { HeldOutEval } from '../experiment/heldOutEval';

/** Parent → child: one job (the fork's only input besides the environment marker). */
export interface ArmJob {
  kind: 'reference' | 'arm';
  /** Trainer config keys (data, seed, spo.*, budget ...); validated by the trainer's resolveConfig. */
  config: Record<string, unknown>;
  runDir: string;
  /** Arm only: held-out pairs (a file written by the experiment, read back like the train file). */
  heldOutFile?: string;
  /** Arm only: the reference the arm starts from and is compared against (its `model`). */
  referenceDir?: string;
  wasmDir?: string;
}

export interface ArmOutcome {
  backend: string;
  backendNote: string;
  seconds: number;
  steps: number;
  /** Reference stage: the model folder the arms start from. */
  referenceDir: string | null;
  /** Last logged value of each training metric. */
  finalTrain: Record<string, number>;
  /** Mean of each training metric over the last TAIL_STEPS logged steps (one batch is noisy). */
  tailTrain: Record<string, number>;
  /** Mean of `spo/coverage` over logged steps (null when SPO was off). */
  meanSpoCoverage: number | null;
  heldOut: HeldOutEval | null;
}

/** Child → parent: every trainer event, then one result or one error. */
export type ArmChildMessage =
  | { type: 'event'; event: TrainerEvent }
  | { type: 'result'; outcome: ArmOutcome }
  | { type: 'error'; message: string };
