// One training job of an experiment, run inside its own process (armProcess.ts): the reference stage
// (tiny preset: tokenizer + SFT, shared by every arm of a seed) or one arm (train, then held-out eval).
import * as path from 'path';
import type { TrainerEvent } from '../protocol/trainer';
import { loadPreferenceFile } from '../data/fileReader';
import { loadTf } from '../model/backend';
import { alignLoss, resolveConfig } from '../train/config';
import { train } from '../train/trainer';
import { RUN_FILES } from '../train/runFolder';
import type { ArmJob, ArmOutcome } from '../protocol/armJob';
import { evaluateHeldOut, HeldOutEval } from './heldOutEval';
import { ArmEventSummary } from './armEvents';

/** Run the job in this process; `onEvent` sees every trainer event. */
export async function runArmJob(job: ArmJob, onEvent?: (e: TrainerEvent) => void): Promise<ArmOutcome> {
  const t0 = Date.now();
  const config = resolveConfig([{ values: job.kind === 'arm' ? { ...job.config, model: job.referenceDir } : job.config, where: `${job.kind} job` }]);
  const events = new ArmEventSummary();
  const result = await train({
    config,
    runDir: job.runDir,
    wasmDir: job.wasmDir,
    hooks: {
      onEvent: (e) => {
        events.observe(e);
        onEvent?.(e);
      },
    },
  });
  if (result.reason !== 'completed') {
    throw new Error(`${job.kind} run in ${job.runDir} ended '${result.reason}' at step ${result.step}${result.message ? `: ${result.message}` : ''}`);
  }
  const spoOn = config.spo_gamma > 0;
  let heldOut: HeldOutEval | null = null;
  if (job.kind === 'arm') {
    if (!job.heldOutFile || !job.referenceDir) throw new Error('an arm job needs heldOutFile and referenceDir');
    const { pairs } = await loadPreferenceFile(job.heldOutFile);
    const { tf } = await loadTf({ backend: config.backend, wasmDir: job.wasmDir });
    heldOut = await evaluateHeldOut(tf, {
      policyDir: path.join(job.runDir, RUN_FILES.checkpoints, `step-${config.max_steps}`),
      referenceDir: job.referenceDir,
      pairs,
      loss: alignLoss(config),
      beta: config.beta,
      maxLength: config.max_length,
      batchSize: config.per_device_train_batch_size,
      maxKeys: config.max_keys,
    });
  }
  return {
    ...events.fields(spoOn),
    seconds: (Date.now() - t0) / 1000,
    steps: result.step,
    referenceDir: job.kind === 'reference' ? path.join(job.runDir, RUN_FILES.reference) : null,
    heldOut,
  };
}
